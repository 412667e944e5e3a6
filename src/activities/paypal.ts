import { ApplicationFailure, Context } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { PayPalApiError, type PayPalClient } from '../paypal/client';
import { addAmounts } from '../paypal/money';
import type { Capture, Money, Order } from '../paypal/schemas';
import { FAILURE_TYPES } from '../workflows/failure-types';
import { captureStillPending, paymentUnchanged, uncapturedAmountDiffers, type Amount, type PaymentStatus, type PaymentTruth } from '../workflows/order-machine';
import { heartbeatWhile } from './heartbeat';

/** PayPal activities: the only way the workflow learns what is true about a payment. */
export function createPayPalActivities(paypal: PayPalClient) {
  /** One read of the order; an order PayPal does not know is a permanent failure of its own type. */
  const read = async (orderId: string): Promise<PaymentTruth> => {
    try {
      return toPaymentTruth(await paypal.getOrder(orderId));
    } catch (err) {
      throw asActivityFailure(err, { 404: FAILURE_TYPES.paypalOrderNotFound });
    }
  };
  /** A read as an activity of its own, heartbeating while PayPal is slow (see heartbeatWhile). */
  const readOrder = (orderId: string): Promise<PaymentTruth> => heartbeatWhile(() => read(orderId));
  /**
   * Captures the order if PayPal lets it (an approved order, the usual case: one PayPal call); otherwise reads it
   * and handles it as it stands: an authorize-intent order is authorized and its authorization captured, and
   * anything else (not approved yet, voided, captured already) is returned for the workflow to decide. The
   * PayPal-Request-Id is derived from the order ID, so every retry (and every later run for the same order)
   * replays the same capture instead of charging the buyer twice. Only PayPal's own answers count.
   */
  async function captureOrder(orderId: string, expectedAmount?: Amount): Promise<PaymentTruth> {
    if (expectedAmount) {
      // An order registered with an amount is captured only for that amount: the buyer is never charged another
      // (PayPal lets the merchant's site change an order's amount until it is captured). One more call, for
      // registered orders only. Another amount is returned uncaptured, and the workflow sends it to review.
      const current = await read(orderId);
      if (uncapturedAmountDiffers(expectedAmount, current)) return current;
    }
    let refused: PayPalApiError;
    try {
      const { order } = await paypal.captureOrder(orderId, `capture-${orderId}`);
      return toPaymentTruth(order);
    } catch (err) {
      // 422: PayPal will not capture this order as it stands (ORDER_NOT_APPROVED, ORDER_ALREADY_CAPTURED,
      // ACTION_DOES_NOT_MATCH_INTENT, a declined instrument, ...): read it to see why.
      if (!(err instanceof PayPalApiError && err.status === 422)) throw asActivityFailure(err, CAPTURE_REFUSALS);
      refused = err;
    }
    try {
      const current = await paypal.getOrder(orderId);
      const authorization = current.purchase_units?.[0]?.payments?.authorizations?.[0];
      if (current.intent === 'AUTHORIZE' && (current.status === 'APPROVED' || authorization)) {
        // Authorize flow: authorize once, then capture the whole authorization. Both carry request IDs derived
        // from the order ID, so a retry replays instead of authorizing or charging twice.
        const authorized = authorization ? current : await paypal.authorizeOrder(orderId, `authorize-${orderId}`);
        const created = authorized.purchase_units?.[0]?.payments?.authorizations?.[0];
        if (created?.status === 'CREATED') await paypal.captureAuthorization(created.id, `capture-${orderId}`);
        return toPaymentTruth(await paypal.getOrder(orderId));
      }
      // Approved, capture intent, and still refused: the refusal itself is the answer (e.g. the instrument was declined).
      if (current.status === 'APPROVED') throw refused;
      return toPaymentTruth(current);
    } catch (err) {
      throw asActivityFailure(err, CAPTURE_REFUSALS);
    }
  }

  return {
    /** Reads the order (and its captures) from PayPal. Never trusts a webhook body. */
    verifyPayment: readOrder,

    /**
     * Reads the order and returns it once its capture is no longer PENDING. While it is, the attempt fails with
     * the retryable `CaptureStillPending` and the gap before the next read: `retryGapsMs[attempt - 1]` (the last
     * one repeats), so the retry policy polls PayPal on the order's poll schedule with no workflow task and no
     * history event per read. BENIGN: an expected answer, logged at debug and kept out of failure metrics.
     */
    async awaitCaptureSettled(orderId: string, retryGapsMs: number[]): Promise<PaymentTruth> {
      const truth = await readOrder(orderId);
      if (!captureStillPending(truth)) return truth;
      const reason = truth.capture?.reason ? ` (${truth.capture.reason})` : '';
      throw readAgainLater(FAILURE_TYPES.captureStillPending, `capture ${truth.capture?.id ?? ''} still pending at PayPal${reason}`, retryGapsMs);
    },

    /**
     * Reads the order and returns it once its payment status differs from `held` (see PaymentStatus): the buyer
     * approved, the merchant captured, PayPal voided it, ... Until then the attempt fails with the retryable, BENIGN
     * `PaymentUnchanged`, retried after the next of `retryGapsMs`, as awaitCaptureSettled does.
     */
    async awaitPaymentChange(orderId: string, held: PaymentStatus | null, retryGapsMs: number[]): Promise<PaymentTruth> {
      const truth = await readOrder(orderId);
      if (!paymentUnchanged(held, truth)) return truth;
      throw readAgainLater(FAILURE_TYPES.paymentUnchanged, `order ${orderId} still ${truth.orderStatus} at PayPal`, retryGapsMs);
    },

    /**
     * Captures the order (see captureOrder above), only for `expectedAmount` when given; each PayPal call carries a
     * request ID derived from the order ID.
     */
    captureOrder: (orderId: string, expectedAmount?: Amount): Promise<PaymentTruth> => heartbeatWhile(() => captureOrder(orderId, expectedAmount)),
  };
}

