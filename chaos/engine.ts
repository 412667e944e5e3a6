import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { AdminApiClient } from '../src/cli/admin-client';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { metrics } from '../src/metrics';
import { startProduct, type RunningProduct } from '../src/runtime';
import { startSimulator, type RunningSimulator } from '../src/simulator';
import { quietSdkLogger } from '../src/temporal/sdk-logger';
import { workflowBundleOptions } from '../src/temporal/worker';
import { ORDER_WORKFLOW_TYPE_CLAUSE } from '../src/workflows/messages';
import { OrderStateKey, ReviewReason } from '../src/workflows/search-attributes';
import { planFaults, type TimedFault } from './faults';
import { ChaosMerchant } from './merchant';
import { RestartableTemporal, simulatorWorkerEnv, WorkerProcess } from './processes';
import { createOrder, EXPECTED, followUp, planOrders, seededRandom, type ChaosOrder, type DriverDeps } from './scenarios';
import { mapLimit, verifyRun, type OrderVisibility, type VerifyStats, type Violation } from './verify';

/** Scale, duration and fault settings of one chaos run (see chaos/run.ts for the env/flag names). */
export interface ChaosOptions {
  orders: number;
  /** Orders created per second. */
  ratePerSec: number;
  /** Hard bound of the whole run, setup and verification included. */
  maxMinutes: number;
  workerKills: number;
  temporalRestart: boolean;
  temporalDownMs: number;
  merchantDownMs: number;
  /** Gap between webhook/API fault rotations. */
  phaseMs: number;
  seed: number;
  sweepInterval: string;
  sweepLookback: string;
  /** Keep the scratch directory (Temporal SQLite, worker and API logs) after the run. */
  keepDir?: boolean;
  /** Progress output (one line per call). */
  log: (line: string) => void;
  progressEveryMs?: number;
}

/** What a run found. */
export interface ChaosReport {
  ok: boolean;
  converged: boolean;
  /**
   * From the end of the last fault step (every order created by then) until every order reached its final state:
   * how long the faults' aftermath held orders (retries, timeouts, sweeps). Undefined if the run did not converge.
   */
  settledAfterFaultsMs?: number;
  durationMs: number;
  options: Omit<ChaosOptions, 'log'>;
  violations: Violation[];
  stats: VerifyStats | undefined;
  scenarios: Record<string, number>;
  faultsApplied: { atMs: number; label: string }[];
  worker: { starts: number; kills: number; unexpectedExits: number; restartMs: number[] };
  /** When the Temporal dev server was down (epoch ms, from stop to ready again). */
  temporalDown: { from: number; to: number }[];
  merchant: Record<string, number>;
  /**
   * Event-loop delay of the chaos process (simulator, intake, admin API, merchant and driver), ms: when it is high,
   * every one of them answers late, which a delivery attempt sees as no answer.
   */
  eventLoopDelayMs: { p50: number; p99: number; max: number } | undefined;
  /** The intake's answers other than 2xx during the run, by reason (its paypal_webhook_failures_total counter). */
  intakeFailures: Record<string, number>;
  scratchDir: string;
}

