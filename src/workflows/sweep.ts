import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import type { SweepRequest, SweepSummary, SweepWindow } from '../activities/sweep';

/** Input of one sweep run (set by the schedule's action, see src/temporal/schedules.ts). */
export interface WebhookSweepInput {
  /** How far back the window reaches from the run's start. Longer than the schedule interval, so windows overlap. */
  lookbackMs: number;
  /** How long the run waits before sweeping its window again when capture lookups failed (default 30 s). */
  resweepAfterMs?: number;
}

/** Default wait before a run sweeps its window again for events whose capture lookup failed. */
const RESWEEP_AFTER_MS = 30_000;

/** What a sweep run did, with the window it covered. */
export type WebhookSweepResult = SweepSummary & SweepWindow;

/**
 * One webhook sweep: lists the events PayPal generated from `lookback` before the run started until the listing
 * starts, and routes each to its order's workflow as the webhook intake would, so orders whose webhooks never
 * arrived (and that nobody registered) are still fulfilled. Started by a Temporal Schedule (overlap SKIP). The
 * window's start comes from workflow time (deterministic); its end is the activity's (see SweepRequest), so a run
 * that waited behind a backlog leaves no gap before the next run's window. While capture lookups fail, the run
 * sweeps its window again (the result is the last pass's).
 */
export async function webhookSweepWorkflow(input: WebhookSweepInput): Promise<WebhookSweepResult> {
  if (!Number.isFinite(input.lookbackMs) || input.lookbackMs <= 0) {
    // Fails the run (visible in the schedule's recent actions) instead of failing workflow tasks forever.
    throw ApplicationFailure.nonRetryable(`lookbackMs must be a positive number of milliseconds, got ${String(input.lookbackMs)}`, 'InvalidSweepInput');
  }
  const { sweepWebhookEvents } = proxyActivities<OrderActivities>({
    // One attempt lists every page of the window. It heartbeats every 10 s (and records its progress per page), so
    // an attempt that is gone (worker killed, result lost while Temporal was down) is retried within 30 s; until
    // then the schedule skips the sweeps due (a chaos run waited out a 3-minute timeout here).
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '30 seconds',
    // Retried until it lists (bounded by the schedule's 1-hour execution timeout; a refused listing is not retried).
    // While it retries the schedule skips the runs due, and its window reaches from its own start minus the
    // lookback to when the listing finally runs, so nothing since is left unswept. A run that gave up early left
    // a gap once later windows started past its start (a chaos run: six attempts failed in 5 minutes of overload).
    retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  const request: SweepRequest = { startTime: new Date(Date.now() - input.lookbackMs).toISOString() }; // workflow time: replays see the same value
  let result = await sweepWebhookEvents(request);
  // A refund or reversal whose capture PayPal could not look up is not recorded yet, and the next scheduled run's
  // window may already start after it (this run retried for longer than the lookback: a chaos run lost a reversal
  // so). So the run sweeps its own window again, from the same start to now, until every lookup succeeded or its
  // execution timeout ends it; the router's memory makes the events already handled cost nothing.
  while (result.failed > 0) {
    await sleep(input.resweepAfterMs ?? RESWEEP_AFTER_MS);
    result = await sweepWebhookEvents(request);
  }
  return result;
}
