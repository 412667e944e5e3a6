// End to end: N simulator orders from checkout (the buyer approves at once) to the merchant's service update, on
// harness-like wiring (intake in this process, the PayPal simulator and the real worker each in a process of their
// own, a fast local receiver), next to a minimal workflow with the same activity calls as a real order, no-op
// activities, on the same dev server and the same concurrency: the Temporal limit for this shape. A third path adds
// PayPal's second webhook to the minimal workflow as a signal, and a sample of each path's histories shows where
// the time goes (bench/timeline.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startProduct } from '../src/runtime';
import { workflowBundleOptions } from '../src/temporal/worker';
import { SimulatorControlClient } from '../src/simulator/control-client';
import type { RunningSimulator } from '../src/simulator';
import { orderWorkflowId } from '../src/workflows/messages';
import { addCpuSince, markdownTable, pooledPerSec, processCpuMs, progress, quantile, ratioIntervalText, runLoad, timedLoad, type BenchModule, type BenchReport, type TimedWindow } from './harness';
import { approvalHint } from './events';
import { FastReceiver } from './receiver';
import { replayCost, type ReplayCost } from './replay-cost';
import { bundleToFile } from './temporal';
import { spreadSample, stepsOf, stepTable, type Step, type TimedOrder } from './timeline';
import type { SimulatorInfo, WorkerStats } from './worker-process';

const N = Number(process.env.E2E_N ?? 600);
const CONCURRENCY = Number(process.env.E2E_CONCURRENCY ?? 16);
const WARMUP = Number(process.env.E2E_WARMUP ?? 20);
/**
 * Timed windows per path; the path order alternates between rounds, so drifting neighbour load favours neither, and
 * the ratio's 95 % interval resamples whole rounds (so it needs several).
 */
const ROUNDS = Math.max(1, Number(process.env.E2E_ROUNDS ?? 6));
/** Timed orders per path whose histories are read for the step table. */
const TIMELINE_SAMPLE = Number(process.env.E2E_TIMELINE_SAMPLE ?? 60);
/**
 * The paths, in the order of even rounds: real orders; the minimal workflow as the issue defines it (the same
 * activity calls, no-ops, one signal-with-start); and the minimal workflow that also receives PayPal's second
 * webhook as a signal, as a real order does, so the gap between the two minimal paths is that webhook's cost.
 */
const PATHS = ['real', 'minimal', 'minimalSignalled'] as const;
type Path = (typeof PATHS)[number];
/** Wall-clock ms with a fraction, comparable with the dev server's event times. */
const wallMs = () => performance.timeOrigin + performance.now();

/** A worker or simulator process (bench/worker-process.ts) with measurement windows: start, then sample or stop. */
interface MeasuredProcess {
  start(): void;
  sample(): Promise<WorkerStats>;
  stop(): Promise<WorkerStats>;
  simulator?: SimulatorInfo;
}

async function spawnWorker(mode: 'product' | 'minimal' | 'simulator', env: Record<string, string>): Promise<MeasuredProcess> {
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const child: ChildProcess = fork(require.resolve('./worker-process'), [mode], {
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx', ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ simulator?: SimulatorInfo }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { simulator?: SimulatorInfo }));
    child.once('exit', (code) => reject(new Error(`${mode} process exited with ${code} before it was ready`)));
  });
  const ask = (type: 'sample' | 'stop') =>
    new Promise<WorkerStats>((resolve) => {
      child.once('message', (m) => resolve(m as WorkerStats));
      child.send({ type });
    });
  return { simulator: ready.simulator, start: () => child.send({ type: 'start' }), sample: () => ask('sample'), stop: () => ask('stop') };
}

/** One path's timed windows, pooled over rounds. */
class PathTotals {
  readonly timed: TimedOrder[] = [];
  /** One per round, in round order: the pairs the ratio's interval resamples. */
  readonly windows: TimedWindow[] = [];
  workerCpuMs = 0;
  peakRssMb = 0;
  driverCpuMs = 0;
  simulatorCpuMs = 0;
  serverCpuMs: number | undefined = 0;

