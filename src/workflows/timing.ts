/** Durations that shape an order's life. Passed in the workflow input so a run keeps the values it started with. */
export interface OrderTiming {
  /** Retry policy of the merchant's service update (exponential backoff). */
  serviceUpdate: { initialIntervalMs: number; maxIntervalMs: number; maxAttempts: number };
  /** Gaps between reconciliation polls while the order waits on PayPal; the last gap repeats. */
  pollScheduleMs: number[];
  /** An order nobody paid for is closed as cancelled after this long. */
  awaitingPaymentDeadlineMs: number;
  /** A capture PayPal keeps pending for longer than this goes to review. */
  paymentPendingDeadlineMs: number;
  /** Gap between re-attempts of a service update that exhausted its retry policy. */
  pendingServiceUpdateIntervalMs: number;
  /** After this long without a successful re-attempt, the order goes to review. */
  pendingServiceUpdateDeadlineMs: number;
  /** How long a refund seen at PayPal waits for its own webhook (refund or reversal?) before it is reported. */
  refundAnnouncementGraceMs?: number;
  /**
   * A PayPal or service-update attempt that sends no heartbeat for this long is retried: its worker is gone
   * (SIGKILL, OOM, a lost node). Without it (runs started before it existed) only the start-to-close timeout,
   * 1-2 minutes, finds such an attempt. Attempts heartbeat only while they run longer than a quarter of it.
   */
  activityHeartbeatTimeoutMs?: number;
  /** How long an ended order (cancelled, refunded, revoked) keeps absorbing late events before its workflow completes. */
  watchAfterCloseMs: number;
  /** How long a fulfilled order keeps watching for refunds and reversals before the workflow completes. */
  watchAfterFulfilmentMs: number;
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** Production defaults. */
export const DEFAULT_TIMING: OrderTiming = {
  serviceUpdate: { initialIntervalMs: 5 * S, maxIntervalMs: 10 * M, maxAttempts: 8 },
  pollScheduleMs: [1 * M, 5 * M, 15 * M, 1 * H, 6 * H, 1 * D],
  awaitingPaymentDeadlineMs: 3 * D,
  paymentPendingDeadlineMs: 30 * D,
  pendingServiceUpdateIntervalMs: 1 * H,
  pendingServiceUpdateDeadlineMs: 3 * D,
  watchAfterFulfilmentMs: 180 * D,
  watchAfterCloseMs: 30 * D,
  refundAnnouncementGraceMs: 2 * M,
  activityHeartbeatTimeoutMs: 20 * S,
};

/** Parses `500ms`, `30s`, `5m`, `2h`, `3d` (or plain milliseconds). */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { ms: 1, s: S, m: M, h: H, d: D }[(m[2] ?? 'ms') as 'ms'];
  return n * unit;
}
