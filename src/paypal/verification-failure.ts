// Why a webhook failed verification, as a stable code with the HTTP status the intake answers; shared by both
// verification modes (offline, signature.ts; PayPal's API, api-verifier.ts) and the certificate checks (cert-chain.ts).

/** Why a webhook was not accepted; stable identifiers for logs, metrics and the intake's error body. */
export type VerificationFailureCode =
  | 'missing_header' | 'duplicate_header' | 'unsupported_algorithm' | 'cert_url_not_allowed' | 'cert_fetch_failed'
  | 'cert_invalid' | 'cert_untrusted' | 'cert_expired' | 'cert_subject_mismatch' | 'transmission_time_invalid'
  | 'transmission_time_outside_window' | 'signature_invalid' | 'verification_unavailable';

/** A rejected webhook: machine-readable code, human-readable reason and the HTTP status to answer. */
export interface VerificationFailure {
  code: VerificationFailureCode;
  message: string;
  /** HTTP status the intake should answer */
  status: 400 | 401 | 503;
}

/** HTTP status per failure: 400 malformed request, 401 not authentic, 503 cannot decide now (PayPal retries). */
export const FAILURE_STATUS: Readonly<Record<VerificationFailureCode, 400 | 401 | 503>> = {
  missing_header: 400, duplicate_header: 400, transmission_time_invalid: 400,
  unsupported_algorithm: 401, cert_url_not_allowed: 401, cert_invalid: 401, cert_untrusted: 401, cert_expired: 401,
  cert_subject_mismatch: 401, transmission_time_outside_window: 401, signature_invalid: 401,
  cert_fetch_failed: 503, verification_unavailable: 503,
};

/** Builds a {@link VerificationFailure} with the status from {@link FAILURE_STATUS}. */
export function verificationFailure(code: VerificationFailureCode, message: string): VerificationFailure {
  return { code, message, status: FAILURE_STATUS[code] };
}

/** A checked value, or the failure that stopped the check. */
export type Check<T> = { ok: true; value: T } | { ok: false; failure: VerificationFailure };
