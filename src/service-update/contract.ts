import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The contract between this product and the merchant's service: one signed, idempotent HTTP POST per paid order
 * (and later per refund/reversal). Merchants implement the receiving side; `verifyServiceUpdateSignature` is the
 * reference check they can copy.
 */

/** Body of `POST FULFILLMENT_URL`. */
export interface ServiceUpdatePayload {
  type: 'order.paid' | 'order.refunded' | 'order.reversed';
  orderId: string;
  captureId: string | null;
  amount: { value: string; currency_code: string } | null;
  customId: string | null;
  invoiceId: string | null;
  /** The PayPal refund this update reports (refunds and reversals only). */
  refundId?: string;
  /** True when support approved the order by hand (recorded as an override). */
  override?: boolean;
}

/** Header carrying the idempotency key; the same key on every retry of the same update. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = 'Fulfillment-Signature';
/**
 * Header naming one HTTP attempt: `<workflow run ID>/<activity ID>/<attempt>`. Unique per request (log it); the
 * same Idempotency-Key under another delivery ID is a retry or a re-attempt of the same update.
 */
export const DELIVERY_ID_HEADER = 'Fulfillment-Delivery-Id';

/** The {@link DELIVERY_ID_HEADER} value of one attempt. */
export function formatDeliveryId(runId: string, activityId: string, attempt: number): string {
  return `${runId}/${activityId}/${attempt}`;
}

/** The parts of a {@link DELIVERY_ID_HEADER} value (see {@link formatDeliveryId}); undefined if it is not one. */
export function parseDeliveryId(value: string | undefined): { runId: string; activityId: string; attempt: number } | undefined {
  const [runId, activityId, attempt, ...rest] = (value ?? '').split('/');
  if (!runId || !activityId || rest.length > 0 || !/^[1-9]\d*$/.test(attempt ?? '')) return undefined;
  return { runId, activityId, attempt: Number(attempt) };
}

/** The idempotency key of an update: stable per order and action, so retries and re-runs can be deduplicated. */
export function serviceUpdateIdempotencyKey(type: ServiceUpdatePayload['type'], orderId: string, discriminator?: string): string {
  return discriminator ? `${type}:${orderId}:${discriminator}` : `${type}:${orderId}`;
}

/** Signs a raw body for the signature header. */
export function signServiceUpdate(rawBody: string, secret: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Checks a received signature header against the raw body; rejects timestamps older than `toleranceS` so a
 * captured request cannot be replayed later. Constant-time comparison.
 */
export function verifyServiceUpdateSignature(
  rawBody: string,
  header: string | undefined,
  secret: string,
  opts: { nowS?: number; toleranceS?: number } = {},
): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  const v1 = parts.v1;
  if (!Number.isInteger(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceS ?? 300)) return false;
  const expected = signServiceUpdate(rawBody, secret, t).split('v1=')[1]!;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(v1, 'hex'));
}
