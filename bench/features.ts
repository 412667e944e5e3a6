// What a real order's Temporal-level features cost the Temporal server, apart from any code of ours: the minimal
// workflow's shape (two no-op activities in turn) with the features switched on one by one (bench/feature-workflow.ts):
// the search attributes the intake sets at start, the fulfilled upsert, the refund watch (the run stays open on a
// timer instead of completing), PayPal's second webhook as a signal and the activities' heartbeat timeout. The worker
// runs in this process; the dev server's CPU is read from /proc. It prices the design's choices (docs/benchmarks.md);
// the e2e target is judged by bench/e2e.ts against the plain minimal workflow.
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { initialSearchAttributes } from '../src/workflows/presentation';
import type { FeatureSwitches } from './feature-workflow';
import { addCpuSince, markdownTable, pooledPerSec, processCpuMs, progress, ratioIntervalText, runLoad, timedLoad, type BenchModule, type BenchReport, type TimedWindow } from './harness';
import { bundleToFile } from './temporal';

const N = Number(process.env.FEATURES_N ?? 600);
const ROUNDS = Math.max(1, Number(process.env.FEATURES_ROUNDS ?? 6));
const CONCURRENCY = Number(process.env.FEATURES_CONCURRENCY ?? 16);
const WARMUP = Number(process.env.FEATURES_WARMUP ?? 20);
/** After each window, time for the last runs' final workflow tasks to reach the server before its CPU is read. */
const SETTLE_MS = 250;

/** One path: the features it adds to the one before it (each path keeps the features of the paths above it). */
interface FeaturePath {
  name: string;
  startAttributes: boolean;
  switches: FeatureSwitches;
  /** Billable actions per run: start, two activities, plus a signal, an upsert, a timer. */
  actions: number;
}

const PATHS: readonly FeaturePath[] = [
  { name: 'minimal workflow (start, 2 no-op activities, complete)', startAttributes: false, switches: { signal: false, upsert: false, watch: false }, actions: 3 },
  { name: '+ search attributes and summary at start (as the intake starts an order)', startAttributes: true, switches: { signal: false, upsert: false, watch: false }, actions: 3 },
  { name: '+ the fulfilled upsert', startAttributes: true, switches: { signal: false, upsert: true, watch: false }, actions: 4 },
  { name: '+ the refund watch (stays open on a 180-day timer instead of completing)', startAttributes: true, switches: { signal: false, upsert: true, watch: true }, actions: 5 },
  { name: "+ PayPal's second webhook as a signal", startAttributes: true, switches: { signal: true, upsert: true, watch: true }, actions: 6 },
  {
    name: "+ the activities' heartbeat timeout (all of a real order's Temporal features)",
    startAttributes: true,
    switches: { signal: true, upsert: true, watch: true, heartbeatTimeout: true },
    actions: 6,
  },
];

/** Totals of one path over its timed windows. */
interface PathTotals {
  windows: TimedWindow[];
  /** The dev server's CPU over the windows; undefined once a reading failed (addCpuSince). */
  serverCpuMs: number | undefined;
  /** This process's CPU (the worker and the client) over the windows. */
  benchCpuMs: number;
}

/** A difference with its sign, one decimal: +0.8, −0.3. */
function signed(x: number): string {
  const text = Math.abs(x).toFixed(1);
  return text === '0.0' ? '0.0' : `${x < 0 ? '−' : '+'}${text}`;
}

