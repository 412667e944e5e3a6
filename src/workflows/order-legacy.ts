// The order workflow types that clients started before orderWorkflowV4, kept registered and unchanged for the
// orders still running on them (each fixes its behaviour switches, so its histories replay). Each is deleted once
// `WorkflowType = "<type>" AND ExecutionStatus = "Running"` finds nothing.
import { patched } from '@temporalio/workflow';
import type { OrderStatusView } from './messages';
import { CURRENT_BEHAVIOUR } from './order-behaviour';
import { runOrder, type OrderWorkflowInput } from './order';

/**
 * The type clients started before orderWorkflowV4 (which keeps a wait's timer across inputs that leave its end
 * unchanged), kept registered for its running orders. Delete it once
 * `WorkflowType = "orderWorkflowV3" AND ExecutionStatus = "Running"` finds nothing.
 */
export async function orderWorkflowV3(input: OrderWorkflowInput): Promise<OrderStatusView> {
  // Runs that reached these paths before the switches behaved as before; only the rare orders that reach them
  // record a patch (and its search-attribute upsert), so these stay patches rather than a new workflow type.
  return runOrder(input, {
    ...CURRENT_BEHAVIOUR,
    keepTimersAcrossInputs: false,
    refundGraceWhileUpdatePending: () => patched('refund-grace-while-update-pending'),
    retryRefundNoticesWhileUpdatePending: () => patched('refund-notices-retried-while-update-pending'),
    // One patch for both: the hint and the poll of a pending capture changed together.
    pollPendingCaptureByRetries: () => patched('pending-capture-polled-by-retries'),
    skipKnownPendingHints: () => patched('pending-capture-polled-by-retries'),
    pollAwaitingPaymentByRetries: false,
    checkAmountBeforeCapture: false,
    reviewMultiUnitOrders: false,
    judgeUnrequestedDecisionsWhenTaken: false,
  });
}

/**
 * The type clients started before orderWorkflowV3 (which publishes `fulfilling` only when the service update's
 * first attempt fails), kept registered and unchanged for its running orders. Delete it once
 * `WorkflowType = "orderWorkflowV2" AND ExecutionStatus = "Running"` finds nothing.
 */
export async function orderWorkflowV2(input: OrderWorkflowInput): Promise<OrderStatusView> {
  return runOrder(input, {
    ...CURRENT_BEHAVIOUR,
    keepTimersAcrossInputs: false,
    publishFulfillingOnFailure: false,
    refundGraceWhileUpdatePending: false,
    retryRefundNoticesWhileUpdatePending: false,
    pollPendingCaptureByRetries: false,
    skipKnownPendingHints: false,
    pollAwaitingPaymentByRetries: false,
    checkAmountBeforeCapture: false,
    reviewMultiUnitOrders: false,
    judgeUnrequestedDecisionsWhenTaken: false,
  });
}

/**
 * The order workflow type started before orderWorkflowV2, kept registered and unchanged for the runs that still
 * use it: its later behaviour is gated by patched() markers. A new type instead of more patches, because every
 * patch costs each new run a marker and a `TemporalChangeVersion` search-attribute upsert (a billable action).
 * Delete it once `WorkflowType = "orderWorkflow" AND ExecutionStatus = "Running"` finds nothing.
 */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderStatusView> {
  return runOrder(input, {
    // Runs started before the refund announcement grace keep reporting refunds at once.
    refundAnnouncementGrace: patched('refund-announcement-grace'),
    skipKnownCaptureHints: false,
    retryRefundNotices: false,
    captureOnApprovalHint: false,
    noticeRefundsOfAttemptedUpdates: false,
    refundGraceWhileUpdatePending: false,
    retryRefundNoticesWhileUpdatePending: false,
    pollPendingCaptureByRetries: false,
    skipKnownPendingHints: false,
    pollAwaitingPaymentByRetries: false,
    checkAmountBeforeCapture: false,
    reviewMultiUnitOrders: false,
    upsertChangesOnly: false,
    checkWorkBeforeWaiting: false,
    keepTimersAcrossInputs: false,
    // Runs started before this change complete as soon as they end.
    watchEndedOrders: () => patched('ended-orders-watch-late-events'),
    publishFulfillingOnFailure: false,
    judgeUnrequestedDecisionsWhenTaken: false,
  });
}
