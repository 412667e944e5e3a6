// Every order's history must replay with the code that wrote it. One that does not (TMPRL1100, nondeterminism)
// leaves its order stuck from its next event on, even while a worker's cache hides it: the final status query of a
// cached order does not replay, so this check reads what no query would.
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { installQuietSdkRuntime } from '../src/temporal/sdk-logger';
import { DISCARD_WORKFLOW_SPANS } from '../src/temporal/worker';

/** One run's history, under the order it belongs to. */
export interface OrderHistory {
  orderId: string;
  history: temporal.api.history.v1.IHistory;
}

/** Replays every history with the workflow bundle at `bundlePath`; returns the ones that fail, with the error. */
export async function unreplayableHistories(bundlePath: string, histories: readonly OrderHistory[]): Promise<{ orderId: string; error: string }[]> {
  // The replay worker needs the SDK runtime: a quiet one if this process has none yet (the failures are reported here).
  installQuietSdkRuntime((m) => console.warn(m));
  const failed: { orderId: string; error: string }[] = [];
  // Each run's history under `<orderId>#<index>`: an order's runs are told apart, and the order is the part before '#'.
  const items = histories.map((h, i) => ({ workflowId: `${h.orderId}#${i}`, history: h.history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath }, sinks: DISCARD_WORKFLOW_SPANS }, items)) {
    if (result.error) failed.push({ orderId: result.workflowId.replace(/#\d+$/, ''), error: briefly(result.error.message) });
  }
  return failed;
}

/** The SDK's own failure message (`[TMPRL1100] …`) out of the replay error's long wrapping, when it is there. */
function briefly(message: string): string {
  return /message: "([^"]+)"/.exec(message)?.[1] ?? message;
}
