import { z } from 'zod';

/**
 * The webhook envelope PayPal POSTs. Only the fields used for routing are required; the resource itself is never
 * trusted (the workflow re-reads PayPal), so it is parsed loosely.
 */
export const webhookEventSchema = z.looseObject({
  id: z.string().min(1).max(255),
  event_type: z.string().min(1).max(255),
  resource_type: z.string().max(255).optional(),
  create_time: z.string().max(64).optional(),
  resource: z.looseObject({
    id: z.string().max(255).optional(),
    order_id: z.string().max(255).optional(),
    supplementary_data: z
      .looseObject({ related_ids: z.looseObject({ order_id: z.string().max(255).optional() }).optional() })
      .optional(),
    links: z.array(z.looseObject({ href: z.string().max(2048), rel: z.string().max(64) })).max(50).optional(),
  }),
});
/** A parsed webhook event. */
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** Event types that concern an order's payment; anything else is acknowledged and ignored. */
export const HANDLED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'CHECKOUT.ORDER.APPROVED',
  'CHECKOUT.ORDER.COMPLETED',
  'CHECKOUT.ORDER.SAVED',
  'CHECKOUT.ORDER.VOIDED',
  'CHECKOUT.PAYMENT-APPROVAL.REVERSED',
  'PAYMENT.CAPTURE.COMPLETED',
  'PAYMENT.CAPTURE.PENDING',
  'PAYMENT.CAPTURE.DENIED',
  'PAYMENT.CAPTURE.DECLINED',
  'PAYMENT.CAPTURE.REFUNDED',
  'PAYMENT.CAPTURE.REVERSED',
  'PAYMENT.AUTHORIZATION.CREATED',
  'PAYMENT.AUTHORIZATION.VOIDED',
]);

/** PayPal order IDs are short alphanumerics; anything else would make a strange workflow ID. */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

/** Which order an event is about, or which capture to look up when the event names only that (refunds). */
export type EventSubject = { orderId: string } | { captureId: string } | { unknown: string };

/**
 * Finds the order an event belongs to: the resource itself for CHECKOUT.ORDER.*, `order_id` for approval
 * reversals, `supplementary_data.related_ids.order_id` or the `up` link for captures and authorizations. Refund
 * and reversal events carry a refund whose `up` link is the capture; the caller resolves that capture.
 */
export function eventSubject(event: WebhookEvent): EventSubject {
  const r = event.resource;
  const type = event.event_type;
  const checked = (orderId: string | undefined): EventSubject =>
    orderId && ORDER_ID_PATTERN.test(orderId) ? { orderId } : { unknown: `no usable order id in ${type}` };

  if (type === 'CHECKOUT.PAYMENT-APPROVAL.REVERSED') return checked(r.order_id ?? r.id);
  if (type.startsWith('CHECKOUT.ORDER.')) return checked(r.id);
  if (type === 'PAYMENT.CAPTURE.REFUNDED' || type === 'PAYMENT.CAPTURE.REVERSED') {
    const captureId = linkId(r.links, /\/v2\/payments\/captures\/([^/?#]+)$/);
    return captureId && ORDER_ID_PATTERN.test(captureId) ? { captureId } : { unknown: `no capture link in ${type}` };
  }
  return checked(r.supplementary_data?.related_ids?.order_id ?? linkId(r.links, /\/v2\/checkout\/orders\/([^/?#]+)$/));
}

function linkId(links: { href: string; rel: string }[] | undefined, pattern: RegExp): string | undefined {
  for (const link of links ?? []) {
    if (link.rel !== 'up') continue;
    const m = pattern.exec(link.href);
    if (!m) continue;
    try {
      return decodeURIComponent(m[1]!);
    } catch {
      return undefined; // a malformed escape is not an ID; the caller treats the event as unroutable
    }
  }
  return undefined;
}