/**
 * The failure of a poll's attempt that read nothing new: retryable, BENIGN (an expected answer: debug log, no
 * failure metric), with the gap before the next read, `retryGapsMs[attempt - 1]` (the last one repeats). So
 * Temporal's retries poll PayPal on the order's schedule, with no workflow task and no history event per read.
 */
function readAgainLater(type: string, message: string, retryGapsMs: number[]): ApplicationFailure {
  const { attempt } = Context.current().info;
  return ApplicationFailure.create({
    message,
    type,
    nextRetryDelay: retryGapsMs[Math.min(attempt, retryGapsMs.length) - 1] ?? 60_000,
    category: ApplicationFailureCategory.BENIGN,
  });
}

/** PayPal answers that end a capture attempt for good (a non-retryable failure with this type). */
const CAPTURE_REFUSALS = { 404: FAILURE_TYPES.paypalOrderNotFound, 422: FAILURE_TYPES.paypalCaptureRejected, 400: FAILURE_TYPES.paypalCaptureRejected };

/**
 * Normalises an Orders v2 resource into what the state machine needs: one payment per order. The first purchase
 * unit gives the order's references. The order's amount, the capture that stands for the payment (paymentCapture)
 * and the refunds are every unit's: a multi-seller payment (several units: the count is kept, and the machine sends
 * it to review) is checked against the amount the merchant registered for the whole order, and once support
 * approves it, it is watched for refunds of every seller's part.
 */
export function toPaymentTruth(order: Order): PaymentTruth {
  const units = order.purchase_units ?? [];
  const unit = units[0];
  const capture = paymentCapture(units.flatMap((u) => u.payments?.captures ?? []));
  const refunds = units.flatMap((u) => u.payments?.refunds ?? []);
  const authorization = unit?.payments?.authorizations?.[0];
  return {
    orderStatus: order.status,
    authorization: authorization ? { id: authorization.id, status: authorization.status } : undefined,
    orderAmount: units.length > 1 ? orderTotal(units) : amountOf(unit?.amount),
    customId: capture?.custom_id ?? unit?.custom_id,
    invoiceId: capture?.invoice_id ?? unit?.invoice_id,
    ...(units.length > 1 ? { purchaseUnits: units.length } : {}),
    refunds: refunds.length > 0 ? refunds.map((r) => ({ id: r.id, status: r.status, amount: amountOf(r.amount) })) : undefined,
    capture: capture
      ? {
          id: capture.id,
          status: capture.status,
          reason: capture.status_details?.reason,
          amount: amountOf(capture.amount),
        }
      : undefined,
  };
}

/**
 * What the buyer approved over every purchase unit; undefined (an amount the machine cannot match) when a unit has
 * none, or the units' currencies differ (PayPal requires one currency per order).
 */
function orderTotal(units: NonNullable<Order['purchase_units']>): Amount | undefined {
  return amountOf(addAmounts(units.map((u) => u.amount)));
}

/** An amount as the machine keeps it: PayPal's money object without any other field PayPal may add. */
function amountOf(m: Money | undefined): Amount | undefined {
  return m ? { value: m.value, currency_code: m.currency_code } : undefined;
}

/** Capture statuses that never took money, and those that gave all of it back. */
const NO_MONEY = new Set(['DECLINED', 'FAILED']);
const MONEY_BACK = new Set(['REFUNDED', 'REVERSED']);

/**
 * The capture that stands for the order's payment. One capture is itself. An authorization the merchant captured
 * in parts, or a multi-seller payment's units, have several: the first that took money stands for them, with the
 * amount they took together and the status of the whole payment, so that a part refunded while another is still
 * paid reads PARTIALLY_REFUNDED (the order is not revoked), and only every part refunded reads REFUNDED or
 * REVERSED. Each part's refunds are listed with the order's refunds either way.
 */
export function paymentCapture(captures: readonly Capture[]): Capture | undefined {
  const paid = captures.filter((c) => !NO_MONEY.has(c.status));
  const first = paid[0] ?? captures[0];
  if (paid.length <= 1 || !first) return first;
  const allBack = paid.every((c) => MONEY_BACK.has(c.status));
  const someBack = paid.some((c) => MONEY_BACK.has(c.status) || c.status === 'PARTIALLY_REFUNDED');
  const total = addAmounts(paid.map((c) => c.amount));
  return { ...first, status: !allBack && someBack ? 'PARTIALLY_REFUNDED' : first.status, amount: total ?? first.amount };
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
