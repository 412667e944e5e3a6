import { ApplicationFailure } from '@temporalio/activity';
import { PayPalApiError, type PayPalClient } from '../paypal/client';
import type { Order } from '../paypal/schemas';
import { FAILURE_TYPES } from '../workflows/failure-types';
import type { PaymentTruth } from '../workflows/order-machine';

/** PayPal activities: the only way the workflow learns what is true about a payment. */
export function createPayPalActivities(paypal: PayPalClient) {
  return {
    /** Reads the order (and its captures) from PayPal. Never trusts a webhook body. */
    async verifyPayment(orderId: string): Promise<PaymentTruth> {
      try {
        return toPaymentTruth(await paypal.getOrder(orderId));
      } catch (err) {
        throw asActivityFailure(err, { 404: FAILURE_TYPES.paypalOrderNotFound });
      }
    },

    /**
     * Re-reads the order and captures it if PayPal shows it approved (or authorized); otherwise returns it as it
     * stands (not approved yet, voided, captured already) for the workflow to decide. The PayPal-Request-Id is
     * derived from the order ID, so every retry (and every later run for the same order) replays the same capture
     * instead of charging the buyer twice.
     */
    async captureOrder(orderId: string): Promise<PaymentTruth> {
      try {
        const current = await paypal.getOrder(orderId);
        if (current.status !== 'APPROVED' && !current.purchase_units?.[0]?.payments?.authorizations?.[0]) return toPaymentTruth(current);
        if (current.intent === 'AUTHORIZE') {
          // Authorize flow: authorize once, then capture the whole authorization. Both carry request IDs derived
          // from the order ID, so a retry replays instead of authorizing or charging twice.
          const authorized = current.purchase_units?.[0]?.payments?.authorizations?.[0] ? current : await paypal.authorizeOrder(orderId, `authorize-${orderId}`);
          const authorization = authorized.purchase_units?.[0]?.payments?.authorizations?.[0];
          if (authorization?.status === 'CREATED') await paypal.captureAuthorization(authorization.id, `capture-${orderId}`);
          return toPaymentTruth(await paypal.getOrder(orderId));
        }
        const { order } = await paypal.captureOrder(orderId, `capture-${orderId}`);
        return toPaymentTruth(order);
      } catch (err) {
        // Captured earlier without our request ID (e.g. by the merchant's own checkout): read the result.
        if (err instanceof PayPalApiError && err.issue === 'ORDER_ALREADY_CAPTURED') return toPaymentTruth(await paypal.getOrder(orderId));
        throw asActivityFailure(err, { 404: FAILURE_TYPES.paypalOrderNotFound, 422: FAILURE_TYPES.paypalCaptureRejected, 400: FAILURE_TYPES.paypalCaptureRejected });
      }
    },
  };
}

/** Normalises an Orders v2 resource into what the state machine needs. The first purchase unit is the order's. */
export function toPaymentTruth(order: Order): PaymentTruth {
  const unit = order.purchase_units?.[0];
  const capture = unit?.payments?.captures?.[0];
  const authorization = unit?.payments?.authorizations?.[0];
  return {
    orderStatus: order.status,
    authorization: authorization ? { id: authorization.id, status: authorization.status } : undefined,
    orderAmount: unit?.amount ? { value: unit.amount.value, currency_code: unit.amount.currency_code } : undefined,
    customId: capture?.custom_id ?? unit?.custom_id,
    invoiceId: capture?.invoice_id ?? unit?.invoice_id,
    refunds: unit?.payments?.refunds?.map((r) => ({
      id: r.id,
      status: r.status,
      amount: r.amount ? { value: r.amount.value, currency_code: r.amount.currency_code } : undefined,
    })),
    capture: capture
      ? {
          id: capture.id,
          status: capture.status,
          reason: capture.status_details?.reason,
          amount: capture.amount ? { value: capture.amount.value, currency_code: capture.amount.currency_code } : undefined,
        }
      : undefined,
  };
}

/** Permanent PayPal answers become non-retryable failures with a type; everything else is retried by Temporal. */
function asActivityFailure(err: unknown, permanent: Partial<Record<number, string>>): Error {
  if (err instanceof PayPalApiError) {
    const type = permanent[err.status];
    if (type && !err.retryable) return ApplicationFailure.nonRetryable(err.message, type, { status: err.status, issue: err.issue, debugId: err.debugId });
    return ApplicationFailure.retryable(err.message, 'PayPalApiError', { status: err.status, issue: err.issue, debugId: err.debugId });
  }
  return err instanceof Error ? err : new Error(String(err));
}
