import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { PayPalApiError, type PayPalClient } from '../paypal/client';
import { webhookEventSchema } from '../paypal/events';
import type { EventRouter, RouteResult } from '../routing/event-router';
import { heartbeatWhile } from './heartbeat';

/** The time window of one sweep, RFC 3339 (PayPal's `start_time` / `end_time`, both inclusive). */
export interface SweepWindow {
  startTime: string;
  endTime: string;
}

/**
 * What a sweep run asks for: where its window starts, and optionally where it ends. Without an end, the window
 * ends when the listing starts, so a sweep that waited in a busy task queue still reaches the present: the
 * schedule skips runs while one is pending, and a window that ended when the run began would leave the wait
 * unswept once the next run's window starts later than that.
 */
export type SweepRequest = Pick<SweepWindow, 'startTime'> & Partial<Pick<SweepWindow, 'endTime'>>;

/** What one sweep did. `failed` counts events whose capture PayPal could not look up: the run sweeps its window again. */
export interface SweepSummary {
  /** Events PayPal listed in the window (every type, delivered or not). */
  listed: number;
  /** Handed to their order's workflow (new ones start it; ones it already saw count as duplicates there). */
  delivered: number;
  /** Recorded before through this process (its webhook, or an earlier sweep): accepted without Temporal. */
  alreadyRecorded: number;
  /**
   * Not handed over: the order's run already shows what they say (a fulfilled order's approval and capture,
   * orderAlreadyReflects), read from its search attributes with a describe, which is not a billable action.
   */
  alreadyReflected: number;
  /** Unhandled types, events about no order we can find, or malformed entries. */
  ignored: number;
  /** Refund/reversal events whose capture could not be looked up at PayPal this time. */
  failed: number;
  pages: number;
}

/** Failure type of a sweep attempt that Temporal could not record events for (retried by the activity policy). */
export const SWEEP_TEMPORAL_UNAVAILABLE = 'TemporalUnavailable';
/** Failure type when PayPal refuses the listing itself (bad window, missing scope): retrying will not help. */
export const SWEEP_LISTING_REJECTED = 'PayPalListingRejected';

/** Events per page; PayPal's default is 10, the simulator (and PayPal) accept up to 300. */
const PAGE_SIZE = 100;
/** Events routed at once: enough to hide round trips, few enough not to burst the Temporal frontend. */
const CONCURRENCY = 8;
/** Guard against a listing whose `next` links never end. */
const MAX_PAGES = 10_000;
/**
 * A running attempt heartbeats this often, whatever it is waiting for, so the workflow's short heartbeat timeout
 * finds an attempt that is gone (its worker killed, or its result lost while Temporal was down) within seconds,
 * instead of the schedule skipping every sweep until a long timeout.
 */
const ALIVE_EVERY_MS = 10_000;

/** What one attempt of the sweep carries from page to page. */
interface SweepAttempt {
  ctx: Context;
  summary: SweepSummary;
  /** A page may repeat an event at a boundary (and a resumed page repeats a few); one hand-off per event is enough. */
  routed: Set<string>;
  /** Where a retry would resume, sent with every heartbeat (the keep-alive ones too); updated at page boundaries. */
  progress?: SweepProgress;
}

/** Heartbeat details: where a retried attempt resumes (the page not yet finished), the counts so far, and the window's end. */
interface SweepProgress {
  next: string;
  summary: SweepSummary;
  endTime?: string;
}

/** What the sweep needs: PayPal's listing and the router the webhook intake uses too. */
export interface SweepDeps {
  paypal: Pick<PayPalClient, 'listWebhookEvents' | 'nextWebhookEventsPage'>;
  router: EventRouter;
  /** How often a running attempt heartbeats (tests shorten it). */
  aliveEveryMs?: number;
}

/**
 * The webhook sweep's activity. Missing webhooks are caught by asking PayPal what it generated: every event in the
 * window, delivered or not, is routed exactly as the intake would (same OrdersClient.deliverEvent, keyed by the
 * PayPal event ID), so the order workflow drops the ones it already has and re-sweeping is harmless. Events this
 * process recorded, and those a fulfilled order already reflects, are not handed over again (each would be a
 * signal, a history event and a workflow task for nothing).
 */
