/**
 * The business rules of one PayPal order, as a pure state machine: inputs in, next state and commands out.
 * No I/O, no Temporal APIs: the workflow (order.ts) executes the commands and feeds their results back.
 *
 * Principles (each one a bug other PayPal integrations have shipped):
 * - A webhook is only a hint. Only PayPal's answer to a direct API read (`truth`) moves money states.
 * - Unknown statuses are "not settled", never "paid".
 * - Once fulfilled, a late or replayed "completed" changes nothing; only a refund/reversal is news.
 */

import {
  amountToCapture,
  decisionAllowed,
  formatAmount,
  hasReconciliationTimer,
  hasSeveralPurchaseUnits,
  isFinal,
  mayTurnOutPaid,
  sameAmount,
  uncapturedAmountDiffers,
  type Command,
  type MachineInput,
  type MachineOptions,
  type OrderData,
  type OrderState,
  type PaymentTruth,
  type ReviewDecision,
  type ReviewReasonCode,
  type Transition,
  type WebhookHint,
} from './order-model';

export * from './order-model';

/**
 * True when every hint is `eventType` about the capture the order holds with `status` already (a
 * PAYMENT.CAPTURE.COMPLETED for a fulfilled order's completed capture, a PAYMENT.CAPTURE.PENDING for a pending
 * order's pending one): PayPal's webhook for what the workflow has just read itself.
 */
function repeatsHeldCapture(data: OrderData, hints: { eventTypes: string[]; ids?: string[] }, eventType: string, status: string): boolean {
  const held = data.truth?.capture;
  const ids = hints.ids ?? [];
  return held?.status === status && hints.eventTypes.length > 0 && ids.length === hints.eventTypes.length
    && hints.eventTypes.every((type) => type === eventType) && ids.every((id) => id === held.id);
}

/** Webhook types that can only tell an order what its fulfilment already says (see orderAlreadyReflects). */
export const PRE_FULFILMENT_EVENT_TYPES: readonly string[] = ['CHECKOUT.ORDER.APPROVED', 'CHECKOUT.ORDER.COMPLETED', 'PAYMENT.CAPTURE.COMPLETED'];

/**
 * True when an order, as its run publishes it (state and capture search attributes), has nothing to learn from the
 * webhook: a fulfilled order is past its approval, its completion and the completion of the capture it holds. Only
 * a refund or a reversal is news to it, and PayPal sends each as an event of its own. The webhook sweep asks this
 * before it re-offers an event that another process may have recorded already.
 */
export function orderAlreadyReflects(order: { state?: string; captureId?: string }, hint: WebhookHint): boolean {
  if (order.state !== 'fulfilled' || !PRE_FULFILMENT_EVENT_TYPES.includes(hint.eventType)) return false;
  return hint.eventType !== 'PAYMENT.CAPTURE.COMPLETED' || (hint.resourceId !== undefined && hint.resourceId === order.captureId);
}

