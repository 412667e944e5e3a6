import { PayPalApiError, type PayPalClient } from './client';

/**
 * The PayPal order a capture belongs to, or undefined when PayPal does not know the capture (404) or names no
 * order. Refund and reversal events name only the capture, so routing them needs this lookup; the capture
 * resource names its order in `supplementary_data.related_ids.order_id` and/or its `up` link. Other failures
 * (network, 5xx) are thrown: the caller decides whether to retry.
 */
export async function orderIdForCapture(paypal: Pick<PayPalClient, 'getCapture'>, captureId: string): Promise<string | undefined> {
  try {
    const capture = await paypal.getCapture(captureId);
    const related = capture.supplementary_data?.related_ids?.order_id;
    if (related) return related;
    const up = capture.links?.find((l) => l.rel === 'up' && /\/v2\/checkout\/orders\//.test(l.href));
    return up ? decodeURIComponent(up.href.split('/').pop() ?? '') || undefined : undefined;
  } catch (err) {
    if (err instanceof PayPalApiError && err.status === 404) return undefined;
    throw err;
  }
}