  /** Per-order figures for the tables, under the path's name. */
  summary(name: string) {
    const sorted = Float64Array.from(this.timed, (o) => o.doneAtMs - o.startedAtMs).sort();
    const orders = this.timed.length;
    const per = (ms: number) => ms / orders;
    const server = this.serverCpuMs === undefined ? undefined : per(this.serverCpuMs);
    const all = per(this.workerCpuMs + this.driverCpuMs + this.simulatorCpuMs) + (server ?? 0);
    return {
      name,
      perSec: pooledPerSec(this.windows),
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      worker: per(this.workerCpuMs),
      peakRssMb: this.peakRssMb,
      driver: per(this.driverCpuMs),
      simulator: per(this.simulatorCpuMs),
      server,
      all,
      withoutPayPal: all - per(this.simulatorCpuMs),
    };
  }
}

const cpuMs = (s: WorkerStats) => s.cpuUserMs + s.cpuSystemMs;

/** Signals and workflow tasks of each sampled run: the shape of a path, stated in each step table's heading. */
interface RunShapes {
  signals: number[];
  workflowTasks: number[];
}
const countRange = (counts: number[]) => {
  const [min, max] = [Math.min(...counts), Math.max(...counts)];
  if (min === max) return String(counts[0] ?? 0);
  return `${min}–${max} (mean ${(counts.reduce((a, b) => a + b, 0) / counts.length).toFixed(2)})`;
};
const shapeNote = (s: RunShapes) => `signals per run: ${countRange(s.signals)}, workflow tasks per run: ${countRange(s.workflowTasks)}`;

