import type { FaultsInput } from '../src/simulator';

/** One thing the chaos engine does to the system at a point of the run. */
export interface TimedFault {
  /** Milliseconds after the first order. */
  atMs: number;
  kind: 'webhooks' | 'paypal_api' | 'merchant_down' | 'merchant_up' | 'kill_worker' | 'temporal_stop' | 'clear';
  /** Webhook or API faults to set (kinds `webhooks`, `paypal_api`). */
  faults?: FaultsInput;
  label: string;
}

/** Rotating webhook delivery faults: duplicates, reordering, delays, drops and answered-but-"failed" deliveries. */
const WEBHOOK_PRESETS: { label: string; webhooks: NonNullable<FaultsInput['webhooks']> }[] = [
  { label: 'webhooks ×6 concurrent copies', webhooks: { duplicates: 6 } },
  { label: 'webhooks reordered in batches of 8, ×2 copies', webhooks: { reverseNext: 8, duplicates: 2 } },
  { label: 'webhooks delayed 4 s, ×3 copies', webhooks: { delayMs: 4000, duplicates: 3 } },
  { label: 'next 15 webhooks never delivered', webhooks: { dropNext: 15 } },
  { label: 'next 20 attempts sent but answer ignored (redelivered)', webhooks: { failNext: 20, failMode: 'send', duplicates: 2 } },
  { label: 'next 20 attempts fail unsent, then retried', webhooks: { failNext: 20, failMode: 'skip' } },
  { label: 'webhooks ×12 concurrent copies, delayed 1 s', webhooks: { duplicates: 12, delayMs: 1000 } },
];

/** Rotating PayPal API faults: 5xx, 429, lost capture responses, slowness. */
const API_PRESETS: { label: string; api: NonNullable<FaultsInput['api']> }[] = [
  { label: 'PayPal: next 10 calls 500', api: [{ failNext: 10, status: 500 }] },
  { label: 'PayPal: next 10 calls 429', api: [{ failNext: 10, status: 429 }] },
  { label: 'PayPal: next 5 captures succeed but answer 500 (lost response)', api: [{ pathPrefix: '/v2/checkout/orders', method: 'POST', failNext: 5, status: 500, when: 'after' }] },
  { label: 'PayPal: every call +700 ms', api: [{ latencyMs: 700 }] },
  { label: 'PayPal: order reads +1.5 s and next 5 fail 500', api: [{ pathPrefix: '/v2/checkout/orders', method: 'GET', latencyMs: 1500, failNext: 5, status: 500 }] },
  { label: 'PayPal: healthy', api: [] },
];

/** Shape of the fault timeline. */
export interface FaultPlanOptions {
  /** How long orders keep arriving (faults are injected over this span). */
  activeMs: number;
  /** Gap between fault rotations. */
  phaseMs: number;
  workerKills: number;
  temporalRestart: boolean;
  merchantDownMs: number;
  random: () => number;
}

/**
 * The run's fault timeline over the arrival phase: webhook and API faults rotate every `phaseMs`, the merchant's
 * service goes fully down once (at 60 %), Temporal is stopped once (at 55 %; the engine restarts it on the same
 * SQLite file), and the worker is SIGKILLed `workerKills` times spread over the phase. Everything is cleared at
 * the end of the phase so the system can converge.
 */
export function planFaults(opts: FaultPlanOptions): TimedFault[] {
  const plan: TimedFault[] = [];
  for (let at = 0, i = 0; at < opts.activeMs; at += opts.phaseMs, i++) {
    const w = WEBHOOK_PRESETS[Math.floor(opts.random() * WEBHOOK_PRESETS.length)]!;
    const a = API_PRESETS[i % API_PRESETS.length]!;
    plan.push({ atMs: at, kind: 'webhooks', faults: { webhooks: w.webhooks }, label: w.label });
    plan.push({ atMs: at, kind: 'paypal_api', faults: { api: a.api }, label: a.label });
  }
  if (opts.merchantDownMs > 0) {
    const down = Math.round(opts.activeMs * 0.6);
    plan.push({ atMs: down, kind: 'merchant_down', label: `merchant service fully down for ${Math.round(opts.merchantDownMs / 1000)} s` });
    plan.push({ atMs: down + opts.merchantDownMs, kind: 'merchant_up', label: 'merchant service back' });
  }
  if (opts.temporalRestart) plan.push({ atMs: Math.round(opts.activeMs * 0.55), kind: 'temporal_stop', label: 'Temporal dev server stopped (restart follows)' });
  for (let k = 0; k < opts.workerKills; k++) {
    // Spread over the phase, avoiding the exact moment of the Temporal restart.
    const at = Math.round(opts.activeMs * ((k + 0.5) / opts.workerKills) * 0.95 + opts.random() * opts.phaseMs * 0.5);
    plan.push({ atMs: at, kind: 'kill_worker', label: `worker SIGKILL #${k + 1}` });
  }
  plan.push({ atMs: opts.activeMs, kind: 'clear', label: 'all faults cleared; waiting for convergence' });
  return plan.sort((x, y) => x.atMs - y.atMs);
}