export function createSweepActivities(deps: SweepDeps) {
  return {
    /**
     * Pages through `GET /v1/notifications/webhooks-events` for the window by following `links[rel=next]` (PayPal's
     * listing is cursor-paged), routes each event, heartbeats once per page. Temporal unavailable → throws so the
     * activity is retried, resuming at the unfinished page; PayPal unavailable for one capture lookup → counted as
     * failed; the sweep workflow then sweeps the same window again.
     */
    async sweepWebhookEvents(request: SweepRequest): Promise<SweepSummary & SweepWindow> {
      const ctx = Context.current();
      const resumed = asProgress(ctx.info.heartbeatDetails);
      const attemptStart = new Date().toISOString();
      const attempt: SweepAttempt = {
        ctx,
        summary: { listed: 0, delivered: 0, alreadyRecorded: 0, alreadyReflected: 0, ignored: 0, failed: 0, pages: 0, ...resumed?.summary },
        routed: new Set<string>(),
        progress: resumed,
      };
      // Listed in parts: the first ends where the request says, where an earlier attempt's listing ended, or now.
      let part: SweepWindow = { startTime: request.startTime, endTime: request.endTime ?? resumed?.endTime ?? attemptStart };
      let cursor = resumed?.next;
      await heartbeatWhile(async () => {
        for (;;) {
          const complete = await listPart(attempt, part, cursor);
          // A resumed attempt finished the listing an earlier one began; what PayPal generated since is listed
          // too, so a sweep that retried for long still reaches the present and leaves no gap before the next window.
          if (!complete || request.endTime !== undefined || part.endTime >= attemptStart) break;
          part = { startTime: part.endTime, endTime: attemptStart };
          cursor = undefined;
        }
      }, { everyMs: deps.aliveEveryMs ?? ALIVE_EVERY_MS, details: () => attempt.progress });
      const window: SweepWindow = { startTime: request.startTime, endTime: part.endTime };
      ctx.log.info('webhook sweep finished', { ...window, ...attempt.summary });
      return { ...window, ...attempt.summary };
    },
  };

  /**
   * Lists one part of the window page by page (from `cursor` when resuming), routing every event and heartbeating
   * between pages. False when it stopped at the page limit.
   */
  async function listPart(attempt: SweepAttempt, part: SweepWindow, cursor: string | undefined): Promise<boolean> {
    const { ctx, summary } = attempt;
    let page = await listing(() => (cursor ? deps.paypal.nextWebhookEventsPage(cursor) : deps.paypal.listWebhookEvents({ ...part, pageSize: PAGE_SIZE })));
    for (;;) {
      summary.pages++;
      summary.listed += page.events.length;
      for (let i = 0; i < page.events.length; i += CONCURRENCY) {
        const results = await Promise.all(page.events.slice(i, i + CONCURRENCY).map((listed) => routeOne(listed, attempt.routed)));
        for (const result of results) count(summary, result, ctx);
        const down = results.find((r) => r?.outcome === 'temporal_unavailable');
        if (down?.outcome === 'temporal_unavailable') {
          throw ApplicationFailure.retryable(`Temporal did not record an event for order ${down.orderId}: ${String(down.error)}`, SWEEP_TEMPORAL_UNAVAILABLE);
        }
      }
      const next = page.links?.find((l) => l.rel === 'next')?.href;
      if (!next || next === cursor) return true;
      if (summary.pages >= MAX_PAGES) {
        ctx.log.warn('webhook sweep stopped at the page limit; the rest of the window is left to the next sweep', { pages: summary.pages });
        return false;
      }
      cursor = next;
      // Progress is recorded only between pages: a retry redoes at most one page (harmless, deduped by event ID).
      attempt.progress = { next, summary: { ...summary }, endTime: part.endTime }; // a copy: details may be encoded later
      ctx.heartbeat(attempt.progress);
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('webhook sweep cancelled');
      page = await listing(() => deps.paypal.nextWebhookEventsPage(next));
    }
  }

  async function routeOne(listed: { id: string }, routed: Set<string>): Promise<RouteResult | undefined> {
    if (routed.has(listed.id)) return undefined;
    routed.add(listed.id);
    const parsed = webhookEventSchema.safeParse(listed);
    if (!parsed.success) return { outcome: 'ignored', kind: 'unroutable', reason: 'listed event is not a valid webhook event' };
    return deps.router.route(parsed.data, { unlessReflected: true });
  }
}

function count(summary: SweepSummary, result: RouteResult | undefined, ctx: Context): void {
  switch (result?.outcome) {
    case undefined:
      return;
    case 'accepted':
      if (result.alreadyRecorded) summary.alreadyRecorded++;
      else if (result.alreadyReflected) summary.alreadyReflected++;
      else summary.delivered++;
      return;
    case 'ignored':
      summary.ignored++;
      // Unhandled types are routine (the listing has every type); events about no known order deserve a look.
      if (result.kind === 'unroutable') ctx.log.warn('swept event not routable', { reason: result.reason });
      return;
    case 'paypal_unavailable':
      summary.failed++;
      ctx.log.warn('swept event: capture lookup failed; the run sweeps its window again', { captureId: result.captureId, error: String(result.error) });
      return;
    case 'temporal_unavailable':
      return; // thrown by the caller
  }
}

/** Runs a listing call; PayPal's permanent refusals become non-retryable failures, the rest is retried. */
async function listing<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof PayPalApiError) {
      const details = { status: err.status, issue: err.issue, debugId: err.debugId };
      if (!err.retryable) throw ApplicationFailure.nonRetryable(err.message, SWEEP_LISTING_REJECTED, details);
      throw ApplicationFailure.retryable(err.message, 'PayPalApiError', details);
    }
    throw err;
  }
}

function asProgress(details: unknown): SweepProgress | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as Partial<SweepProgress>;
  if (typeof d.next !== 'string' || typeof d.summary !== 'object' || d.summary === null) return undefined;
  return { next: d.next, summary: d.summary, ...(typeof d.endTime === 'string' ? { endTime: d.endTime } : {}) };
}
