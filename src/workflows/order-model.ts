/**
 * The vocabulary of an order: its states, data, inputs, commands and the predicates over them (what PayPal says of
 * it, in payment-truth.ts). Pure data and functions, no I/O; the rules that move an order live in order-machine.ts.
 */

import type { Amount, PaymentTruth } from './payment-truth';

export * from './payment-truth';

/** Where an order stands. `fulfilled` keeps watching for refunds; the other terminal states are final. */
export type OrderState =
  | 'awaiting_payment' // order exists at PayPal, buyer has not paid (or we have not seen it yet)
  | 'capturing' // approved; we are capturing it
  | 'payment_pending' // capture exists but PayPal has not settled it (eCheck, review, ...)
  | 'fulfilling' // paid; the merchant's service update is running
  | 'pending_service_update' // paid, but the service update exhausted its retries; re-attempted on a schedule
  | 'needs_review' // a human must decide (approve / retry / reject)
  | 'fulfilled' // service update done
  | 'cancelled' // never paid: declined, voided, approval reversed, rejected by support
  | 'refunded' // refunded or reversed before fulfilment; nothing to deliver
  | 'revoked'; // refunded or reversed after fulfilment; merchant told

/** States after which nothing more happens to the order. */
export const FINAL_STATES: readonly OrderState[] = ['cancelled', 'refunded', 'revoked'];

/** Every reason an order waits for a human (the README's review-reason table says what support does with each). */
export const REVIEW_REASON_CODES = [
  'service_update_failed',
  'capture_failed',
  'order_not_found',
  'amount_mismatch',
  'partial_refund_before_fulfilment',
  'payment_pending_too_long',
  'refund_notification_failed',
  'paid_after_cancellation',
  'multiple_purchase_units',
] as const;

/** Why an order waits for a human. */
export type ReviewReasonCode = (typeof REVIEW_REASON_CODES)[number];

/** Support's decision on an order in review. */
export type ReviewDecisionKind = 'approve' | 'retry' | 'reject';

/** A recorded support decision. */
export interface ReviewDecision {
  decision: ReviewDecisionKind;
  actor: string;
  reason: string;
  at: string;
  /** The request that carried it (the admin API's; absent for signals sent from the Temporal UI). */
  requestId?: string;
}

/** Everything the machine reacts to. */
export type MachineInput =
  | {
      type: 'webhooks_received';
      eventTypes: string[];
      reversedRefundIds?: string[];
      refundedRefundIds?: string[];
      /** Resource IDs of the PAYMENT.CAPTURE.COMPLETED hints among `eventTypes`. */
      completedCaptureIds?: string[];
      /** Resource IDs of the PAYMENT.CAPTURE.PENDING hints among `eventTypes`. */
      pendingCaptureIds?: string[];
    }
  | { type: 'refund_announcement_overdue' }
  | { type: 'poll_due' }
  | { type: 'deadline_passed' }
  | { type: 'truth'; truth: PaymentTruth }
  | { type: 'capture_failed'; message: string }
  | { type: 'order_not_found'; message: string }
  | { type: 'service_update_succeeded' }
  | { type: 'service_update_failed'; message: string; permanent: boolean }
  | { type: 'refund_notified'; refundId: string }
  | { type: 'refund_notification_failed'; refundId: string; message: string; permanent?: boolean }
  | { type: 'decision'; decision: ReviewDecision };

/** Side effects the workflow must perform, in order. */
export type Command =
  | { type: 'verify_payment' }
  /**
   * Poll PayPal until the pending capture settles, as one activity whose retry policy spaces the reads
   * (pollPendingCaptureByRetries); interrupted by any webhook or decision, and given up at the order's deadline.
   */
  | { type: 'await_capture_settled' }
  /**
   * Poll PayPal until the order's payment status moves (pollAwaitingPaymentByRetries), as one activity retried on
   * the poll schedule like await_capture_settled; interrupted by any webhook or decision, given up at the deadline.
   */
  | { type: 'await_payment_change' }
  /**
   * Capture the order. With `expectedAmount` (an order registered with an amount, checkAmountBeforeCapture), only
   * if PayPal's order is for that amount: otherwise the activity returns the order uncaptured, as it stands.
   */
  | { type: 'capture_order'; expectedAmount?: Amount }
  | { type: 'update_service'; override: boolean }
  | { type: 'notify_refund'; refundId: string; amount?: Amount; kind: 'order.refunded' | 'order.reversed' }
  | { type: 'alert_review'; code: ReviewReasonCode; message: string };

