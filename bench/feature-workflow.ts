// The minimal workflow's shape (bench/minimal-workflow.ts: two no-op activities in turn) with the Temporal-level
// features of a real order switched on one by one, for bench/features.ts. Bundled on its own; never part of
// src/workflows. Deterministic code only.
import { defineSignal, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { MerchantReference, OrderAmount, OrderCurrency, OrderStateKey, PayPalCaptureId } from '../src/workflows/search-attributes';
import { DEFAULT_TIMING } from '../src/workflows/timing';

/** The hint signal, same name as the order workflow's (PayPal's second webhook). */
export const featureHintSignal = defineSignal<[unknown]>('paypalEvent');

/** Which of a real order's Temporal features a run has (search attributes at start are set by the client). */
export interface FeatureSwitches {
  /** The activity `captureOrder` signals its own run once, as PayPal's PAYMENT.CAPTURE.COMPLETED reaches a real order. */
  signal: boolean;
  /** After the second activity, upsert what a fulfilled order upserts (state, capture ID, amount, reference). */
  upsert: boolean;
  /** After that, stay open on a 180-day timer (the refund watch) instead of completing. */
  watch: boolean;
  /** The activities carry a real order's heartbeat timeout (ACTIVITY_HEARTBEAT_TIMEOUT's default), as a real order's do. */
  heartbeatTimeout?: boolean;
}

/** Calls `captureOrder` then `updateService` (no-ops), then ends the way `features` says. */
export async function featureWorkflow(orderId: string, features: FeatureSwitches): Promise<void> {
  setHandler(featureHintSignal, () => {});
  const activities = proxyActivities<{ captureOrder(signalOwnRun: boolean): Promise<void>; updateService(): Promise<void> }>({
    startToCloseTimeout: '1 minute',
    ...(features.heartbeatTimeout ? { heartbeatTimeout: DEFAULT_TIMING.activityHeartbeatTimeoutMs } : {}),
  });
  await activities.captureOrder(features.signal);
  await activities.updateService();
  if (features.upsert) {
    upsertSearchAttributes([
      { key: OrderAmount, value: 25 },
      { key: OrderCurrency, value: 'USD' },
      { key: OrderStateKey, value: 'fulfilled' },
      { key: PayPalCaptureId, value: `CAPTURE-${orderId}` },
      { key: MerchantReference, value: 'bench' },
    ]);
  }
  if (features.watch) await sleep('180 days');
}
