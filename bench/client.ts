// The Temporal client's transport: the intake's recording call (OrdersClient.deliverEvent) over the SDK's
// `Connection` (@grpc/grpc-js in Node; the product's client) next to the same call over `NativeConnection` (the
// SDK's Rust core, which the worker uses), at the intake bench's concurrency levels. Worker-less, like the intake
// bench. Why the product's client stays on `Connection`: docs/decisions.md, "Temporal client".
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { OrdersClient } from '../src/temporal/orders-client';
import { DEFAULT_TIMING } from '../src/workflows/timing';
import { approvalHint } from './events';
import { markdownTable, poolLoad, progress, runLoad, timedLoad, type BenchModule, type BenchReport } from './harness';

const N = Number(process.env.CLIENT_N ?? 500);
const ROUNDS = Number(process.env.CLIENT_ROUNDS ?? 2);
const LEVELS = (process.env.CLIENT_CONCURRENCY ?? '1,8,32').split(',').map(Number);
const WARMUP = 50;

/** The client bench: throughput, latency and bench-process CPU per call for each transport. */
export const clientBench: BenchModule = {
  name: 'client',
  async run(ctx): Promise<BenchReport> {
    const { address } = await ctx.temporal();
    const tag = randomUUID().slice(0, 8).toUpperCase();
    const grpc = await Connection.connect({ address });
    const native = await NativeConnection.connect({ address });
    const transports = [
      { key: 'grpc', name: '`Connection` (@grpc/grpc-js; the product\'s)', client: new Client({ connection: grpc, namespace: 'default' }) },
      { key: 'native', name: '`NativeConnection` (Rust core)', client: new Client({ connection: native, namespace: 'default' }) },
    ];
    let seq = 0;
    const calls = transports.map(({ key, name, client }) => {
      const orders = new OrdersClient(client, { taskQueue: `bench-client-${tag}`, autoCapture: true, timing: DEFAULT_TIMING, recordTimeoutMs: 5_000 });
      const call = () => {
        const orderId = `CLIENT${tag}I${seq++}`;
        return orders.deliverEvent(orderId, approvalHint(orderId));
      };
      return { key, name, call };
    });
    const rows: (string | number)[][] = [];
    try {
      for (const c of LEVELS) {
        const runs = new Map<string, { samples: Float64Array; elapsedMs: number }[]>();
        const cpuMs = new Map<string, number>();
        for (let r = 0; r < ROUNDS; r++) {
          for (const { key, name, call } of r % 2 === 0 ? calls : [...calls].reverse()) {
            await runLoad(WARMUP, c, call);
            const run = await timedLoad(`client-${key}-c${c}-r${r}`, N, c, call);
            runs.set(name, [...(runs.get(name) ?? []), run]);
            cpuMs.set(name, (cpuMs.get(name) ?? 0) + run.cpuMs);
            progress(`client: c=${c} round ${r + 1}/${ROUNDS} ${name}: ${(N / (run.elapsedMs / 1000)).toFixed(0)}/s`);
          }
        }
        for (const { name } of calls) {
          const stats = poolLoad(name, c, runs.get(name)!);
          rows.push([String(c), name, stats.perSec, stats.p50Ms, stats.p99Ms, cpuMs.get(name)! / stats.n]);
        }
      }
    } finally {
      await grpc.close();
      await native.close();
    }
    return {
      name: 'client',
      title: 'Temporal client transport: Connection (grpc-js) vs NativeConnection (Rust core)',
      params: { n: `${N} per transport, level and round`, rounds: ROUNDS, concurrency: LEVELS.join(', '), call: '`OrdersClient.deliverEvent` (the intake\'s recording call, its deadline included)', setup: 'worker-less (task queue without a poller)' },
      rows: [],
      tables: [{ heading: 'Per transport (closed loop of `c` callers):', markdown: markdownTable(['c', 'transport', 'per s', 'p50 ms', 'p99 ms', 'bench process CPU ms/call'], rows, 2) }],
      notes: [
        'CPU per call is process.cpuUsage() over the timed calls: every thread of the bench process, so the Rust core\'s own threads count for NativeConnection.',
        'Rounds alternate the transport order; rows pool all rounds. Every call starts a new workflow.',
      ],
    };
  },
};