/** The intake's failure counter in this process, by reason. */
async function intakeFailureCounts(): Promise<Record<string, number>> {
  const { values } = await metrics.webhookFailures.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.reason), v.value]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Runs the product under faults: an in-process simulator (PayPal), merchant service and API (intake + admin), a
 * worker as a separate OS process that is SIGKILLed and restarted, and a Temporal dev server on a SQLite file that
 * is stopped and restarted once. Orders arrive at `ratePerSec` while webhook, PayPal API and merchant faults
 * rotate; then faults stop, the run waits for every order to reach its scenario's final state (bounded by
 * `maxMinutes`) and checks every invariant (see verify.ts).
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const deadline = t0 + opts.maxMinutes * 60_000;
  const { log } = opts;
  const random = seededRandom(opts.seed);
  const dir = mkdtempSync(join(tmpdir(), 'ppf-chaos-'));
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s`;
  const say = (msg: string) => log(`[${elapsed()}] ${msg}`);
  const cleanups: (() => Promise<unknown>)[] = [];
  const report: ChaosReport = {
    ok: false, converged: false, durationMs: 0, options: { ...opts, log: undefined } as Omit<ChaosOptions, 'log'>,
    violations: [], stats: undefined, scenarios: {}, faultsApplied: [],
    worker: { starts: 0, kills: 0, unexpectedExits: 0, restartMs: [] }, temporalDown: [], merchant: {}, eventLoopDelayMs: undefined, intakeFailures: {}, scratchDir: dir,
  };
  delete (report.options as Partial<ChaosOptions>).log;
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  try {
    const temporal = new RestartableTemporal(join(dir, 'temporal.sqlite'));
    await temporal.start();
    cleanups.push(() => temporal.stop());
    say(`Temporal dev server at ${temporal.address} (SQLite ${join(dir, 'temporal.sqlite')})`);

    let bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
    if (!bundlePath) {
      const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quietSdkLogger((m) => console.error(m)) });
      bundlePath = join(dir, 'workflow-bundle.js');
      writeFileSync(bundlePath, code);
    }

    const merchant = await new ChaosMerchant('chaos-fulfillment-secret', seededRandom(opts.seed + 1)).start();
    cleanups.push(() => merchant.close());
    // PayPal redelivers for days; compressed here, but long enough to outlast a Temporal restart.
    const simulator: RunningSimulator = await startSimulator({ retryDelaysMs: [500, 1000, 2000, 4000, 8000, 15_000, 30_000, 30_000], logger: false });
    cleanups.push(() => simulator.close());

    const taskQueue = `chaos-${opts.seed}`;
    const adminToken = 'chaos-admin-token';
    const shared: Record<string, string> = {
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_RECORD_TIMEOUT_MS: '3000',
      ADMIN_TOKEN: adminToken,
      FULFILLMENT_URL: merchant.url,
      FULFILLMENT_SECRET: merchant.secret,
      FULFILLMENT_TIMEOUT_MS: '1500',
      FULFILLMENT_MAX_ATTEMPTS: '4',
      FULFILLMENT_INITIAL_INTERVAL_MS: '300',
      FULFILLMENT_MAX_INTERVAL_MS: '2000',
      RECONCILE_POLL_SCHEDULE: '5s,10s,20s',
      PENDING_SERVICE_UPDATE_INTERVAL: '4s',
      PENDING_SERVICE_UPDATE_DEADLINE: '15m',
      WEBHOOK_SWEEP_INTERVAL: opts.sweepInterval,
      WEBHOOK_SWEEP_LOOKBACK: opts.sweepLookback,
      TEMPORAL_SDK_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    };

    const failuresBefore = await intakeFailureCounts();
    // The API (intake + admin) runs in this process, on the simulator's certificate, like `npm start` does.
    const config = loadConfig({ ...shared, PORT: '0', HOST: '127.0.0.1', ADMIN_PORT: '0', PAYPAL_ENV: 'simulator' });
    const apiLog = createWriteStream(join(dir, 'api.log'));
    const product: RunningProduct = await startProduct({ config, logger: createLogger('warn', { role: 'api' }, apiLog), temporalAddress: temporal.address, role: 'api', simulator });
    cleanups.push(() => product.stop());

    const worker = new WorkerProcess(simulatorWorkerEnv(simulator, { temporalAddress: temporal.address, bundlePath, shared }), join(dir, 'worker.log'));
    cleanups.push(() => worker.stop());
    say(`worker process ready in ${await worker.start()} ms; intake ${product.publicUrl}, simulator ${simulator.url}, merchant ${merchant.url}`);

    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });

    const orders = planOrders(opts.orders, random);
    for (const o of orders) report.scenarios[o.kind] = (report.scenarios[o.kind] ?? 0) + 1;
    if (!product.adminUrl) throw new Error('the api role serves no admin API'); // it always does; narrows the type
    const adminApi = new AdminApiClient(product.adminUrl, adminToken);
    const deps: DriverDeps = {
      control: simulator.control,
      merchant,
      // Support acts through the same admin API client as `ppf`.
      admin: (path, body, headers) => adminApi.call(body === undefined ? 'GET' : 'POST', path, body, headers),
    };
    const activeMs = Math.max(10_000, (opts.orders / opts.ratePerSec) * 1000);
    const plan = planFaults({ activeMs, phaseMs: opts.phaseMs, workerKills: opts.workerKills, temporalRestart: opts.temporalRestart, merchantDownMs: opts.merchantDownMs, random });
    say(`${opts.orders} orders over ${(activeMs / 1000).toFixed(0)} s (${Object.entries(report.scenarios).map(([k, n]) => `${k} ${n}`).join(', ')}); ${plan.length} fault steps`);

    merchant.faults = { failRate: 0.15, slowRate: 0.03, slowMs: 2500, down: false };
    const start = Date.now();
    let stopping = false;
    let workerBusy = false; // true while we deliberately keep the worker down
    const states = new Map<string, OrderVisibility>();

    const producer = (async () => {
      const inflight = new Set<Promise<void>>();
      for (const o of orders) {
        await sleep(start + (o.index / opts.ratePerSec) * 1000 - Date.now());
        const p = createOrder(o, deps).catch((err: unknown) => void (o.driverError = String(err))).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= 32) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    })();

    const applyFault = async (f: TimedFault) => {
      report.faultsApplied.push({ atMs: Date.now() - start, label: f.label });
      if (f.kind !== 'webhooks' && f.kind !== 'paypal_api') say(f.label);
      switch (f.kind) {
        case 'webhooks':
        case 'paypal_api':
          await simulator.control.setFaults(f.faults!);
          return;
        case 'merchant_down':
          merchant.faults = { ...merchant.faults, down: true };
          return;
        case 'merchant_up':
          merchant.faults = { ...merchant.faults, down: false };
          return;
        case 'kill_worker': {
          workerBusy = true;
          await worker.kill();
          await sleep(500 + random() * 2000);
          const ms = await worker.start();
          report.worker.restartMs.push(ms);
          workerBusy = false;
          say(`worker restarted (ready in ${ms} ms)`);
          return;
        }
        case 'temporal_stop': {
          const from = Date.now();
          await temporal.stop();
          await sleep(opts.temporalDownMs);
          await temporal.start();
          report.temporalDown.push({ from, to: Date.now() });
          say(`Temporal dev server back after ${(opts.temporalDownMs / 1000).toFixed(0)} s down (same port, same SQLite file)`);
          return;
        }
        case 'clear':
          await simulator.control.clearFaults();
          // The merchant keeps failing intermittently a little longer: the fulfilment wave comes after arrivals.
          setTimeout(() => (merchant.faults = { failRate: 0, slowRate: 0, slowMs: 0, down: false }), 20_000).unref();
          return;
      }
    };
    const faulter = (async () => {
      const slow: Promise<void>[] = []; // kills and the Temporal restart run beside the timeline, not in its way
      let processStep = Promise.resolve();
      for (const f of plan) {
        await sleep(start + f.atMs - Date.now());
        if (stopping) break;
        const run = () => applyFault(f).catch((err: unknown) => say(`fault step "${f.label}" failed: ${String(err)}`));
        if (f.kind === 'kill_worker' || f.kind === 'temporal_stop') slow.push((processStep = processStep.then(run)));
        else await run();
      }
      await Promise.all(slow);
    })();

    // Background loops: the buyers' and support's follow-ups (approve, settle pending captures, chargebacks,
    // rejects); and apart from them, so that a slow pass of follow-ups (support's calls wait on a loaded server:
    // minutes on a slow VM) delays neither, a supervisor for the worker process and the visibility polling for
    // progress and convergence.
    const followUps = (async () => {
      while (!stopping) {
        await mapLimit(orders.filter((o) => !o.followUpDone && o.orderId), 8, (o) => followUp(o, deps).catch(() => undefined));
        await sleep(1000);
      }
    })();
    const watch = (async () => {
      let lastProgress = 0;
      while (!stopping) {
        if (!workerBusy && !worker.alive && !stopping) {
          say('worker process died on its own; restarting it');
          report.worker.restartMs.push(await worker.start().catch(() => -1));
        }
        await refreshStates(client, taskQueue, states).catch(() => undefined);
        if (Date.now() - lastProgress >= (opts.progressEveryMs ?? 5000)) {
          lastProgress = Date.now();
          say(progressLine(orders, states, worker, temporal.running, merchant));
        }
        await sleep(1000);
      }
    })();

    await producer;
    await faulter;
    const faultsOver = Date.now();
    // An order restarted after it closed (a known product bug, reported by verify) flips between states forever.
    const settled = (o: ChaosOrder) => o.orderId !== undefined && o.followUpDone && (matches(o, states.get(o.orderId)) || states.get(o.orderId)?.restartedAfter !== undefined);
    const converged = () => orders.every(settled);
    const verifyReserveMs = 20_000 + opts.orders * 70; // reading every order's history, then replaying it
    while (!converged() && Date.now() < deadline - verifyReserveMs) await sleep(1000);
    report.converged = converged();
    if (report.converged) report.settledAfterFaultsMs = Date.now() - faultsOver;
    say(report.converged ? 'every order reached its expected final state' : 'deadline reached before every order converged; verifying anyway');
    for (const o of orders.filter((x) => !settled(x)).slice(0, 20)) {
      const v = o.orderId ? states.get(o.orderId) : undefined;
      say(`  not converged: #${o.index} ${o.kind} ${o.orderId ?? '(not created)'} state ${v?.state ?? 'no workflow'} follow-up ${o.followUpDone ? 'done' : 'pending'}${o.driverError ? ` driver error ${o.driverError}` : ''}`);
    }
    // A little longer, so late duplicates and sweeps land before the delivery log is compared with the histories.
    await sleep(Math.min(8000, deadline - verifyReserveMs - Date.now()));
    stopping = true;
    await Promise.all([followUps, watch]);

    say('verifying: workflow histories (each replayed with the worker\'s bundle) vs. simulator delivery log vs. merchant requests');
    await refreshStates(client, taskQueue, states).catch(() => undefined);
    const { violations, stats } = await verifyRun({ client, control: simulator.control, merchant, orders, visibility: states, temporalDown: report.temporalDown, replayBundlePath: bundlePath });
    report.violations = violations;
    report.stats = stats;
    report.merchant = merchant.stats();
    for (const [reason, n] of Object.entries(await intakeFailureCounts())) {
      const during = n - (failuresBefore[reason] ?? 0);
      if (during > 0) report.intakeFailures[reason] = during;
    }
    report.worker = { ...report.worker, starts: worker.starts, kills: worker.kills, unexpectedExits: worker.unexpectedExits };
    report.ok = violations.length === 0;
    return report;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    report.durationMs = Date.now() - t0;
    loopDelay.disable();
    const ms = (ns: number) => Math.round(ns / 1e6);
    report.eventLoopDelayMs = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
    if (!opts.keepDir && report.ok) rmSync(dir, { recursive: true, force: true });
  }
}

