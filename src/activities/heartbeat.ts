import { Context } from '@temporalio/activity';

/**
 * Runs `work` while the attempt heartbeats every `everyMs` (default: a quarter of the attempt's heartbeat timeout),
 * so that Temporal retries an attempt whose worker died (SIGKILL, OOM, a lost node) once that timeout passes, not
 * only when the much longer start-to-close timeout does. An attempt without a heartbeat timeout (runs started before
 * it existed) sends none, and neither does one that ends before the first interval: the usual case, which so costs
 * no heartbeat at all (each one that reaches the server is a billable action on Temporal Cloud).
 */
export async function heartbeatWhile<T>(work: () => Promise<T>, opts: { everyMs?: number; details?: () => unknown } = {}): Promise<T> {
  const ctx = Context.current();
  const everyMs = opts.everyMs ?? (ctx.info.heartbeatTimeoutMs ? ctx.info.heartbeatTimeoutMs / 4 : undefined);
  if (!everyMs) return work();
  const alive = setInterval(() => ctx.heartbeat(opts.details?.()), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(alive);
  }
}
