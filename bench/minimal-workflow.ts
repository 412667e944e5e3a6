// The Temporal limit for an order's shape: a workflow that only calls, one after another, the activities a real
// order calls (names counted from a real order history by bench/e2e.ts), with no-op activities. Bundled on its own
// (bundleWorkflowCode with this file as workflowsPath); never part of src/workflows. Deterministic code only.
import { defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

/** The hint signal, same name as the order workflow's (PayPal's second webhook, see signalDuring). */
export const minimalHintSignal = defineSignal<[unknown]>('paypalEvent');

/**
 * Started like a real order by its approval webhook: a plain start with the event in its input (`_firstEvent`,
 * unused). Calls each named (no-op) activity in turn, then completes. The activity named `signalDuring` (if any)
 * is asked to signal this run once before it returns, as PayPal's PAYMENT.CAPTURE.COMPLETED webhook signals a real
 * order while its capture completes.
 */
export async function minimalOrderWorkflow(activityNames: string[], signalDuring?: string, _firstEvent?: unknown): Promise<number> {
  setHandler(minimalHintSignal, () => {});
  const activities = proxyActivities<Record<string, (signalOwnRun: boolean) => Promise<void>>>({ startToCloseTimeout: '1 minute' });
  for (const name of activityNames) await activities[name]!(name === signalDuring);
  return activityNames.length;
}
