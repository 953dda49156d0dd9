/** Bounds on what one EC2 Query request may hold; anything larger is refused with an EC2 error. */
export const limits = {
  /** Largest request body (and query string), in characters. EC2's own ceiling is well below this. */
  maxBodyChars: 4 * 1024 * 1024,
  /** Largest 1-based index of a list item (`Filter.1000.Value.1000`). */
  maxListIndex: 1000,
  /** Most parameters in one request. */
  maxParameters: 50_000,
  /** Longest value echoed back inside an error message. */
  maxEchoChars: 200,
} as const;

/** Shortens untrusted text before it goes into an error message. */
export const echo = (text: string): string =>
  text.length > limits.maxEchoChars ? `${text.slice(0, limits.maxEchoChars)}...` : text;
