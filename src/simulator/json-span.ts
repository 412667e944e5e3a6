/**
 * Finds the exact bytes of a top-level member's value inside a raw JSON object, without re-serialising.
 * verify-webhook-signature needs this: the caller splices the webhook body it received verbatim into
 * `webhook_event`, and the CRC in the signed message is over those bytes, so parsing and re-stringifying would
 * change them (key order, spacing, escapes, number formatting).
 *
 * Works on bytes: every JSON structural character is ASCII and UTF-8 multi-byte sequences never contain ASCII
 * bytes, so byte scanning is safe for any UTF-8 input.
 */

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Byte range `[start, end)` of a value. */
export interface Span {
  start: number;
  end: number;
}

function skipWs(buf: Buffer, i: number): number {
  while (i < buf.length && WS.has(buf[i]!)) i++;
  return i;
}

/** Index just past the closing quote of the string starting at `i`, or -1 if unterminated. */
function skipString(buf: Buffer, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const c = buf[j]!;
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1 if malformed or truncated. */
function skipValue(buf: Buffer, i: number): number {
  const first = buf[i];
  if (first === undefined) return -1;
  if (first === QUOTE) return skipString(buf, i);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    for (let j = i; j < buf.length; j++) {
      const c = buf[j]!;
      if (c === QUOTE) {
        j = skipString(buf, j);
        if (j < 0) return -1;
        j--; // the loop's j++ lands just past the string
      } else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // Literal: number, true, false, null. Ends at a delimiter.
  let j = i;
  while (j < buf.length && !WS.has(buf[j]!) && buf[j] !== 0x2c && buf[j] !== 0x7d && buf[j] !== 0x5d) j++;
  return j > i ? j : -1;
}

/**
 * The byte range of the value of top-level key `key` in the JSON object `raw`; undefined if `raw` is not an
 * object or lacks the key. With duplicate keys the last wins, as with `JSON.parse`.
 */
export function findTopLevelValue(raw: Buffer, key: string): Span | undefined {
  let i = skipWs(raw, 0);
  if (raw[i] !== 0x7b) return undefined;
  i = skipWs(raw, i + 1);
  if (raw[i] === 0x7d) return undefined;
  let found: Span | undefined;
  for (;;) {
    if (raw[i] !== QUOTE) return undefined;
    const keyEnd = skipString(raw, i);
    if (keyEnd < 0) return undefined;
    let name: unknown;
    try {
      name = JSON.parse(raw.subarray(i, keyEnd).toString('utf8'));
    } catch {
      return undefined;
    }
    i = skipWs(raw, keyEnd);
    if (raw[i] !== 0x3a) return undefined;
    i = skipWs(raw, i + 1);
    const valueEnd = skipValue(raw, i);
    if (valueEnd < 0) return undefined;
    if (name === key) found = { start: i, end: valueEnd };
    i = skipWs(raw, valueEnd);
    if (raw[i] === 0x7d) return found;
    if (raw[i] !== 0x2c) return undefined;
    i = skipWs(raw, i + 1);
  }
}
