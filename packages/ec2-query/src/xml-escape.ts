/**
 * Escaping of text for XML 1.0 element content (never attributes: this package writes none from
 * data). `<`, `&` and `>` become entities; quotes stay as they are, as in EC2's own bodies
 * (`The image id '[ami-1]' does not exist`). A carriage return is written as a character reference
 * (XML parsers turn a literal CR into LF), and characters XML 1.0 cannot carry at all (most C0
 * controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD.
 */
const NEEDS_ESCAPE = /[<>&\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ESCAPABLE =
  /[<>&\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const replacement = (ch: string): string => {
  switch (ch) {
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case "&":
      return "&amp;";
    case "\r":
      return "&#13;";
    default:
      return "\uFFFD";
  }
};

export function escapeXml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPABLE, replacement) : text;
}
