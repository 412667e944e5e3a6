// The switches that tell one order workflow type's behaviour from another's (src/workflows/order.ts): a run keeps
// the behaviour it started with, so its history replays.
import { CURRENT_MACHINE_OPTIONS, type MachineOptions } from './order-machine';

/**
 * Behaviour that changed while orders were running. A run keeps the behaviour it started with, so its history
 * replays; every switch is on for orderWorkflowV4.
 */
export interface OrderBehaviour extends MachineOptions {
  /** Ended orders stay open to absorb late events (see mayTurnOutPaid) instead of completing at once. */
  watchEndedOrders: () => boolean;
  /** Upsert only the search attributes that changed; the client set the initial ones at start. */
  upsertChangesOnly: boolean;
  /**
   * Skip condition() when work is already waiting: with a timeout it builds a timer, a race and a cancellation
   * scope (~25 promises per order, each formatted by the SDK's stack-trace hook) for a timer that is dropped
   * unsent. The dropped timer still took a timer ID, and IDs are in the history, so older runs keep taking it.
   */
  checkWorkBeforeWaiting: boolean;
  /**
   * Publish `fulfilling` only once the service update's first attempt did not succeed: the first attempt runs on
   * its own, and the rest of the retry policy (after the policy's first backoff) only if it fails. A happy order
   * goes from `capturing` to `fulfilled` with one upsert; an order whose merchant is failing shows `fulfilling`
   * from the first failure on, as before.
   */
  publishFulfillingOnFailure: boolean;
  /**
   * A wait's timer outlives the inputs that leave its end where it was, instead of being cancelled and started
   * again (a billable action each time): PayPal's capture webhook arriving after fulfilment, as it usually does,
   * leaves the refund watch's timer running. So that such inputs do not move a poll either, polls are timed from
   * the order's last poll, read or state change, not from its last input.
   */
  keepTimersAcrossInputs: boolean;
  /**
   * A decision signalled without a request ID (Temporal UI, `temporal workflow signal`) is judged when the loop
   * takes it, as the admin API's are, not in its handler on arrival: what a handler sees depends on how the SDK
   * groups a task's events, which can differ between a worker and its replay (docs/decisions.md). The loop calls
   * the function (orderWorkflowV4: a patch) on every such decision it takes; where it says no (a run recorded
   * before the patch) a decision the order's state refused on arrival is dropped, as then. `false`: judged in the
   * handler on arrival (the earlier types, whose loop would start a new timer for a dropped decision).
   */
  judgeUnrequestedDecisionsWhenTaken: false | (() => boolean);
}

/** Every switch on: orderWorkflowV4's behaviour. */
export const CURRENT_BEHAVIOUR: OrderBehaviour = {
  ...CURRENT_MACHINE_OPTIONS,
  upsertChangesOnly: true,
  checkWorkBeforeWaiting: true,
  watchEndedOrders: () => true,
  publishFulfillingOnFailure: true,
  keepTimersAcrossInputs: true,
  judgeUnrequestedDecisionsWhenTaken: () => true,
};
