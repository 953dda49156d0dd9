/** Small text helpers: money, short durations, state glyphs, fitting text into columns. */
import stringWidth from "string-width";

export function money(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 100) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd).toLocaleString("en-US")}`;
}

/** 4s, 12m, 3h, 2d — the one biggest unit, as k9s shows ages. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400)
    return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ""}`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** hh:mm:ss of a simulated instant, with the date when it is not the sandbox's first day. */
export function clockText(simMs: number): string {
  const d = new Date(simMs);
  return d.toISOString().replace("T", " ").slice(0, 19);
}

export const STATE_GLYPH: Record<string, string> = {
  pending: "◐",
  running: "●",
  stopping: "◑",
  stopped: "○",
  "shutting-down": "◑",
  terminated: "✕",
};

/** Ink colour of an instance or image state. */
export function stateColor(state: string): string {
  switch (state) {
    case "running":
    case "available":
    case "completed":
      return "green";
    case "pending":
    case "stopping":
    case "shutting-down":
      return "yellow";
    case "stopped":
      return "gray";
    case "terminated":
    case "failed":
    case "deregistered":
      return "red";
    default:
      return "white";
  }
}

/**
 * Text every character of which takes one column, as string-width counts: ASCII, Latin, general
 * punctuation (· … —), arrows, box drawing, blocks and geometric shapes (● ◐ ░ █ ▲) — what the
 * frame is mostly made of, measured without string-width's grapheme segmentation (a frame a
 * second fits every cell). Left out: soft hyphen, bidi controls and ◽◾ (not one column).
 */
const PLAIN = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u2010-\u2029\u202f-\u205e\u2190-\u21ff\u2500-\u25fc\u25ff]*$/;

/**
 * How many terminal columns `text` takes, as Ink measures it (string-width: East Asian wide and
 * emoji take two, combining marks none) — a frame laid out by code points grows a row per wide line.
 */
export function cellWidth(text: string): number {
  return PLAIN.test(text) ? text.length : stringWidth(text);
}

/** The longest start of `text` that takes at most `width` columns. */
export function cutToWidth(text: string, width: number): string {
  if (PLAIN.test(text)) return text.slice(0, Math.max(0, width));
  let out = "";
  let used = 0;
  for (const ch of text) {
    const w = stringWidth(ch);
    if (used + w > width) break;
    out += ch;
    used += w;
  }
  return out;
}

/** The longest end of `text` that takes at most `width` columns. */
export function tailToWidth(text: string, width: number): string {
  const chars = [...text];
  let used = 0;
  let i = chars.length;
  while (i > 0 && used + cellWidth(chars[i - 1]!) <= width) used += cellWidth(chars[--i]!);
  return chars.slice(i).join("");
}

/** Pads or cuts to exactly `width` display columns (with … when cut). */
export function fit(text: string, width: number, align: "left" | "right" = "left"): string {
  if (width <= 0) return "";
  const w = cellWidth(text);
  if (w > width) {
    if (width === 1) return "…";
    const cut = cutToWidth(text, width - 1);
    return `${cut}…${" ".repeat(width - 1 - cellWidth(cut))}`;
  }
  const pad = " ".repeat(width - w);
  return align === "left" ? text + pad : pad + text;
}

export function bar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

const SPARKS = "▁▂▃▄▅▆▇█";
export function sparkline(values: readonly number[], width: number): string {
  const vs = values.slice(-width);
  if (!vs.length) return "";
  const max = Math.max(...vs);
  const min = Math.min(...vs);
  return vs
    .map(
      (v) =>
        SPARKS[
          max === min ? (max > 0 ? SPARKS.length - 1 : 0) : Math.round(((v - min) / (max - min)) * (SPARKS.length - 1))
        ],
    )
    .join("");
}
