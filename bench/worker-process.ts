// A worker (or the PayPal simulator) in its own process, so the end-to-end bench can report its CPU
// (process.cpuUsage delta) and peak RSS apart from the intake and load generator. `product`: the real worker via
// startProduct (role worker; config from the environment). `minimal`: bench/minimal-workflow.ts with no-op
// activities named in BENCH_MINIMAL_ACTIVITIES (one may signal its own run, see there). `simulator`: the PayPal
// simulator (PayPal's side of an order, not the product's). Protocol over IPC: child → {type:'ready', simulator?}; parent → 'start' (zero the counters),
// 'sample' (child answers {type:'stats'} for the window since 'start') and 'stop' (answers the same and exits).
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startProduct } from '../src/runtime';
import { startSimulator, type RunningSimulator } from '../src/simulator';

/** What the child reports for the window between 'start' and 'stop'. */
export interface WorkerStats {
  type: 'stats';
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Highest RSS sampled every 20 ms in the window. */
  peakRssMb: number;
}

/** How to reach a simulator child (mode `simulator`), sent with its ready message. */
export type SimulatorInfo = Pick<RunningSimulator, 'url' | 'caPem' | 'certUrl' | 'webhookId' | 'clientId' | 'clientSecret'>;

let simulatorInfo: SimulatorInfo | undefined;

async function startWorker(mode: string, address: string): Promise<() => Promise<void>> {
  if (mode === 'simulator') {
    const sim = await startSimulator({ logger: false });
    simulatorInfo = { url: sim.url, caPem: sim.caPem, certUrl: sim.certUrl, webhookId: sim.webhookId, clientId: sim.clientId, clientSecret: sim.clientSecret };
    return () => sim.close();
  }
  if (mode === 'product') {
    const config = loadConfig(process.env);
    const product = await startProduct({ config, logger: createLogger(config.LOG_LEVEL), temporalAddress: address, role: 'worker' });
    return () => product.stop();
  }
  const connection = await NativeConnection.connect({ address });
  // For runs that model PayPal's second webhook: the no-op activity signals its own run, as the intake would.
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  const noOp = async (signalOwnRun?: boolean) => {
    const run = Context.current().info.workflowExecution;
    if (signalOwnRun && run) await client.workflow.getHandle(run.workflowId).signal('paypalEvent', {});
  };
  const names = (process.env.BENCH_MINIMAL_ACTIVITIES ?? '').split(',').filter(Boolean);
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'bench-minimal',
    workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH ?? '' },
    activities: Object.fromEntries(names.map((n) => [n, noOp])),
  });
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    await clientConnection.close();
    await connection.close();
  };
}

async function main(): Promise<void> {
  const [mode = 'product'] = process.argv.slice(2);
  const stop = await startWorker(mode, process.env.BENCH_TEMPORAL_ADDRESS ?? '');
  let base = process.cpuUsage();
  let peak = 0;
  let sampler: NodeJS.Timeout | undefined;
  process.on('message', (m: { type: string }) => {
    if (m.type === 'start') {
      base = process.cpuUsage();
      peak = process.memoryUsage.rss();
      sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    } else if (m.type === 'sample' || m.type === 'stop') {
      const cpu = process.cpuUsage(base);
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage.rss());
      const stats: WorkerStats = { type: 'stats', cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, peakRssMb: peak / 2 ** 20 };
      process.send?.(stats);
      if (m.type === 'stop') void stop().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', simulator: simulatorInfo });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
