/**
 * Command history: ↑/↓ walk it, Ctrl-R searches it backwards, and it is kept across runs in the
 * data directory (one command per line, newest last, at most `max` lines).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export class History {
  private entries: string[];
  /** Position while walking with ↑/↓: entries.length means "the line being typed". */
  private cursor: number;
  private draft = "";

  constructor(
    private readonly file?: string,
    private readonly max = 1_000,
  ) {
    this.entries = file && existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).slice(-max) : [];
    this.cursor = this.entries.length;
  }

  all(): readonly string[] {
    return this.entries;
  }

  add(line: string): void {
    const l = line.trim();
    this.cursor = this.entries.length;
    if (!l || this.entries.at(-1) === l) {
      this.cursor = this.entries.length;
      return;
    }
    this.entries.push(l);
    if (this.entries.length > this.max) this.entries = this.entries.slice(-this.max);
    this.cursor = this.entries.length;
    if (this.file) {
      try {
        mkdirSync(dirname(this.file), { recursive: true });
        if (this.entries.length === this.max) writeFileSync(this.file, `${this.entries.join("\n")}\n`, { mode: 0o600 });
        else appendFileSync(this.file, `${l}\n`, { mode: 0o600 });
      } catch {
        // history is a convenience: never fail a command over it
      }
    }
  }

  /** ↑: the previous entry (remembering the line being typed). */
  previous(current: string): string | undefined {
    if (this.cursor === this.entries.length) this.draft = current;
    if (this.cursor === 0) return undefined;
    this.cursor--;
    return this.entries[this.cursor];
  }

  /** ↓: the next entry, or back to the line being typed. */
  next(): string | undefined {
    if (this.cursor >= this.entries.length) return undefined;
    this.cursor++;
    return this.cursor === this.entries.length ? this.draft : this.entries[this.cursor];
  }

  resetWalk(): void {
    this.cursor = this.entries.length;
  }

  /** Ctrl-R: the newest entry containing `term` older than index `before` (for repeated Ctrl-R). */
  search(term: string, before = this.entries.length): { line: string; index: number } | undefined {
    if (!term) return undefined;
    for (let i = Math.min(before, this.entries.length) - 1; i >= 0; i--) {
      if (this.entries[i]!.includes(term)) return { line: this.entries[i]!, index: i };
    }
    return undefined;
  }
}
