/**
 * Decoding of `application/x-www-form-urlencoded` bodies and query strings, strictly: a broken
 * percent escape is an EC2 `MalformedQueryString` error rather than the literal text that
 * `URLSearchParams` would silently keep.
 */
import { Ec2Error } from "./ec2-error.ts";
import { limits } from "./limits.ts";

export type QueryPair = readonly [key: string, value: string];

export const malformedQueryString = (detail: string): Ec2Error =>
  new Ec2Error("MalformedQueryString", `The query string contains a syntax error: ${detail}`);

const decodeComponent = (text: string): string => {
  if (!text.includes("%") && !text.includes("+")) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    throw malformedQueryString("invalid percent-encoding");
  }
};

/** The key/value pairs of a form body or query string, in order, decoded. */
export function decodeQueryPairs(text: string): QueryPair[] {
  if (text.length > limits.maxBodyChars) {
    throw new Ec2Error(
      "RequestEntityTooLarge",
      `The request is larger than the ${limits.maxBodyChars} characters this endpoint accepts`,
      413,
    );
  }
  const pairs: QueryPair[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("&", start);
    if (end === -1) end = text.length;
    if (end > start) {
      if (pairs.length >= limits.maxParameters) {
        throw new Ec2Error(
          "RequestEntityTooLarge",
          `The request has more than ${limits.maxParameters} parameters`,
          413,
        );
      }
      const part = text.slice(start, end);
      const eq = part.indexOf("=");
      const key = decodeComponent(eq === -1 ? part : part.slice(0, eq));
      const value = eq === -1 ? "" : decodeComponent(part.slice(eq + 1));
      pairs.push([key, value]);
    }
    start = end + 1;
  }
  return pairs;
}