/** The features bench. */
export const featuresBench: BenchModule = {
  name: 'features',
  async run(ctx): Promise<BenchReport> {
    const { address, pid: serverPid } = await ctx.temporal();
    const bundle = await bundleToFile({ workflowsPath: require.resolve('./feature-workflow') });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    const nativeConnection = await NativeConnection.connect({ address });
    const taskQueue = 'bench-features';
    // Each run is timed until its second activity runs, the point where a real order's merchant gets its update
    // (bench/e2e.ts); what a path does after it (complete, or upsert and watch) falls in the server's CPU figures.
    const reached = new Map<string, () => void>();
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: { codePath: bundle.path },
      activities: {
        async captureOrder(signalOwnRun: boolean): Promise<void> {
          const run = Context.current().info.workflowExecution;
          if (signalOwnRun && run) await client.workflow.getHandle(run.workflowId).signal('paypalEvent', {});
        },
        async updateService(): Promise<void> {
          const run = Context.current().info.workflowExecution;
          if (run) reached.get(run.workflowId)?.();
        },
      },
    });
    const running = worker.run();
    let seq = 0;
    const runOnce = async (path: FeaturePath): Promise<void> => {
      const orderId = `FEATURES${seq++}`;
      const workflowId = `bench-features-${orderId}`;
      const updated = new Promise<void>((resolve) => reached.set(workflowId, resolve));
      await client.workflow.start('featureWorkflow', {
        workflowId,
        taskQueue,
        args: [orderId, path.switches],
        ...(path.startAttributes
          ? {
              typedSearchAttributes: initialSearchAttributes(orderId, { autoCapture: true, firstHint: { eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: orderId } }),
              staticSummary: `PayPal order ${orderId}`,
            }
          : {}),
      });
      await updated;
      reached.delete(workflowId);
    };
    const totals = PATHS.map((): PathTotals => ({ windows: [], serverCpuMs: 0, benchCpuMs: 0 }));
    const perRound = Math.ceil(N / ROUNDS);
    try {
      for (const path of PATHS) await runLoad(WARMUP, CONCURRENCY, () => runOnce(path));
      progress(`features: ${ROUNDS} round(s) of ${perRound} runs per path at concurrency ${CONCURRENCY}…`);
      for (let round = 0; round < ROUNDS; round++) {
        // Forward in even rounds, reversed in odd ones: the server slows as it stores more runs, and that drift
        // then favours no path.
        const order = round % 2 === 0 ? PATHS.map((_, i) => i) : PATHS.map((_, i) => PATHS.length - 1 - i);
        for (const i of order) {
          const t = totals[i]!;
          const server0 = processCpuMs(serverPid);
          const load = await timedLoad(undefined, perRound, CONCURRENCY, () => runOnce(PATHS[i]!));
          await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
          t.serverCpuMs = addCpuSince(t.serverCpuMs, serverPid, server0);
          t.windows.push({ calls: perRound, elapsedMs: load.elapsedMs });
          t.benchCpuMs += load.cpuMs;
          progress(`features: round ${round + 1}/${ROUNDS} path ${i + 1}: ${(perRound / (load.elapsedMs / 1000)).toFixed(1)}/s`);
        }
      }
    } finally {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      bundle.remove();
    }
    const runs = perRound * ROUNDS;
    const base = totals[0]!;
    const rows = PATHS.map((path, i) => {
      const t = totals[i]!;
      return [
        path.name,
        String(path.actions),
        pooledPerSec(t.windows),
        i === 0 ? '1' : `${(pooledPerSec(t.windows) / pooledPerSec(base.windows)).toFixed(2)} (${ratioIntervalText(t.windows, base.windows)})`,
        t.serverCpuMs === undefined ? 'n/a' : (t.serverCpuMs / runs).toFixed(1),
        t.serverCpuMs === undefined || base.serverCpuMs === undefined ? 'n/a' : i === 0 ? '0' : signed((t.serverCpuMs - base.serverCpuMs) / runs),
        t.benchCpuMs / runs,
      ];
    });
    return {
      name: 'features',
      title: "What a real order's Temporal features cost the server (the minimal workflow, features added one by one)",
      params: { runs: `${runs} per path in ${ROUNDS} round(s), path order alternating`, concurrency: CONCURRENCY, warmup: `${WARMUP} runs per path`, worker: 'in the bench process, SDK defaults' },
      rows: [],
      tables: [
        {
          heading: 'Per path (each row keeps the features of the rows above it; closed loop, timed until the second activity runs):',
          markdown: markdownTable(
            ['path', 'billable actions per run', 'runs/s', '÷ minimal (95 % interval)', 'Temporal server CPU ms/run', 'server CPU vs minimal', 'bench process (worker + client) CPU ms/run'],
            rows,
          ),
        },
      ],
      notes: [
        "It prices, in the server's CPU and in throughput, what the product's design asks of Temporal beyond the issue's minimal workflow: search attributes for ops (set at start, so the first state costs no upsert), the fulfilled state's upsert, the refund watch (docs/decisions.md), the webhook PayPal sends when the capture completes, and the heartbeat timeout on each activity (so that a dead worker's attempt is retried after 20 s, not after its start-to-close timeout; the server tracks it per attempt, it is not billed). No product code runs here: the activities are no-ops and the workflow only switches the features on.",
        'Every path is timed from its start call until its second activity runs, the point where a real order\'s merchant gets its update in bench/e2e.ts; what a run does after it (complete, or upsert and wait) falls outside its latency but inside the server\'s CPU window (each window ends 250 ms after its last run is timed).',
        "Server CPU: the dev server process's utime + stime from /proc/<pid>/stat over each window, divided by its runs. The server slows as it stores more runs; the path order alternates between rounds so that drift favours none, and the throughput ratios carry a paired 95 % interval over rounds (bench/harness.ts throughputRatioInterval).",
        'The target (end to end ≥ 0.8 × the minimal workflow) is judged by the e2e bench, not here.',
      ],
    };
  },
};
