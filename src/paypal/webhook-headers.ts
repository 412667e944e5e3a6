import type { VerificationFailure } from './verification-failure';

/** The five `PAYPAL-*` headers a webhook delivery carries, exactly as received (values are used verbatim). */
export interface WebhookTransmission {
  /** `PAYPAL-AUTH-ALGO`, e.g. `SHA256withRSA`. */
  authAlgo: string;
  /** `PAYPAL-CERT-URL`: where PayPal publishes the signing certificate. */
  certUrl: string;
  /** `PAYPAL-TRANSMISSION-ID`: unique per delivery attempt, part of the signed message. */
  transmissionId: string;
  /** `PAYPAL-TRANSMISSION-SIG`: base64 RSA signature. */
  transmissionSig: string;
  /** `PAYPAL-TRANSMISSION-TIME`: ISO 8601 timestamp, part of the signed message byte for byte. */
  transmissionTime: string;
}

/** Header names (lower case) in the order they are checked, mapped to their field. */
export const PAYPAL_WEBHOOK_HEADERS = [
  ['paypal-auth-algo', 'authAlgo'],
  ['paypal-cert-url', 'certUrl'],
  ['paypal-transmission-id', 'transmissionId'],
  ['paypal-transmission-sig', 'transmissionSig'],
  ['paypal-transmission-time', 'transmissionTime'],
] as const satisfies readonly (readonly [string, keyof WebhookTransmission])[];

/**
 * Extracts the PayPal transmission headers from a header map. Names match case-insensitively (Node lower-cases
 * them; captured vectors use upper case). A missing or empty header is `missing_header`; a header given twice is
 * `duplicate_header`, whether as an array value, as two keys differing only in case, or as Node's comma-joined
 * form (none of these values can legitimately contain a comma, so a comma means two values were merged).
 */
export function readWebhookHeaders(
  headers: Record<string, string | string[] | undefined>,
): { ok: true; value: WebhookTransmission } | { ok: false; reason: VerificationFailure } {
  const found = new Map<string, string[]>();
  for (const [rawName, rawValue] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (!PAYPAL_WEBHOOK_HEADERS.some(([h]) => h === name) || rawValue === undefined) continue;
    const values = Array.isArray(rawValue) ? rawValue : [rawValue];
    found.set(name, [...(found.get(name) ?? []), ...values.map((v) => String(v))]);
  }

  const value: Partial<Record<keyof WebhookTransmission, string>> = {};
  for (const [name, field] of PAYPAL_WEBHOOK_HEADERS) {
    const values = found.get(name) ?? [];
    const shown = name.toUpperCase();
    if (values.length === 0 || values.every((v) => v.trim() === '')) {
      return { ok: false, reason: { code: 'missing_header', message: `header ${shown} is missing or empty`, status: 400 } };
    }
    const single = values[0];
    if (values.length > 1 || single === undefined || single.includes(',')) {
      return { ok: false, reason: { code: 'duplicate_header', message: `header ${shown} was sent more than once`, status: 400 } };
    }
    value[field] = single;
  }
  return {
    ok: true,
    value: {
      authAlgo: value.authAlgo ?? '',
      certUrl: value.certUrl ?? '',
      transmissionId: value.transmissionId ?? '',
      transmissionSig: value.transmissionSig ?? '',
      transmissionTime: value.transmissionTime ?? '',
    },
  };
}
