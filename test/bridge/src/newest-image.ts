/** The newest of some images, as `most_recent = true` picks it: the latest CreationDate. */
export function newestImage(images: any[]): any {
  return [...images].sort((a, b) => String(b.CreationDate).localeCompare(String(a.CreationDate)))[0];
}