/** The order's complete business state; JSON-serialisable (it crosses continue-as-new and queries). */
export interface OrderData {
  orderId: string;
  state: OrderState;
  /** When the order entered `state`; reconciliation deadlines count from here. */
  stateSince: string;
  autoCapture: boolean;
  /** Set when the merchant registered the order with the amount they expect. */
  expectedAmount?: Amount;
  /**
   * The amount support accepted with `approve` when the buyer approved another amount than `expectedAmount`
   * (checkAmountBeforeCapture): captured and checked instead of it. `expectedAmount` keeps what was registered.
   */
  acceptedAmount?: Amount;
  truth?: PaymentTruth;
  review?: { code: ReviewReasonCode; message: string; since: string; from: OrderState };
  decisions: ReviewDecision[];
  serviceUpdate: { done: boolean; lastError?: string; override: boolean };
  /** Refund IDs the merchant has been told about (or support chose to skip). */
  refundsNotified: string[];
  /** Refunds PayPal announced as PAYMENT.CAPTURE.REVERSED (chargebacks): reported as `order.reversed`. */
  reversedRefundIds: string[];
  /** Refunds PayPal announced as PAYMENT.CAPTURE.REFUNDED. */
  refundedRefundIds?: string[];
  /** Refunds seen at PayPal before their webhook said whether they are refunds or reversals: id → since. */
  refundsAwaitingAnnouncement?: Record<string, string>;
  /** Refund notices whose retry policy ran out while the merchant failed (retryRefundNotices): id → first failure. */
  refundNoticesFailing?: Record<string, string>;
  lastError?: string;
  timeline: { at: string; state: OrderState; note: string }[];
}

/** Result of one transition. */
export interface Transition {
  data: OrderData;
  commands: Command[];
}

/** A fresh order, before anything is known. */
export function newOrder(orderId: string, opts: { autoCapture: boolean; expectedAmount?: Amount; now: string }): OrderData {
  return {
    orderId,
    state: 'awaiting_payment',
    stateSince: opts.now,
    autoCapture: opts.autoCapture,
    expectedAmount: opts.expectedAmount,
    decisions: [],
    serviceUpdate: { done: false, override: false },
    refundsNotified: [],
    reversedRefundIds: [],
    timeline: [{ at: opts.now, state: 'awaiting_payment', note: 'order workflow started' }],
  };
}

/** True when the order can no longer change. */
export function isFinal(state: OrderState): boolean {
  return FINAL_STATES.includes(state);
}

/** States in which the order waits on PayPal and reconciliation polls it. */
export function isWaitingForPayPal(state: OrderState): boolean {
  return state === 'awaiting_payment' || state === 'capturing' || state === 'payment_pending';
}

/**
 * A cancelled order that PayPal (not support) ended: declined, voided, or unpaid at the deadline. A capture that
 * completes later anyway (a late buyer, an eCheck) must reach a human rather than be ignored.
 */
export function mayTurnOutPaid(data: Pick<OrderData, 'state' | 'decisions'>): boolean {
  return data.state === 'cancelled' && data.decisions.at(-1)?.decision !== 'reject';
}

/** States with a reconciliation timer: waiting on PayPal, or re-attempting an exhausted service update. */
export function hasReconciliationTimer(state: OrderState): boolean {
  return isWaitingForPayPal(state) || state === 'pending_service_update';
}

