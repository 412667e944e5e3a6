// What reaches an order workflow from outside (a support decision, an activity's failure) turned into what the
// state machine takes. Workflow code: no I/O, no Node built-ins.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { FAILURE_TYPES } from './failure-types';
import { decisionRefusal } from './decision-requests';
import type { DecisionInput } from './messages';
import type { MachineInput, OrderData, ReviewDecision, ReviewDecisionKind } from './order-machine';

/** A support decision as the machine records it. */
export function decision(kind: ReviewDecisionKind, d: DecisionInput): ReviewDecision {
  return { decision: kind, actor: d.actor.trim(), reason: d.reason.trim(), at: nowIso(), ...(d.requestId === undefined ? {} : { requestId: d.requestId }) };
}

/** Synchronous update validator: rejecting here writes nothing to history and answers the caller at once. */
export function validateDecision(kind: ReviewDecisionKind, d: DecisionInput, data: OrderData): void {
  const refusal = decisionRefusal(kind, d, data);
  if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type, { state: data.state });
}

/** The machine input for a PayPal activity that failed for good. */
export function paypalFailure(err: unknown): MachineInput {
  if (failureType(err) === FAILURE_TYPES.paypalOrderNotFound) return { type: 'order_not_found', message: failureMessage(err) };
  return { type: 'capture_failed', message: failureMessage(err) };
}

/** An activity whose schedule-to-close timeout ended it (or stopped its retries). */
export function gaveUpAtDeadline(err: unknown): boolean {
  return err instanceof ActivityFailure && (err.retryState === 'TIMEOUT' || err.cause instanceof TimeoutFailure);
}

/** The `ApplicationFailure` type an activity failed with, if any. */
export function failureType(err: unknown): string | undefined {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? (err.cause.type ?? undefined) : undefined;
}

/** The activity's own message rather than the SDK's "Activity task failed" wrapper. */
export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** The workflow's clock (deterministic in workflow code) as the ISO timestamp the machine takes. */
export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
