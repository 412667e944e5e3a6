// How long an order sleeps in each state, and what happens when the timer fires: reconciliation polls, deadlines,
// the refund watch after fulfilment, and the grace a refund gets to be announced by its own webhook.
import { hasReconciliationTimer, isFinal, type OrderData } from './order-machine';
import type { OrderTiming } from './timing';

/** A wait: how long (undefined: until an input arrives) and the input the timer feeds the machine when it fires. */
export interface NextWait {
  ms: number | undefined;
  then: 'poll_due' | 'deadline_passed' | 'watch_over' | 'refund_announcement_overdue';
}

/**
 * How long to sleep in the current state, and what happens when the timer fires. Reads the workflow's clock.
 * Polls are due a schedule gap after `pollFrom` (keepTimersAcrossInputs), or after now when it is not given.
 */
export function nextWait(data: OrderData, timing: OrderTiming, pollIndex: number, enteredAt: number, pollFrom?: number): NextWait {
  const now = Date.now();
  const pollOrDeadline = (deadlineAt: number, pollMs: number): NextWait => {
    const untilDeadline = deadlineAt - now;
    const untilPoll = Math.max(1, (pollFrom ?? now) + pollMs - now);
    return untilDeadline <= untilPoll ? { ms: Math.max(1, untilDeadline), then: 'deadline_passed' } : { ms: untilPoll, then: 'poll_due' };
  };
  if (data.state === 'fulfilled') {
    // Pending refund work (failed notices to re-attempt, refunds waiting for their webhook) comes first, earliest
    // timer wins; the refund watch ends only when none is left.
    const waits: NextWait[] = [];
    const failingSince = Object.values(data.refundNoticesFailing ?? {}).map((at) => Date.parse(at));
    if (failingSince.length > 0) waits.push(pollOrDeadline(Math.min(...failingSince) + timing.pendingServiceUpdateDeadlineMs, timing.pendingServiceUpdateIntervalMs));
    const announcement = announcementWait(data, timing, now);
    if (announcement) waits.push(announcement);
    if (waits.length === 0) return { ms: Math.max(1, enteredAt + timing.watchAfterFulfilmentMs - now), then: 'watch_over' };
    return earliest(waits);
  }
  if (isFinal(data.state)) return { ms: Math.max(1, enteredAt + (timing.watchAfterCloseMs ?? 0) - now), then: 'watch_over' };
  if (!hasReconciliationTimer(data.state)) return { ms: undefined, then: 'poll_due' }; // e.g. needs_review: wait for a human
  const schedule = data.state === 'pending_service_update' ? [timing.pendingServiceUpdateIntervalMs] : timing.pollScheduleMs;
  const poll = schedule[Math.min(pollIndex, schedule.length - 1)] ?? 60_000;
  const next = pollOrDeadline(enteredAt + stateDeadlineMs(data.state, timing), poll);
  // A refund read while the update is re-attempted may be waiting for its webhook (refundGraceWhileUpdatePending).
  const announcement = data.state === 'pending_service_update' ? announcementWait(data, timing, now) : undefined;
  return announcement ? earliest([next, announcement]) : next;
}

/** How long a state with reconciliation polls may last before its deadline (counted from entering it). */
export function stateDeadlineMs(state: OrderData['state'], timing: OrderTiming): number {
  if (state === 'payment_pending') return timing.paymentPendingDeadlineMs;
  if (state === 'pending_service_update') return timing.pendingServiceUpdateDeadlineMs;
  return timing.awaitingPaymentDeadlineMs;
}

/** When the grace for the earliest refund still waiting for its webhook is over, if one is waiting. */
function announcementWait(data: OrderData, timing: OrderTiming, now: number): NextWait | undefined {
  const waitingSince = Object.values(data.refundsAwaitingAnnouncement ?? {}).map((at) => Date.parse(at));
  if (waitingSince.length === 0) return undefined;
  const grace = timing.refundAnnouncementGraceMs ?? 120_000;
  return { ms: Math.max(1, Math.min(...waitingSince) + grace - now), then: 'refund_announcement_overdue' };
}

/** The wait that ends first. */
function earliest(waits: NextWait[]): NextWait {
  return waits.reduce((a, b) => ((b.ms ?? Infinity) < (a.ms ?? Infinity) ? b : a));
}

/**
 * The gaps between the reads of a poll that retries (pollPendingCaptureByRetries), after `pollsDone` polls: the
 * rest of the schedule, whose last gap repeats.
 */
export function retryGaps(schedule: readonly number[], pollsDone: number): number[] {
  if (schedule.length === 0) return [60_000];
  return schedule.slice(Math.min(pollsDone, schedule.length - 1));
}