/** Applies one input; `now` is an ISO timestamp supplied by the caller (the machine reads no clock). */
export function transition(data: OrderData, input: MachineInput, now: string, options: MachineOptions = {}): Transition {
  // Final means final, whatever arrives late, with one exception: an order PayPal ended (declined, voided, never
  // paid) is still asked about new hints, because a paid order must never be lost.
  if (isFinal(data.state) && !(mayTurnOutPaid(data) && (input.type === 'webhooks_received' || input.type === 'truth'))) return { data, commands: [] };
  const t = new Step(data, now, options);
  switch (input.type) {
    case 'webhooks_received':
      // PayPal's resources do not tell a reversal from a refund; only the event type does, per refund ID.
      if (input.reversedRefundIds?.length) t.patch({ reversedRefundIds: [...new Set([...t.data.reversedRefundIds, ...input.reversedRefundIds])] });
      if (input.refundedRefundIds?.length) t.patch({ refundedRefundIds: [...new Set([...(t.data.refundedRefundIds ?? []), ...input.refundedRefundIds])] });
      // Any hint means "look again", even for a fulfilled order (it may have been refunded since), unless it only
      // confirms the capture the order already holds as completed.
      if (t.options.skipKnownCaptureHints && data.state === 'fulfilled'
        && repeatsHeldCapture(data, { eventTypes: input.eventTypes, ids: input.completedCaptureIds }, 'PAYMENT.CAPTURE.COMPLETED', 'COMPLETED')) break;
      if (data.state === 'payment_pending' && repeatsHeldCapture(data, { eventTypes: input.eventTypes, ids: input.pendingCaptureIds }, 'PAYMENT.CAPTURE.PENDING', 'PENDING')
        && switchOn(t.options.skipKnownPendingHints)) break;
      if (t.options.captureOnApprovalHint && data.state === 'awaiting_payment' && data.autoCapture && input.eventTypes.includes('CHECKOUT.ORDER.APPROVED')) {
        captureApproved(t, 'PayPal reports the order approved; capturing (PayPal captures only an approved order)');
        break;
      }
      t.command({ type: 'verify_payment' });
      break;
    case 'refund_announcement_overdue':
      // No webhook said "reversal" in time: report the waiting refunds as plain refunds.
      if (data.state === 'fulfilled' || data.state === 'pending_service_update') notifyNewRefunds(t, data.truth, true);
      break;
    case 'poll_due':
      // Reconciliation: webhooks can be lost, so waiting states ask PayPal themselves from time to time; an
      // exhausted service update re-checks PayPal first (a refund may have made it moot), then tries again. An
      // order that has read nothing yet (a registered order's first read) reads plainly: it has nothing to compare.
      if (data.state === 'payment_pending' && switchOn(t.options.pollPendingCaptureByRetries)) t.command({ type: 'await_capture_settled' });
      else if (data.state === 'awaiting_payment' && data.truth && switchOn(t.options.pollAwaitingPaymentByRetries)) t.command({ type: 'await_payment_change' });
      else if (hasReconciliationTimer(data.state)) t.command({ type: 'verify_payment' });
      else if (data.state === 'fulfilled') notifyNewRefunds(t, data.truth, true, Object.keys(data.refundNoticesFailing ?? {}));
      break;
    case 'deadline_passed':
      if (data.state === 'awaiting_payment') t.moveTo('cancelled', 'no payment before the deadline');
      else if (data.state === 'payment_pending') t.review('payment_pending_too_long', 'PayPal did not settle the pending capture before the deadline');
      else if ((data.state === 'fulfilled' || data.state === 'pending_service_update') && data.refundNoticesFailing) {
        // Refund notices being re-attempted (retryRefundNotices, retryRefundNoticesWhileUpdatePending) still fail.
        const ids = Object.keys(data.refundNoticesFailing).join(', ');
        t.patch({ refundNoticesFailing: undefined });
        t.review('refund_notification_failed', `telling the merchant about refund ${ids} still failing: ${data.lastError ?? 'unknown error'}`);
      }
      else if (data.state === 'pending_service_update') t.review('service_update_failed', `service update still failing: ${data.lastError ?? 'unknown error'}`);
      break;
    case 'truth':
      t.patch({ truth: input.truth, lastError: undefined });
      onTruth(t, input.truth);
      break;
    case 'capture_failed':
      t.review('capture_failed', input.message);
      break;
    case 'order_not_found':
      t.review('order_not_found', input.message);
      break;
    case 'service_update_succeeded':
      t.patch({ serviceUpdate: { ...t.data.serviceUpdate, done: true, lastError: undefined } });
      t.moveTo('fulfilled', t.data.serviceUpdate.override ? 'service updated (support override)' : 'service updated');
      break;
    case 'service_update_failed':
      t.patch({ serviceUpdate: { ...t.data.serviceUpdate, lastError: input.message }, lastError: input.message });
      // A 4xx means the merchant's service refuses this update: retrying later will not help, a human must look.
      if (input.permanent || t.data.serviceUpdate.override) t.review('service_update_failed', input.message);
      else t.moveTo('pending_service_update', `service update failed, will re-attempt: ${input.message}`);
      break;
    case 'refund_notified': {
      const { [input.refundId]: _done, ...stillWaiting } = t.data.refundsAwaitingAnnouncement ?? {};
      const { [input.refundId]: _failed, ...stillFailing } = t.data.refundNoticesFailing ?? {};
      t.patch({
        refundsNotified: [...t.data.refundsNotified, input.refundId],
        refundsAwaitingAnnouncement: stillWaiting,
        refundNoticesFailing: Object.keys(stillFailing).length > 0 ? stillFailing : undefined,
      });
      revokeIfFullyRefunded(t);
      if (t.options.noticeRefundsOfAttemptedUpdates && t.data.state === 'pending_service_update' && unreportedRefunds(t.data).length === 0) {
        t.moveTo('refunded', `capture ${t.data.truth?.capture?.id ?? ''} refunded before the service update was confirmed; merchant told about the refund`);
      }
      break;
    }
    case 'refund_notification_failed':
      t.patch({ lastError: input.message });
      // A merchant that is down is asked again: after fulfilment on the pending-service-update schedule; while the
      // update is re-attempted, by the next poll, which reads PayPal and sends the notice again (onTruth).
      if (!input.permanent && ((t.data.state === 'fulfilled' && t.options.retryRefundNotices)
        || (t.data.state === 'pending_service_update' && switchOn(t.options.retryRefundNoticesWhileUpdatePending)))) {
        const failing = t.data.refundNoticesFailing ?? {};
        t.patch({ refundNoticesFailing: { ...failing, [input.refundId]: failing[input.refundId] ?? t.now } });
        break;
      }
      t.review('refund_notification_failed', `telling the merchant about refund ${input.refundId} failed: ${input.message}`);
      break;
    case 'decision':
      onDecision(t, input.decision);
      break;
  }
  return { data: t.data, commands: t.commands };
}

