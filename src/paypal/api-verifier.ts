import { checkTransmission, DEFAULT_MAX_AHEAD_MS, DEFAULT_MAX_BEHIND_MS, neverThrowing, type VerificationResult, type WebhookVerifier } from './signature';
import { verificationFailure } from './verification-failure';
import type { WebhookTransmission } from './webhook-headers';

/** Configuration of {@link createApiVerifier}. */
export interface ApiVerifierOptions {
  webhookId: string;
  /**
   * Sends `POST /v1/notifications/verify-webhook-signature` with this exact body (OAuth and HTTP are the caller's)
   * and returns PayPal's answer. Throwing means "could not ask" and maps to a retryable 503.
   */
  callVerifyApi: (requestBodyJson: string) => Promise<{ verification_status: string }>;
  /** Injectable clock for the transmission-time window (PayPal's API does not reject old deliveries itself). */
  now?: () => Date;
  /** Same meaning and default as in the offline verifier. */
  maxAheadMs?: number;
  /** Same meaning and default as in the offline verifier. */
  maxBehindMs?: number;
}

/**
 * Builds the verify-webhook-signature request body as a string, splicing the raw event bytes in verbatim: PayPal
 * recomputes the CRC over `webhook_event` as received, so re-serialising the event (key order, escapes, number
 * formats, whitespace) would make genuine webhooks fail. Returns undefined if the body is not UTF-8 JSON object
 * text, which could not be spliced safely.
 */
export function buildVerifyRequestBody(t: WebhookTransmission, webhookId: string, rawBody: Buffer): string | undefined {
  let text: string;
  try {
    // fatal: reject invalid UTF-8 instead of replacing it (a replaced byte changes the CRC);
    // ignoreBOM: keep a BOM in the text so JSON.parse rejects it rather than it being spliced mid-document.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(rawBody);
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  } catch {
    return undefined;
  }
  return (
    `{"auth_algo":${JSON.stringify(t.authAlgo)},"cert_url":${JSON.stringify(t.certUrl)},` +
    `"transmission_id":${JSON.stringify(t.transmissionId)},"transmission_sig":${JSON.stringify(t.transmissionSig)},` +
    `"transmission_time":${JSON.stringify(t.transmissionTime)},"webhook_id":${JSON.stringify(webhookId)},` +
    `"webhook_event":${text}}`
  );
}

/**
 * API-mode verification: PayPal checks the signature (useful where the certificate cannot be fetched). Header
 * presence, algorithm and transmission time are still checked locally first, so malformed or stale deliveries
 * never cost an API call. SUCCESS → ok; FAILURE → 401 signature_invalid; call error or other status → 503.
 */
export function createApiVerifier(opts: ApiVerifierOptions): WebhookVerifier {
  const now = opts.now ?? (() => new Date());
  const maxAheadMs = opts.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS;
  const maxBehindMs = opts.maxBehindMs ?? DEFAULT_MAX_BEHIND_MS;

  const run = async (headers: Record<string, string | string[] | undefined>, rawBody: Buffer): Promise<VerificationResult> => {
    const pre = checkTransmission(headers, now(), maxAheadMs, maxBehindMs);
    if (!pre.ok) return pre;
    const t = pre.value;

    const body = buildVerifyRequestBody(t, opts.webhookId, rawBody);
    // No dedicated code exists for an unusable body; signature_invalid with 400 says "cannot be verified as sent".
    if (body === undefined) return { ok: false, failure: { code: 'signature_invalid', message: 'body is not UTF-8 JSON object text, so it cannot be verified', status: 400 } };

    let status: string;
    try {
      status = (await opts.callVerifyApi(body)).verification_status;
    } catch (err) {
      return { ok: false, failure: verificationFailure('verification_unavailable', `verify-webhook-signature call failed: ${err instanceof Error ? err.message : String(err)}`) };
    }
    if (status === 'SUCCESS') return { ok: true };
    if (status === 'FAILURE') return { ok: false, failure: verificationFailure('signature_invalid', 'PayPal answered verification_status FAILURE') };
    return { ok: false, failure: verificationFailure('verification_unavailable', `PayPal answered unexpected verification_status ${JSON.stringify(String(status).slice(0, 64))}`) };
  };

  return neverThrowing(run);
}
