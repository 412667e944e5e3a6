// The Temporal client's transport: the intake's recording call (OrdersClient.deliverEvent) over the SDK's
// `Connection` (@grpc/grpc-js in Node; the product's client) next to the same call over `NativeConnection` (the
// SDK's Rust core, which the worker uses), at the intake bench's concurrency levels. Worker-less, like the intake
// bench. Why the product's client stays on `Connection`: docs/decisions.md, "Temporal client". A second table prices
// how a follow-up webhook (any event after the approval) reaches its order's open run: deliverEvent's plain signal
// next to the signal-with-start it made before, with the dev server's CPU per call.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { OrdersClient } from '../src/temporal/orders-client';
import { ORDER_WORKFLOW_TYPE } from '../src/workflows/messages';
import { DEFAULT_TIMING } from '../src/workflows/timing';
import { approvalHint } from './events';
import { addCpuSince, markdownTable, poolLoad, processCpuMs, progress, runLoad, timedLoad, type BenchModule, type BenchReport } from './harness';

const N = Number(process.env.CLIENT_N ?? 500);
const ROUNDS = Number(process.env.CLIENT_ROUNDS ?? 2);
const LEVELS = (process.env.CLIENT_CONCURRENCY ?? '1,8,32').split(',').map(Number);
const WARMUP = 50;
/** Open orders the follow-up table signals, round robin, and its callers. */
const FOLLOW_UP_ORDERS = 400;
const FOLLOW_UP_CONCURRENCY = 8;

/** The client bench: throughput, latency and bench-process CPU per call for each transport. */
export const clientBench: BenchModule = {
  name: 'client',
  async run(ctx): Promise<BenchReport> {
    const { address, pid: serverPid } = await ctx.temporal();
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
    let followUps: (string | number)[][] = [];
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
      progress(`client: follow-up webhooks to ${FOLLOW_UP_ORDERS} open orders…`);
      followUps = await followUpTable(transports[0]!.client, `bench-client-${tag}`, tag, serverPid);
    } finally {
      await grpc.close();
      await native.close();
    }
    return {
      name: 'client',
      title: 'Temporal client transport: Connection (grpc-js) vs NativeConnection (Rust core)',
      params: { n: `${N} per transport, level and round`, rounds: ROUNDS, concurrency: LEVELS.join(', '), call: '`OrdersClient.deliverEvent` (the intake\'s recording call, its deadline included)', setup: 'worker-less (task queue without a poller)' },
      rows: [],
      tables: [
        { heading: 'Per transport (closed loop of `c` callers):', markdown: markdownTable(['c', 'transport', 'per s', 'p50 ms', 'p99 ms', 'bench process CPU ms/call'], rows, 2) },
        {
          heading: `A follow-up webhook (PAYMENT.CAPTURE.COMPLETED) to an open order, \`Connection\`, c = ${FOLLOW_UP_CONCURRENCY}, ${FOLLOW_UP_ORDERS} open orders signalled round robin:`,
          markdown: markdownTable(['call', 'per s', 'p50 ms', 'p99 ms', 'bench process CPU ms/call', 'Temporal server CPU ms/call'], followUps, 2),
        },
      ],
      notes: [
        'CPU per call is process.cpuUsage() over the timed calls: every thread of the bench process, so the Rust core\'s own threads count for NativeConnection.',
        'Rounds alternate the transport order; rows pool all rounds. Every call starts a new workflow.',
        'Follow-up table: the orders were opened by their approval (a start, as the intake does), on a task queue no worker polls, so every run already has a workflow task pending and no call schedules another; what differs is the call alone. Server CPU is the dev server process\'s utime + stime from /proc over the timed calls.',
      ],
    };
  },
};

/**
 * Follow-up webhooks to open orders: `deliverEvent` (a plain signal to the open run) next to the signal-with-start
 * with deliverEventOptions, which the intake made for these events before. Alternating rounds; rows pooled.
 */
async function followUpTable(client: Client, taskQueue: string, tag: string, serverPid: number | undefined): Promise<(string | number)[][]> {
  const orders = new OrdersClient(client, { taskQueue, autoCapture: true, timing: DEFAULT_TIMING, recordTimeoutMs: 5_000 });
  const ids = Array.from({ length: FOLLOW_UP_ORDERS }, (_, i) => `FOLLOWUP${tag}I${i}`);
  for (const id of ids) await orders.deliverEvent(id, approvalHint(id));
  let seq = 0;
  const hint = (orderId: string) => ({ eventId: `WH-CAP-${tag}-${seq++}`, eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: `CAP-${orderId}` });
  const paths = [
    { name: '`deliverEvent`: a signal to the open run (now)', call: (i: number) => { const id = ids[i % ids.length]!; return orders.deliverEvent(id, hint(id)); } },
    { name: 'signal-with-start (`deliverEventOptions`; before)', call: (i: number) => { const id = ids[i % ids.length]!; return client.workflow.signalWithStart(ORDER_WORKFLOW_TYPE, orders.deliverEventOptions(id, hint(id))); } },
  ];
  interface FollowUpTotals {
    runs: { samples: Float64Array; elapsedMs: number }[];
    cpuMs: number;
    /** Undefined once a server CPU read failed (no /proc). */
    serverMs: number | undefined;
  }
  const totals = paths.map((): FollowUpTotals => ({ runs: [], cpuMs: 0, serverMs: 0 }));
  for (let r = 0; r < ROUNDS * 2; r++) {
    for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const { name, call } = paths[i]!;
      const t = totals[i]!;
      await runLoad(WARMUP, FOLLOW_UP_CONCURRENCY, call);
      const server0 = processCpuMs(serverPid);
      const run = await timedLoad(undefined, N, FOLLOW_UP_CONCURRENCY, call);
      t.serverMs = addCpuSince(t.serverMs, serverPid, server0);
      t.runs.push(run);
      t.cpuMs += run.cpuMs;
      progress(`client: follow-up round ${r + 1}/${ROUNDS * 2} ${name}: ${(N / (run.elapsedMs / 1000)).toFixed(0)}/s`);
    }
  }
  return paths.map(({ name }, i) => {
    const t = totals[i]!;
    const stats = poolLoad(name, FOLLOW_UP_CONCURRENCY, t.runs);
    return [name, stats.perSec, stats.p50Ms, stats.p99Ms, t.cpuMs / stats.n, t.serverMs === undefined ? 'n/a' : (t.serverMs / stats.n).toFixed(2)];
  });
}
