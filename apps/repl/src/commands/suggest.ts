/**
 * Matching words loosely: the nearest known word for a typo (edit distance, as the AWS CLI's
 * "Invalid choice" does), and fuzzy completion (letters in order, as fzf and k9s match:
 * `dscimg` finds `describe-images`), best matches first.
 */

/** Levenshtein distance, counting a swap of two neighbours as one edit. */
export function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      dp[i]![j] = Math.min(
        dp[i - 1]![j]! + 1,
        dp[i]![j - 1]! + 1,
        dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        dp[i]![j] = Math.min(dp[i]![j]!, dp[i - 2]![j - 2]! + 1);
    }
  return dp[a.length]![b.length]!;
}

/** The known word nearest to `word`, if it is near enough to be what was meant. */
export function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const o of options) {
    const d = distance(word.toLowerCase(), o.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = o;
    }
  }
  return best && bestScore <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * How well `typed` matches `candidate`: undefined when its letters do not appear in order; lower
 * is better — a prefix first, then matches at word starts (after `-`, `.`, `_`, `/`) and in runs.
 */
export function fuzzyScore(typed: string, candidate: string): number | undefined {
  if (!typed) return 0;
  const t = typed.toLowerCase();
  const c = candidate.toLowerCase();
  if (c.startsWith(t)) return -1_000; // prefixes keep their given order (flags in model order)
  for (let at = c.indexOf(t); at >= 0; at = c.indexOf(t, at + 1))
    if ("-._/: ".includes(c[at - 1] ?? "-")) return -500 + at + c.length / 1_000; // a run from a word start
  let score = 0;
  let at = -1;
  for (const ch of t) {
    // prefer the letter where a word starts (`di` → Describe-Images), else its next occurrence
    let next = -1;
    for (let i = c.indexOf(ch, at + 1); i >= 0; i = c.indexOf(ch, i + 1))
      if (i === 0 || "-._/: ".includes(c[i - 1]!)) {
        next = i;
        break;
      }
    const wordStart = next >= 0;
    if (!wordStart) next = c.indexOf(ch, at + 1);
    if (next < 0) return undefined;
    score += wordStart ? 0 : next === at + 1 ? 1 : 3 + (next - at);
    at = next;
  }
  return score + c.length / 1_000;
}

/** The items whose key (or best of its keys) fuzzily matches `typed`, best first (stable among equals). */
export function fuzzyFilter<T>(typed: string, items: readonly T[], key: (x: T) => string | readonly string[]): T[] {
  const best = (keys: string | readonly string[]) => {
    let score: number | undefined;
    for (const k of typeof keys === "string" ? [keys] : keys) {
      const s = fuzzyScore(typed, k);
      if (s !== undefined && (score === undefined || s < score)) score = s;
    }
    return score;
  };
  return items
    .map((x, i) => ({ x, i, s: best(key(x)) }))
    .filter((m): m is { x: T; i: number; s: number } => m.s !== undefined)
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((m) => m.x);
}