function onTruth(t: Step, truth: PaymentTruth): void {
  const { state } = t.data;
  const capture = truth.capture;
  if (state === 'fulfilled') {
    // A replayed "completed" never fulfils twice; only refunds and reversals are news after fulfilment.
    notifyNewRefunds(t, truth, false);
    if (t.commands.length === 0 && !awaitingAnnouncement(t.data)) revokeIfFullyRefunded(t);
    return;
  }
  if (state === 'cancelled') {
    // Only reachable when PayPal ended the order (mayTurnOutPaid): money arriving afterwards needs a human.
    if (capture?.status === 'COMPLETED') t.review('paid_after_cancellation', `capture ${capture.id} completed after the order was cancelled`);
    return;
  }
  if (isFinal(state) || state === 'fulfilling') return;
  if (state === 'needs_review') return; // a human owns it now; they will approve or retry with fresh truth
  if (state === 'pending_service_update') {
    if (capture?.status === 'COMPLETED') t.command({ type: 'update_service', override: false });
    else if (capture && (capture.status === 'REFUNDED' || capture.status === 'REVERSED')) {
      if (t.options.noticeRefundsOfAttemptedUpdates) notifyNewRefunds(t, truth, () => !switchOn(t.options.refundGraceWhileUpdatePending));
      // Refunds waiting for their webhook keep the order here until they are reported (refund_notified).
      if (t.commands.length === 0 && !awaitingAnnouncement(t.data)) t.moveTo('refunded', `capture ${capture.id} refunded before the service update succeeded`);
    }
    else t.review('service_update_failed', `PayPal no longer reports the capture as completed (${capture?.status ?? truth.orderStatus})`);
    return;
  }
  // A multi-seller payment is one payment per unit: captured like any order (below), then left to support rather
  // than fulfilled, cancelled or refunded on what its first unit alone says.
  if (hasSeveralPurchaseUnits(truth) && (capture || truth.orderStatus === 'COMPLETED') && switchOn(t.options.reviewMultiUnitOrders)) {
    const paid = capture ? `${capture.amount ? `${formatAmount(capture.amount)} in all, ` : ''}payment ${capture.status}, first capture ${capture.id}` : 'no capture listed';
    t.review('multiple_purchase_units', `PayPal's order has ${truth.purchaseUnits} purchase units (a multi-seller payment), captured at PayPal (${paid}). Only orders of one unit are fulfilled automatically`);
    return;
  }

  if (capture) {
    switch (capture.status) {
      case 'COMPLETED': {
        const expected = amountToCapture(t.data);
        if (expected && !sameAmount(expected, capture.amount)) {
          t.review('amount_mismatch', `expected ${formatAmount(expected)}, PayPal captured ${capture.amount ? formatAmount(capture.amount) : 'an unknown amount'}`);
          return;
        }
        t.moveTo('fulfilling', `capture ${capture.id} completed`);
        // An override when support approved capturing an amount the merchant had not registered.
        t.command({ type: 'update_service', override: t.data.serviceUpdate.override });
        return;
      }
      case 'PENDING':
        t.moveTo('payment_pending', `capture ${capture.id} pending${capture.reason ? ` (${capture.reason})` : ''}`);
        return;
      case 'DECLINED':
      case 'FAILED':
        t.moveTo('cancelled', `capture ${capture.id} ${capture.status.toLowerCase()}`);
        return;
      case 'REFUNDED':
      case 'REVERSED':
        t.moveTo('refunded', `capture ${capture.id} ${capture.status.toLowerCase()} before fulfilment`);
        return;
      case 'PARTIALLY_REFUNDED':
        t.review('partial_refund_before_fulfilment', `capture ${capture.id} was partially refunded before fulfilment`);
        return;
      default:
        t.moveTo('payment_pending', `capture ${capture.id} has unknown status ${capture.status}; treated as not settled`);
        return;
    }
  }
  if (truth.authorization && ['VOIDED', 'EXPIRED', 'DENIED'].includes(truth.authorization.status)) {
    t.moveTo('cancelled', `authorization ${truth.authorization.id} ${truth.authorization.status.toLowerCase()}`);
    return;
  }
  if (truth.authorization?.status === 'CREATED' && t.data.autoCapture) {
    captureApproved(t, `authorization ${truth.authorization.id} created; capturing`, truth);
    return;
  }
  switch (truth.orderStatus) {
    case 'APPROVED':
      if (t.data.autoCapture) {
        captureApproved(t, 'order approved by buyer; capturing', truth);
      } else {
        t.moveTo('awaiting_payment', 'order approved; waiting for the merchant to capture');
      }
      return;
    case 'VOIDED':
      t.moveTo('cancelled', 'order voided at PayPal');
      return;
    default:
      // CREATED, SAVED, PAYER_ACTION_REQUIRED, COMPLETED without a capture, or a status we do not know yet.
      t.moveTo('awaiting_payment', `PayPal order status ${truth.orderStatus}`);
  }
}

