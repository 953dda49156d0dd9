/**
 * Splits a command line the way a POSIX shell would for our purposes: whitespace separates words,
 * single quotes keep everything literal, double quotes keep spaces (with \" and \\ escapes), a
 * backslash outside quotes escapes the next character. Each token remembers where it started so
 * the completer knows which word the cursor is in.
 */
export interface Token {
  value: string;
  start: number;
  end: number;
}

export class TokenizeError extends Error {}

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    const start = i;
    let value = "";
    while (i < line.length && !/\s/.test(line[i]!)) {
      const ch = line[i]!;
      if (ch === "'") {
        const close = line.indexOf("'", i + 1);
        if (close < 0) throw new TokenizeError("unterminated ' quote");
        value += line.slice(i + 1, close);
        i = close + 1;
      } else if (ch === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) i++;
          value += line[i];
          i++;
        }
        if (i >= line.length) throw new TokenizeError('unterminated " quote');
        i++;
      } else if (ch === "\\" && i + 1 < line.length) {
        value += line[i + 1];
        i += 2;
      } else {
        value += ch;
        i++;
      }
    }
    out.push({ value, start, end: i });
  }
  return out;
}

/** Tokens, tolerating an unterminated quote at the end (what the completer sees while typing). */
export function tokenizeLoose(line: string): Token[] {
  try {
    return tokenize(line);
  } catch {
    for (const q of ["'", '"']) {
      try {
        return tokenize(line + q);
      } catch {
        // try the other quote
      }
    }
    return line
      .split(/\s+/)
      .filter(Boolean)
      .map((value) => ({ value, start: line.indexOf(value), end: line.indexOf(value) + value.length }));
  }
}
