/** What a terminal sends for the keys the REPL's tests press (xterm sequences, as Ink reads them). */
export const ESC = "\u001b";
export const UP = "\u001b[A";
export const DOWN = "\u001b[B";
export const PGUP = "\u001b[5~";
export const PGDN = "\u001b[6~";
export const HOME = "\u001b[H";
export const END = "\u001b[F";
export const TAB = "\t";
export const CTRL_C = "\u0003";