function onDecision(t: Step, d: ReviewDecision): void {
  if (!decisionAllowed(t.data, d.decision)) return; // validators reject these first; signals may still race
  t.patch({ decisions: [...t.data.decisions, d] });
  const by = `${d.decision} by ${d.actor}: ${d.reason}`;
  switch (d.decision) {
    case 'approve':
      if (t.data.review?.code === 'amount_mismatch' && !t.data.truth?.capture) {
        // Left uncaptured (checkAmountBeforeCapture): support accepts the amount the buyer approved. Capture that
        // amount, and only that, then deliver it as an override, as every approval is.
        const approved = t.data.truth?.orderAmount;
        const registered = t.data.expectedAmount ? ` (registered ${formatAmount(t.data.expectedAmount)})` : '';
        t.patch({ review: undefined, acceptedAmount: approved, serviceUpdate: { ...t.data.serviceUpdate, override: true } });
        t.moveTo('capturing', `${by}; capturing the ${approved ? formatAmount(approved) : 'amount'} the buyer approved${registered}`);
        t.command(approved ? { type: 'capture_order', expectedAmount: approved } : { type: 'capture_order' });
        return;
      }
      t.patch({ review: undefined, serviceUpdate: { ...t.data.serviceUpdate, override: true } });
      t.moveTo('fulfilling', by);
      t.command({ type: 'update_service', override: true });
      return;
    case 'retry': {
      // Re-read the truth; resuming from the state before review lets the normal rules re-run the failed step.
      const from = t.data.review?.from ?? t.data.state;
      const refundNotice = t.data.review?.code === 'refund_notification_failed';
      t.patch({ review: undefined });
      if (refundNotice && from === 'pending_service_update') {
        // A refund notice for an order refunded before its update was confirmed: read PayPal, notify again.
        t.moveTo('pending_service_update', by);
        t.command({ type: 'verify_payment' });
      } else if (from === 'fulfilling' || from === 'pending_service_update') {
        t.moveTo('fulfilling', by);
        t.command({ type: 'update_service', override: t.data.serviceUpdate.override });
      } else {
        t.moveTo(from === 'fulfilled' ? 'fulfilled' : 'awaiting_payment', by);
        t.command({ type: 'verify_payment' });
      }
      return;
    }
    case 'reject':
      if (t.data.review?.code === 'refund_notification_failed') {
        // Support handles the refund with the merchant by hand: mark every known refund as dealt with.
        const from = t.data.review?.from;
        t.patch({ review: undefined, refundsNotified: (t.data.truth?.refunds ?? []).map((r) => r.id) });
        t.moveTo(from === 'pending_service_update' ? 'refunded' : 'fulfilled', by);
        revokeIfFullyRefunded(t);
        return;
      }
      t.patch({ review: undefined });
      t.moveTo('cancelled', by);
      return;
  }
}

/**
 * Tells the merchant about each completed refund not reported yet (or only those in `only`). With the announcement
 * grace on, a refund no webhook has classified yet waits (recorded in refundsAwaitingAnnouncement) unless `overdue`
 * (a function is asked only for such a refund).
 */
