// The hashicorp/aws releases the filesystem mirror offers, and which schema each one serves.
// terraform picks the newest offered release a configuration's constraint allows (`~> 4.0` gets
// 4.67.0, `~> 5.0` 5.100.0, `>= 6.37` the newest 6.x), and a lock file pins one release exactly, so
// the list holds what real configurations pin: the last release of the 3.x and 4.x lines, every
// 5.x minor release (5.x is what most configurations written in 2023-2025 lock), and every 6.x minor
// release up to the newest listed here. One schema serves all releases of a major line
// (schemas/history.ts says what each line lacks or still had); add a release by adding its line.

/** hashicorp/aws version @cdktf/provider-aws 21.22.1 pins. */
export const CDKTF_PROVIDER_VERSION = "6.25.0";

const range = (major: number, from: number, to: number, patch = 0): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${major}.${from + i}.${patch}`);

/** Every offered release, oldest first. */
export const OFFERED_VERSIONS: readonly string[] = [
  "3.76.1", // the last 3.x release
  "4.67.0", // the last 4.x release
  ...range(5, 0, 100), // 5.0.0 … 5.100.0 (the last 5.x release)
  ...range(6, 0, 38), // 6.0.0 (June 2025) … 6.38.0 (March 2026)
];

/** The newest offered release. */
export const NEWEST_VERSION = OFFERED_VERSIONS[OFFERED_VERSIONS.length - 1]!;

/** The major line whose schema a release serves (3, 4, 5 or 6); unknown or newer releases get 6's. */
export function majorOf(version: string | undefined): 3 | 4 | 5 | 6 {
  const m = /^(\d+)\./.exec(version ?? "");
  const major = m ? Number(m[1]) : 6;
  return major <= 3 ? 3 : major === 4 ? 4 : major === 5 ? 5 : 6;
}

/** A short summary of the offered releases, for messages ("3.76.1, 4.67.0, 5.0.0–5.100.0, 6.0.0–6.38.0"). */
export function summarizeVersions(versions: readonly string[]): string {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length > 2) out.push(`${run[0]}–${run[run.length - 1]}`);
    else out.push(...run);
    run = [];
  };
  for (const v of versions) {
    const prev = run[run.length - 1];
    const [pa, pb] = (prev ?? "").split(".").map(Number);
    const [a, b, c] = v.split(".").map(Number);
    if (prev && pa === a && pb! + 1 === b && c === 0) run.push(v);
    else {
      flush();
      run = [v];
    }
  }
  flush();
  return out.join(", ");
}