/** The states in which support may decide, per decision. Kept here so validators and the machine agree. */
export function decisionAllowed(data: Pick<OrderData, 'state' | 'review'>, decision: ReviewDecisionKind): boolean {
  if (data.state === 'needs_review') return !(decision === 'approve' && data.review?.code === 'refund_notification_failed');
  return decision !== 'approve' && (data.state === 'payment_pending' || data.state === 'pending_service_update');
}

/**
 * Behaviour switches. Each order workflow type fixes them for its runs (src/workflows/order.ts), so a run replays
 * with the behaviour it started with.
 */
export interface MachineOptions {
  /**
   * Wait for a refund's own webhook before telling the merchant, so a chargeback is reported as `order.reversed`
   * whichever webhook arrives first; the workflow feeds `refund_announcement_overdue` when the grace is over.
   */
  refundAnnouncementGrace?: boolean;
  /**
   * A fulfilled order whose capture PayPal already confirmed COMPLETED does not re-read PayPal for a
   * PAYMENT.CAPTURE.COMPLETED hint about that same capture: the hint says what the workflow already holds (it is
   * PayPal's webhook for the capture the workflow made itself), so the read would cost an activity and learn
   * nothing. Refunds and reversals have their own events, which are still verified.
   */
  skipKnownCaptureHints?: boolean;
  /**
   * A refund notice that exhausted its retry policy on a retryable failure (merchant down) keeps the order
   * `fulfilled` and is re-attempted on the pending-service-update schedule (`poll_due`), going to review only at
   * that schedule's deadline (`deadline_passed`), as an `order.paid` update does. Without it, review at once.
   */
  retryRefundNotices?: boolean;
  /**
   * An auto-capture order awaiting payment captures at once on a CHECKOUT.ORDER.APPROVED hint instead of reading
   * the order first and capturing in a second activity: PayPal captures only an approved order, and the capture
   * activity reads and returns anything else as it stands, so the webhook body is still never trusted. Saves an
   * activity and a workflow task per order.
   */
  captureOnApprovalHint?: boolean;
  /**
   * A capture refunded or reversed while the service update is being re-attempted (`pending_service_update`):
   * the merchant may have applied `order.paid` already (an attempt that timed out may have reached them), so they
   * are told about each refund, as after fulfilment, before the order ends as `refunded`. Without it, the order
   * ends as `refunded` and the merchant hears nothing.
   */
  noticeRefundsOfAttemptedUpdates?: boolean;
  /**
   * With noticeRefundsOfAttemptedUpdates: a refund PayPal shows while the service update is being re-attempted
   * waits for its own webhook as after fulfilment (refundAnnouncementGrace), so a chargeback read from PayPal
   * before PAYMENT.CAPTURE.REVERSED arrives is reported as `order.reversed`, not `order.refunded` (found by
   * `npm run chaos`). A function may gate it: the machine asks only when an unannounced refund would otherwise be
   * reported now, so orderWorkflowV3 gates it with patched() (V4 has it on) and only the orders that reach this
   * path record the patch.
   */
  refundGraceWhileUpdatePending?: boolean | (() => boolean);
  /**
   * With noticeRefundsOfAttemptedUpdates: a refund notice that exhausts its retry policy on a retryable failure
   * (merchant down) while the service update is being re-attempted keeps the order in `pending_service_update`;
   * each of its polls reads PayPal and sends the notice again, and its deadline sends the order to review
   * (`refund_notification_failed`). After fulfilment, retryRefundNotices does the same. Without it, review at once
   * (found by `npm run chaos`). A function may gate it, asked only on that failure.
   */
  retryRefundNoticesWhileUpdatePending?: boolean | (() => boolean);
  /**
   * A capture PayPal keeps PENDING is polled by one activity that PayPal's answer "still pending" fails, so
   * Temporal's retries space the reads on the poll schedule (`await_capture_settled`): one billable action and no
   * history events per poll, where a timer and a `verify_payment` activity cost two actions and ~11 events. A
   * function may gate it, asked only when a pending capture's poll is due, so orderWorkflowV3 gates it with
   * patched() (V4 has it on) and only orders with a pending capture record the patch.
   */
  pollPendingCaptureByRetries?: boolean | (() => boolean);
  /**
   * A `payment_pending` order does not re-read PayPal for a PAYMENT.CAPTURE.PENDING hint about the capture it
   * holds as PENDING: PayPal sends it for the capture the workflow just read as pending, so the read would cost an
   * activity and learn nothing (the polls and PAYMENT.CAPTURE.COMPLETED or .DENIED carry the news). A function may
   * gate it, asked only for such a hint; orderWorkflowV3 gates it with the same patch as
   * pollPendingCaptureByRetries (V4 has both on).
   */
  skipKnownPendingHints?: boolean | (() => boolean);
  /**
   * An `awaiting_payment` order (a registered order its buyer has not approved, an approved order waiting for the
   * merchant to capture) polls PayPal with one activity that fails while the order's payment status is the one
   * it holds (`await_payment_change`), so Temporal's retries space the reads, as for a pending capture (an order
   * that has read nothing yet reads with `verify_payment`: it has no status to compare). A function
   * may gate it, asked only when such a poll is due: orderWorkflowV4 gates it with patched(), so only orders that
   * poll while awaiting payment record the patch.
   */
  pollAwaitingPaymentByRetries?: boolean | (() => boolean);
  /**
   * An order registered with an amount is captured only for that amount: the capture command carries it (the
   * activity reads the order first and leaves another amount uncaptured), and an approved, uncaptured order whose
   * amount differs goes to review (`amount_mismatch`, not captured) instead of being captured and reviewed after.
   * Support's `approve` then captures the amount the buyer approved. Off: captured first, checked after (the buyer
   * is charged, and support refunds before `reject`). A function may gate the review: it is asked only when such
   * an order would otherwise be captured; orderWorkflowV4 gates it with patched(), so runs that captured a
   * different amount before the change replay.
   */
  checkAmountBeforeCapture?: boolean | (() => boolean);
  /**
   * An order PayPal shows with several purchase units (a multi-seller payment) goes to review
   * (`multiple_purchase_units`) once PayPal has captured it, instead of being fulfilled on its first unit's capture
   * alone. It is captured as usual first, so the buyer's approval does not lapse while support looks. A function
   * may gate it, asked only for such an order: orderWorkflowV4 gates it with patched().
   */
  reviewMultiUnitOrders?: boolean | (() => boolean);
}