/** The end-to-end bench: real orders vs the minimal workflow of the same shape. */
export const e2eBench: BenchModule = {
  name: 'e2e',
  async run(ctx): Promise<BenchReport> {
    const { address, pid: serverPid } = await ctx.temporal();
    const tag = randomUUID().slice(0, 8);
    progress('e2e: bundling the order workflows and the minimal workflow…');
    // The product bundle is built exactly as production builds it (OpenTelemetry workflow interceptor included).
    const productBundle = await bundleToFile(workflowBundleOptions());
    const minimalBundle = await bundleToFile({ workflowsPath: require.resolve('./minimal-workflow') });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const receiver = await new FastReceiver().start();
    // The simulator plays PayPal, whose CPU is not the merchant's: its own process, so its share is measured apart.
    const simulatorProcess = await spawnWorker('simulator', {});
    const simInfo = simulatorProcess.simulator!;
    const control = new SimulatorControlClient(simInfo.url);
    let webhookUrlSet: Promise<unknown> = Promise.resolve();
    const simulator: RunningSimulator = {
      ...simInfo,
      control,
      setWebhookUrl: (url) => void (webhookUrlSet = control.setWebhookUrl(url)),
      close: () => Promise.resolve(),
    };
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_PORT: '0',
      ADMIN_TOKEN: randomBytes(16).toString('hex'),
      LOG_LEVEL: 'info',
      TEMPORAL_TASK_QUEUE: `bench-orders-${tag}`,
      TEMPORAL_SDK_METRICS_PORT: '0',
      WEBHOOK_SWEEP_INTERVAL: 'off',
      PAYPAL_ENV: 'simulator',
      PAYPAL_API_BASE: simulator.url,
      PAYPAL_CLIENT_ID: simulator.clientId,
      PAYPAL_CLIENT_SECRET: simulator.clientSecret,
      FULFILLMENT_URL: receiver.url,
      FULFILLMENT_SECRET: 'bench-fulfillment-secret',
    };
    // Intake (+ admin API) here, like `role: api`; the simulator delivers its signed webhooks to it.
    const { PAYPAL_API_BASE: _base, ...apiEnv } = env;
    const api = await startProduct({ config: loadConfig(apiEnv), logger: createLogger('info', {}, { write: () => {} }), temporalAddress: address, simulator, role: 'api' });
    await webhookUrlSet;
    const perRound = Math.ceil(N / ROUNDS);
    const totals: Record<Path, PathTotals> = { real: new PathTotals(), minimal: new PathTotals(), minimalSignalled: new PathTotals() };
    let activityNames: string[] = [];
    const steps: Record<Path, Step[][]> = { real: [], minimal: [], minimalSignalled: [] };
    // Signals per sampled run, a check that each path has the shape it claims (2 for real and minimal + signal).
    const histories: Record<Path, Awaited<ReturnType<WorkflowHandle['fetchHistory']>>[]> = { real: [], minimal: [], minimalSignalled: [] };
    const replayed: Partial<Record<Path, ReplayCost>> = {};
    const shapes: Record<Path, RunShapes> = { real: { signals: [], workflowTasks: [] }, minimal: { signals: [], workflowTasks: [] }, minimalSignalled: { signals: [], workflowTasks: [] } };
    const processes: MeasuredProcess[] = [simulatorProcess];
    try {
      progress('e2e: starting the product worker process…');
      const worker = await spawnWorker('product', { ...env, BENCH_TEMPORAL_ADDRESS: address, WORKFLOW_BUNDLE_PATH: productBundle.path });
      processes.push(worker);
      let firstOrderId = '';
      const realOrder = async (): Promise<TimedOrder> => {
        const startedAtMs = wallMs();
        const { orderId } = await simulator.control.checkout({ amount: { currency_code: 'USD', value: '25.00' }, custom_id: 'bench' });
        const doneAtMs = performance.timeOrigin + (await receiver.waitFor(orderId));
        firstOrderId ||= orderId;
        return { workflowId: orderWorkflowId(orderId), startedAtMs, doneAtMs };
      };
      const minimalQueue = `bench-minimal-${tag}`;
      let seq = 0;
      // `signalDuring`: the activity during which PayPal's second webhook reaches a real order (the capture).
      const minimalRun = async (signalDuring?: string): Promise<TimedOrder> => {
        const startedAtMs = wallMs();
        const id = `bench-minimal-${tag}-${seq++}`;
        const handle = await client.workflow.start('minimalOrderWorkflow', { workflowId: id, taskQueue: minimalQueue, args: [activityNames, signalDuring, approvalHint(id)] });
        await handle.result();
        return { workflowId: handle.workflowId, startedAtMs, doneAtMs: wallMs() };
      };
      const runs: Record<Path, () => Promise<TimedOrder>> = { real: realOrder, minimal: () => minimalRun(), minimalSignalled: () => minimalRun(activityNames[0]) };
      let minimal: MeasuredProcess | undefined;

      /** One timed window of `perRound` orders on one path, added to its totals. */
      const timed = async (path: Path, round: number): Promise<void> => {
        const measured = path === 'real' ? [worker, simulatorProcess] : [minimal!];
        const run = runs[path];
        const t = totals[path];
        for (const p of measured) p.start();
        const server0 = processCpuMs(serverPid);
        const load = await timedLoad(`e2e-${path}-r${round}`, perRound, CONCURRENCY, async () => t.timed.push(await run()));
        t.serverCpuMs = addCpuSince(t.serverCpuMs, serverPid, server0);
        const [workerStats, simulatorStats] = await Promise.all(measured.map((p) => p.sample()));
        t.windows.push({ calls: perRound, elapsedMs: load.elapsedMs });
        t.driverCpuMs += load.cpuMs;
        t.workerCpuMs += cpuMs(workerStats!);
        t.peakRssMb = Math.max(t.peakRssMb, workerStats!.peakRssMb);
        if (simulatorStats) t.simulatorCpuMs += cpuMs(simulatorStats);
        progress(`e2e: round ${round + 1}/${ROUNDS} ${path}: ${(perRound / (load.elapsedMs / 1000)).toFixed(1)}/s`);
      };

      await runLoad(WARMUP, CONCURRENCY, realOrder);
      progress(`e2e: ${ROUNDS} round(s) of ${perRound} orders per path at concurrency ${CONCURRENCY}…`);
      for (let round = 0; round < ROUNDS; round++) {
        // Real first in even rounds, last in odd ones; the minimal worker needs a real order's activity list, so it
        // is set up after the first real window.
        for (const path of round % 2 === 0 ? PATHS : [...PATHS].reverse()) {
          if (path !== 'real' && !minimal) {
            // The activities a real order calls, in order, from the history of the first timed order (by now it has
            // also handled its second webhook, PAYMENT.CAPTURE.COMPLETED, and sits in its refund watch).
            const history = await client.workflow.getHandle(orderWorkflowId(firstOrderId)).fetchHistory();
            activityNames = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
            minimal = await spawnWorker('minimal', { BENCH_TEMPORAL_ADDRESS: address, WORKFLOW_BUNDLE_PATH: minimalBundle.path, TEMPORAL_TASK_QUEUE: minimalQueue, BENCH_MINIMAL_ACTIVITIES: activityNames.join(',') });
            processes.push(minimal);
            await runLoad(WARMUP, CONCURRENCY, () => minimalRun());
          }
          await timed(path, round);
        }
      }
      progress('e2e: reading a sample of timed histories for the step table…');
      for (const path of PATHS) {
        for (const order of spreadSample(totals[path].timed, TIMELINE_SAMPLE)) {
          const history = await client.workflow.getHandle(order.workflowId).fetchHistory();
          histories[path].push(history);
          steps[path].push(stepsOf(history.events ?? [], order, path === 'real' ? 'until the merchant got the update' : 'until the client has the result'));
          shapes[path].signals.push((history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length);
          shapes[path].workflowTasks.push((history.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length);
        }
      }
    } finally {
      await Promise.all(processes.map((p) => p.stop()));
      await api.stop();
      await receiver.close();
      await connection.close();
    }
    try {
      // With every process stopped: the workflow code's own cost, from the same sampled runs replayed here.
      progress('e2e: replaying the sampled histories (workflow code cost)…');
      for (const path of PATHS) replayed[path] = await replayCost(path === 'real' ? productBundle.path : minimalBundle.path, histories[path]);
    } finally {
      productBundle.remove();
      minimalBundle.remove();
    }
    const real = totals.real.summary('real orders (checkout → service update received)');
    const limit = totals.minimal.summary(`minimal workflow, ${activityNames.length} no-op activities (start → completed)`);
    const signalled = totals.minimalSignalled.summary(`minimal workflow + a second signal during ${activityNames[0] ?? 'its first activity'} (PayPal's second webhook)`);
    return {
      name: 'e2e',
      title: 'End to end: real orders vs the minimal workflow of the same shape',
      params: { orders: `${perRound * ROUNDS} per path in ${ROUNDS} round(s), path order alternating`, concurrency: CONCURRENCY, warmup: `${WARMUP} orders per path`, activities: activityNames.join(' → '), setup: 'intake + receiver + load generator in the bench process; PayPal simulator and worker each in a process of their own' },
      rows: [],
      tables: [
        {
          heading: 'Per path (closed loop of `concurrency` buyers):',
          markdown: markdownTable(
            ['path', 'orders/s', 'p50 ms', 'p99 ms', 'worker CPU ms/order', 'worker peak RSS MB', 'bench process CPU ms/order', 'PayPal simulator CPU ms/order', 'Temporal server CPU ms/order', 'all processes CPU ms/order'],
            [real, limit, signalled].map((r) => [r.name, r.perSec, r.p50Ms, r.p99Ms, r.worker, r.peakRssMb, r.driver, r.simulator, r.server ?? 'n/a', r.all]),
          ),
        },
        {
          heading: 'Ratio (target: end to end ≥ 0.8 × the minimal-workflow limit):',
          markdown: markdownTable(
            ['real / minimal (orders/s)', 'its 95 % interval (rounds resampled)', 'real / minimal (p50)', 'worker CPU real / minimal', 'CPU per order without the simulator: minimal / real'],
            [[real.perSec / limit.perSec, ratioIntervalText(totals.real.windows, totals.minimal.windows), real.p50Ms / limit.p50Ms, real.worker / limit.worker, limit.withoutPayPal / real.withoutPayPal]],
            2,
          ),
        },
        {
          heading: "What PayPal's second webhook costs Temporal (the target is judged on the row above, not this one):",
          markdown: markdownTable(
            ['minimal + second signal / minimal (orders/s)', 'real / minimal + second signal (orders/s)', 'CPU per order without the simulator: minimal + second signal / real'],
            [[signalled.perSec / limit.perSec, real.perSec / signalled.perSec, signalled.withoutPayPal / real.withoutPayPal]],
            2,
          ),
        },
        {
          heading: `Where a real order's time goes (${steps.real.length} timed orders spread over the run, ${shapeNote(shapes.real)}; milestones from each run's history, wall clock):`,
          markdown: stepTable(steps.real),
        },
        {
          heading: `The same steps of the minimal workflow (${steps.minimal.length} timed runs, ${shapeNote(shapes.minimal)}):`,
          markdown: stepTable(steps.minimal),
        },
        {
          heading: `And of the minimal workflow with the second signal (${steps.minimalSignalled.length} timed runs, ${shapeNote(shapes.minimalSignalled)}):`,
          markdown: stepTable(steps.minimalSignalled),
        },
        {
          heading: 'Workflow code cost: the same sampled runs replayed in the bench process once every other process stopped (no server, no neighbours):',
          markdown: markdownTable(
            ['path', 'runs', 'promises per run in the workflow sandbox', 'CPU ms per replayed run'],
            PATHS.map((path) => [path === 'real' ? real.name : path === 'minimal' ? limit.name : signalled.name, String(replayed[path]?.runs ?? 0), replayed[path]?.promisesPerRun ?? 0, replayed[path]?.cpuMsPerRun ?? 0]),
            1,
          ),
        },
      ],
      notes: [
        'The ratio\'s 95 % interval is a paired bootstrap over rounds (bench/harness.ts `throughputRatioInterval`): each round holds one timed window per path, and whole rounds are resampled, so what slowed a round for every path cancels out. With the default six rounds it is coarse; more rounds (`E2E_ROUNDS`, `E2E_N`) narrow it. It holds what varies within this run only: the ratio itself moves with the machine\'s speed (the real path is CPU-bound, the minimal one partly latency-bound), and separate runs of the same code on a shared VM have differed by more than their intervals (0.74–0.85 in one afternoon, docs/benchmarks.md), so judge the target over several runs.',
        'Time to fulfilled: from the checkout call (create + approve at the simulator) to the receiver getting the order.paid update. It covers the simulator\'s CHECKOUT.ORDER.APPROVED delivery, the intake, the workflow\'s captureOrder call to the simulator (one capture call; the capture emits PAYMENT.CAPTURE.COMPLETED, a second webhook), and updateService.',
        'The minimal workflow is started the way the intake starts a real order on its approval webhook (a plain start with the event in its input), runs every activity a real order\'s history shows and is timed until its result: a conservative limit for latency, an equal-work one for throughput.',
        '"Minimal + a second signal": the same workflow, whose first no-op activity signals its own run once (a Temporal client call from the minimal worker\'s process) before it returns, as PayPal\'s PAYMENT.CAPTURE.COMPLETED webhook reaches a real order while its capture completes. It prices that webhook in Temporal terms; the target stays judged against the minimal workflow as the issue defines it.',
        'Workflow code cost: the histories of the step tables replayed with each path\'s own bundle by `Worker.runReplayHistories` in the bench process (which runs workflow code in its main thread, here with Node source maps off as in the worker\'s workflow thread; runs before the eighth 2026-11-30 session had them on, ~0.1–1 ms more per replayed order), after every other process stopped: promises created in the workflow sandbox per run (counted with a V8 promise hook; the SDK formats a source-mapped stack trace for each one) and CPU per replayed run over five passes. It prices the workflow code and the SDK work it causes, without activities, server or neighbours.',
        'Worker CPU is the worker process\'s process.cpuUsage() delta over the timed orders (user + system), divided by orders; peak RSS is sampled every 20 ms in that window. The bench process (intake, receiver, load generator, Temporal client) and the PayPal simulator\'s process (orders, captures, signing and delivering webhooks: PayPal\'s work, not the merchant\'s) are reported apart.',
        '"CPU per order without the simulator, minimal / real": all processes but the simulator, per order, minimal over real; the throughput ratio the product would reach if CPU were the only limit and PayPal\'s side ran elsewhere (an estimate, not a measured throughput).',
        'Temporal server CPU: the dev server process\'s utime + stime from /proc/<pid>/stat over the same window, divided by orders. "All processes" adds worker, bench process and server: on 2 cores, throughput is roughly 2,000 ms divided by it.',
        'All paths run on the same dev server in alternating timed windows (real, minimal, minimal + signal / the reverse, ...), pooled per path; worker processes use SDK defaults and the product worker logs at `info` to /dev/null.',
      ],
    };
  },
};