function matches(o: ChaosOrder, seen: { state?: string; reason?: string } | undefined): boolean {
  const want = EXPECTED[o.kind];
  return (seen?.state === want.state || (want.orState !== undefined && seen?.state === want.orState)) && (!want.reviewReason || seen.reason === want.reviewReason);
}

/** Reads every order's state and review reason from Temporal visibility (search attributes). */
/**
 * Reads every order's state and review reason from Temporal visibility (search attributes of its newest run), and
 * notes orders whose workflow was started again after a run had closed (a new run forgets everything).
 */
async function refreshStates(client: Client, taskQueue: string, states: Map<string, OrderVisibility>): Promise<void> {
  const runs = new Map<string, { runId: string; start: number; status: string; state?: string; reason?: string }[]>();
  for await (const wf of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND ${ORDER_WORKFLOW_TYPE_CLAUSE}`, pageSize: 1000 })) {
    const orderId = wf.workflowId.replace(/^paypal-order-/, '');
    runs.set(orderId, [...(runs.get(orderId) ?? []), { runId: wf.runId, start: wf.startTime.getTime(), status: wf.status.name, state: wf.typedSearchAttributes.get(OrderStateKey), reason: wf.typedSearchAttributes.get(ReviewReason) }]);
  }
  for (const [orderId, list] of runs) {
    list.sort((a, b) => a.start - b.start);
    const latest = list[list.length - 1]!;
    const closed = list.slice(0, -1).filter((r) => r.status !== 'CONTINUED_AS_NEW');
    const restartedAfter = closed.length > 0 ? closed.map((r) => `${r.status} in state ${r.state ?? '?'}`).join(', ') : undefined;
    states.set(orderId, { state: latest.state, reason: latest.reason, runs: list.length, runIds: list.map((r) => r.runId), restartedAfter });
  }
}

function progressLine(orders: ChaosOrder[], states: Map<string, { state?: string }>, worker: WorkerProcess, temporalUp: boolean, merchant: ChaosMerchant): string {
  const created = orders.filter((o) => o.orderId).length;
  const counts: Record<string, number> = {};
  for (const o of orders) if (o.orderId) {
    const s = states.get(o.orderId)?.state ?? 'no_workflow_yet';
    counts[s] = (counts[s] ?? 0) + 1;
  }
  const ok = orders.filter((o) => o.orderId && matches(o, states.get(o.orderId))).length;
  const m = merchant.stats();
  return `orders ${created}/${orders.length} created, ${ok} at expected end · ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')} · ` +
    `worker ${worker.alive ? 'up' : 'DOWN'} (kills ${worker.kills}) · temporal ${temporalUp ? 'up' : 'DOWN'} · merchant applied ${m.applied + m.applied_slow}, 409 ${m.repeat}, 500 ${m.failed_500}, reset ${m.reset}`;
}