/** Every switch on: the machine options of orderWorkflowV4 (the type clients start), and the client's preview. */
export const CURRENT_MACHINE_OPTIONS: Readonly<Required<MachineOptions>> = {
  refundAnnouncementGrace: true,
  skipKnownCaptureHints: true,
  retryRefundNotices: true,
  captureOnApprovalHint: true,
  noticeRefundsOfAttemptedUpdates: true,
  refundGraceWhileUpdatePending: true,
  retryRefundNoticesWhileUpdatePending: true,
  pollPendingCaptureByRetries: true,
  skipKnownPendingHints: true,
  pollAwaitingPaymentByRetries: true,
  checkAmountBeforeCapture: true,
  reviewMultiUnitOrders: true,
};

/** A webhook hint as the machine reads it: the event type and the event's resource ID. */
export interface WebhookHint {
  eventType: string;
  resourceId?: string;
}

/** The machine input for webhook hints received together (in arrival order). */
export function webhooksReceived(hints: readonly WebhookHint[]): MachineInput {
  const resourcesOf = (type: string) => hints.filter((h) => h.eventType === type && h.resourceId).map((h) => h.resourceId!);
  return {
    type: 'webhooks_received',
    eventTypes: hints.map((h) => h.eventType),
    reversedRefundIds: resourcesOf('PAYMENT.CAPTURE.REVERSED'),
    refundedRefundIds: resourcesOf('PAYMENT.CAPTURE.REFUNDED'),
    completedCaptureIds: resourcesOf('PAYMENT.CAPTURE.COMPLETED'),
    pendingCaptureIds: resourcesOf('PAYMENT.CAPTURE.PENDING'),
  };
}
