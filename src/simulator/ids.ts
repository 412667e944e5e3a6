import { randomInt } from 'node:crypto';

const ALPHANUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function alphanum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUM[randomInt(ALPHANUM.length)];
  return out;
}

/** A PayPal-style resource ID (orders, captures, refunds, authorizations): 17 uppercase alphanumerics. */
export function paypalId(): string {
  return alphanum(17);
}

/** A webhook event ID shaped like PayPal's: `WH-<17>-<17>`. */
export function webhookEventId(): string {
  return `WH-${alphanum(17)}-${alphanum(17)}`;
}

/** PayPal's `debug_id`: a short lowercase hex correlation ID. */
export function debugId(): string {
  return randomInt(2 ** 47).toString(16).padStart(12, '0').slice(0, 13);
}

// PayPal account IDs avoid look-alike characters (0, 1, I, O); the spec's pattern enforces it.
const ACCOUNT_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A PayPal account ID (payer_id / merchant_id): 13 characters of `[2-9A-HJ-NP-Z]`. */
export function accountId(): string {
  let out = '';
  for (let i = 0; i < 13; i++) out += ACCOUNT_ALPHABET[randomInt(ACCOUNT_ALPHABET.length)];
  return out;
}

/** RFC 3339 UTC timestamp at second precision, the form PayPal uses for resource and transmission times. */
export function isoSeconds(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