function notifyNewRefunds(t: Step, truth: PaymentTruth | undefined, overdue: boolean | (() => boolean), only?: string[]): void {
  for (const refund of truth?.refunds ?? []) {
    if (refund.status !== 'COMPLETED' || t.data.refundsNotified.includes(refund.id) || (only && !only.includes(refund.id))) continue;
    const reversed = t.data.reversedRefundIds.includes(refund.id);
    const announced = reversed || (t.data.refundedRefundIds ?? []).includes(refund.id);
    if (!announced && t.options.refundAnnouncementGrace && !switchOn(overdue)) {
      const waiting = t.data.refundsAwaitingAnnouncement ?? {};
      if (!waiting[refund.id]) t.patch({ refundsAwaitingAnnouncement: { ...waiting, [refund.id]: t.now } });
      continue;
    }
    t.command({ type: 'notify_refund', refundId: refund.id, amount: refund.amount, kind: reversed ? 'order.reversed' : 'order.refunded' });
  }
}

/**
 * Captures an auto-capture order that PayPal shows approved (or authorized). An order registered with an amount is
 * captured only for that amount (checkAmountBeforeCapture): the command carries it, so the activity leaves another
 * amount uncaptured, and an order `truth` shows for another amount goes to review instead. Without `truth` (a
 * capture on an approval webhook, nothing read) only the activity can check.
 */
function captureApproved(t: Step, note: string, truth?: PaymentTruth): void {
  const expected = amountToCapture(t.data);
  const check = t.options.checkAmountBeforeCapture;
  if (!expected || check === undefined || check === false) {
    t.moveTo('capturing', note);
    t.command({ type: 'capture_order' });
    return;
  }
  if (truth && uncapturedAmountDiffers(expected, truth) && switchOn(check)) {
    const approved = truth.orderAmount ? formatAmount(truth.orderAmount) : 'an unknown amount';
    t.review('amount_mismatch', `expected ${formatAmount(expected)}, the buyer approved ${approved}; not captured`);
    return;
  }
  t.moveTo('capturing', note);
  t.command({ type: 'capture_order', expectedAmount: expected });
}

/** A boolean, or a function asked only where it decides (e.g. a patched() gate around a behaviour switch). */
function switchOn(option: boolean | (() => boolean) | undefined): boolean {
  return typeof option === 'function' ? option() : option === true;
}

/** True while a refund waits for the webhook that says refund or reversal. */
function awaitingAnnouncement(data: OrderData): boolean {
  return Object.keys(data.refundsAwaitingAnnouncement ?? {}).length > 0;
}

/** Refunds PayPal completed that the merchant has not been told about (nor support chose to skip). */
function unreportedRefunds(data: OrderData): NonNullable<PaymentTruth['refunds']> {
  return (data.truth?.refunds ?? []).filter((r) => r.status === 'COMPLETED' && !data.refundsNotified.includes(r.id));
}

/** A fulfilled order whose capture is fully refunded and whose refunds were all reported is revoked. */
function revokeIfFullyRefunded(t: Step): void {
  const capture = t.data.truth?.capture;
  if (t.data.state !== 'fulfilled' || !capture || (capture.status !== 'REFUNDED' && capture.status !== 'REVERSED')) return;
  if (unreportedRefunds(t.data).length === 0) t.moveTo('revoked', `capture ${capture.id} fully refunded or reversed after fulfilment; merchant told`);
}

/** Accumulates one transition's changes. */
class Step {
  commands: Command[] = [];
  constructor(
    public data: OrderData,
    readonly now: string,
    readonly options: MachineOptions,
  ) {}

  patch(p: Partial<OrderData>): void {
    this.data = { ...this.data, ...p };
  }

  /** Changes state and records why. Staying in the same state records nothing (a repeated poll is not news). */
  moveTo(state: OrderState, note: string): void {
    if (state === this.data.state) return;
    this.data = { ...this.data, state, stateSince: this.now, timeline: [...this.data.timeline, { at: this.now, state, note }] };
  }

  review(code: ReviewReasonCode, message: string): void {
    if (this.data.state === 'needs_review') return;
    this.patch({ review: { code, message, since: this.now, from: this.data.state } });
    this.moveTo('needs_review', `${code}: ${message}`);
    this.command({ type: 'alert_review', code, message });
  }

  command(c: Command): void {
    this.commands.push(c);
  }
}
