// Intake vs its limit: `POST /webhooks/paypal` (the product's public app: signature check, parse, route, record
// with OrdersClient.deliverEvent) next to (a) a signalWithStart with the intake's options made directly with the
// Temporal client — the limit the issue sets — and (b) a bare Fastify route that only reads the body and answers
// 200, at concurrency 1, 8 and 32; plus (c) the floor of any HTTP intake: a bare route that records with the
// intake's own deliverEvent, without verifying or parsing anything. Worker-less: the workflows land on a task queue
// no worker polls, so workflow execution does not compete with the intake.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildPublicApp } from '../src/api/public-app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createOfflineVerifier } from '../src/paypal/signature';
import { createEventRouter } from '../src/routing/event-router';
import { createSimulatorPki } from '../src/simulator/certificates';
import { signTransmission } from '../src/simulator/signing';
import { OrdersClient } from '../src/temporal/orders-client';
import { ORDER_WORKFLOW_TYPE } from '../src/workflows/messages';
import { DEFAULT_TIMING } from '../src/workflows/timing';
import { approvalHint, approvedEvent } from './events';
import { markdownTable, poolLoad, progress, quantile, ratioIntervalText, runLoad, timedLoad, type BenchModule, type BenchReport, type LoadStats } from './harness';

const N = Number(process.env.INTAKE_N ?? 1000);
const BLOCK = Number(process.env.INTAKE_BLOCK ?? 100);
const MIN_CYCLES = 6;
const WARMUP = Number(process.env.INTAKE_WARMUP ?? 50);
const JIT_WARMUP = Number(process.env.INTAKE_JIT_WARMUP ?? 1000);
const LEVELS = (process.env.INTAKE_CONCURRENCY ?? '1,8,32').split(',').map(Number);
const WEBHOOK_ID = 'BENCH-WEBHOOK';
const CERT_HOST = '127.0.0.1:4997';
const CERT_URL = `http://${CERT_HOST}/v1/notifications/certs/CERT-bench`;
const MAX_BODY = 256 * 1024;
/** Header carrying the order ID to the floor route (which parses nothing). */
const FLOOR_ORDER_HEADER = 'x-bench-order-id';

/** One pre-signed webhook: its body and PAYPAL-* headers, ready to POST. */
interface Signed {
  body: Buffer;
  headers: Record<string, string>;
}

/** POSTs pre-signed webhooks over keep-alive connections and insists on a 200. */
function poster(baseUrl: string, concurrency: number): { post(s: Signed, extraHeaders?: Record<string, string>): Promise<void>; close(): void } {
  const url = new URL('/webhooks/paypal', baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (s: Signed, extraHeaders: Record<string, string> = {}) =>
    new Promise<void>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { ...s.headers, ...extraHeaders, 'content-type': 'application/json', 'content-length': s.body.length } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${url.href} answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(s.body);
    });
  return { post, close: () => agent.destroy() };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** The intake bench; rows per concurrency: bare Fastify, raw signalWithStart, the floor, the intake. */
export const intakeBench: BenchModule = {
  name: 'intake',
  async run(ctx): Promise<BenchReport> {
    const { address } = await ctx.temporal();
    const tag = randomUUID().slice(0, 8).toUpperCase();
    const taskQueue = `bench-intake-${tag}`; // no worker polls it
    const pki = createSimulatorPki();
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const timing = DEFAULT_TIMING;
    const orders = new OrdersClient(client, { taskQueue, autoCapture: true, timing, recordTimeoutMs: 5_000 });
    // The limit: a signalWithStart with deliverEvent's options and deadline. (deliverEvent itself records an
    // approval with a plain start carrying the event, one billable action instead of two; the floor uses it.)
    const rawSignalWithStart = (orderId: string) =>
      client.withDeadline(Date.now() + 5_000, () =>
        client.workflow.signalWithStart(ORDER_WORKFLOW_TYPE, orders.deliverEventOptions(orderId, approvalHint(orderId))),
      );

    // The production router, timed: how long each webhook spends in routing (in effect the signal-with-start), so
    // the intake's latency splits into "Temporal call" and "everything else".
    const router = createEventRouter({ orders, orderIdForCapture: () => Promise.resolve(undefined), remember: loadConfig({}).WEBHOOK_EVENT_MEMORY }); // as in production
    let routeMs: number[] = [];
    const timedRouter: typeof router = {
      async route(event) {
        const t0 = performance.now();
        try {
          return await router.route(event);
        } finally {
          routeMs.push(performance.now() - t0);
        }
      },
    };
    // Production wiring of the public app (src/runtime.ts): offline verifier with the simulator's PKI, pino at the
    // default level `info` (to a discarding sink, so serialising the log lines is measured but not the terminal).
    const intake = await buildPublicApp({
      logger: createLogger('info', {}, { write: () => {} }),
      verifier: createOfflineVerifier({
        webhookId: WEBHOOK_ID,
        environment: 'simulator',
        allowedCertHosts: [CERT_HOST],
        extraTrustAnchorsPem: [pki.caPem],
        fetchCert: () => Promise.resolve(pki.leafPem),
      }),
      router: timedRouter,
      maxBodyBytes: MAX_BODY,
    });
    const bare = Fastify({ bodyLimit: MAX_BODY });
    bare.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    bare.post('/webhooks/paypal', (req) => ({ status: 'accepted', bytes: (req.body as Buffer).length }));
    // The floor of any HTTP intake: read the body, record it with the intake's deliverEvent, answer 200. No
    // signature check, no JSON or zod, no routing, metrics or log line; the order ID comes in a header.
    const floor = Fastify({ bodyLimit: MAX_BODY });
    floor.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    floor.post('/webhooks/paypal', async (req) => {
      const orderId = String(req.headers[FLOOR_ORDER_HEADER]);
      await orders.deliverEvent(orderId, approvalHint(orderId));
      return { status: 'accepted', bytes: (req.body as Buffer).length };
    });
    const intakeUrl = await listen(intake);
    const bareUrl = await listen(bare);
    const floorUrl = await listen(floor);

    // Everything signed up front: signing is not what is measured. Distinct order IDs per call and path.
    const sign = (orderId: string): Signed => {
      const body = approvedEvent(orderId, `WH-${orderId}`);
      return { body, headers: { ...signTransmission(body, { webhookId: WEBHOOK_ID, certUrl: CERT_URL, key: pki.leafKeyPem }) } };
    };
    // Paths alternate in cycles of one block each, so a slow stretch of the dev server or a neighbour hits every
    // path alike. A block holds at least 10 calls per caller, so the ramp at its ends stays small; at least
    // MIN_CYCLES cycles, so the interval (which resamples cycles) has something to resample.
    const blockOf = (c: number) => Math.max(BLOCK, 10 * c);
    const cyclesOf = (c: number) => Math.max(MIN_CYCLES, Math.round(N / blockOf(c)));
    const callsOf = (c: number) => cyclesOf(c) * blockOf(c);
    /** `count` calls' worth of distinct order IDs for every path (`label` keeps sets apart), signed up front. */
    const callPlan = (label: string, count: number) => ({
      signed: Array.from({ length: count }, (_, i) => sign(`BENCH${tag}${label}I${i}`)),
      rawIds: Array.from({ length: count }, (_, i) => `RAW${tag}${label}I${i}`),
      floorIds: Array.from({ length: count }, (_, i) => `FLOOR${tag}${label}I${i}`),
    });
    /** Each path's call `i` of a plan, over keep-alive connections for `c` callers; `close` ends the connections. */
    const pathsFor = ({ signed, rawIds, floorIds }: ReturnType<typeof callPlan>, c: number) => {
      const intakePost = poster(intakeUrl, c);
      const barePost = poster(bareUrl, c);
      const floorPost = poster(floorUrl, c);
      return {
        ops: {
          bare: (i: number) => barePost.post(signed[i]!),
          raw: (i: number) => rawSignalWithStart(rawIds[i]!),
          floor: (i: number) => floorPost.post(signed[i]!, { [FLOOR_ORDER_HEADER]: floorIds[i]! }),
          intake: (i: number) => intakePost.post(signed[i]!),
        },
        close: () => [intakePost, barePost, floorPost].forEach((p) => p.close()),
      };
    };
    progress(`intake: signing ${JIT_WARMUP + LEVELS.reduce((sum, c) => sum + callsOf(c) + WARMUP, 0)} webhooks up front…`);
    const jitPlan = callPlan('JIT', JIT_WARMUP);
    const plan = LEVELS.map((c) => callPlan(`C${c}`, callsOf(c) + WARMUP));

    const stats: LoadStats[] = [];
    const ratios: (string | number)[][] = [];
    const cpuPerCall: number[] = [];
    try {
      // The first level must not measure V8 compiling the code: a long-running intake has long optimised its hot
      // path, and the intake has the most code to optimise. So every path first runs JIT_WARMUP calls at c = 8.
      const jit = pathsFor(jitPlan, 8);
      for (const path of ['bare', 'raw', 'floor', 'intake'] as const) {
        progress(`intake: warming up ${path} (${JIT_WARMUP} calls, not measured)…`);
        await runLoad(JIT_WARMUP, 8, jit.ops[path]);
      }
      jit.close();
      for (const [li, c] of LEVELS.entries()) {
        const { ops: paths, close } = pathsFor(plan[li]!, c);
        const cpuMs = { bare: 0, raw: 0, floor: 0, intake: 0 };
        const routeSamples: number[] = [];
        const runs: Record<keyof typeof paths, { samples: Float64Array; elapsedMs: number }[]> = { bare: [], raw: [], floor: [], intake: [] };
        const block = blockOf(c);
        const cycles = cyclesOf(c);
        // The warm-up calls come after the timed ones in the plan.
        for (const path of ['bare', 'raw', 'floor', 'intake'] as const) await runLoad(WARMUP, c, (i) => paths[path](callsOf(c) + i));
        for (let k = 0; k < cycles; k++) {
          // Alternate the order between cycles too, so no path always follows the same one.
          const order: (keyof typeof paths)[] = k % 2 === 0 ? ['bare', 'raw', 'floor', 'intake'] : ['intake', 'floor', 'raw', 'bare'];
          for (const path of order) {
            routeMs = [];
            // Profiles (BENCH_CPU_PROF_DIR) cover the first cycle: one file per path and level.
            const run = await timedLoad(k === 0 ? `intake-${path}-c${c}` : undefined, block, c, (i) => paths[path](k * block + i));
            if (path === 'intake') routeSamples.push(...routeMs);
            runs[path].push(run);
            cpuMs[path] += run.cpuMs;
          }
          if (k === cycles - 1 || (k + 1) % Math.ceil(cycles / 4) === 0) {
            const rate = (path: keyof typeof paths) => (runs[path].reduce((n, r) => n + r.samples.length, 0) / (runs[path].reduce((ms, r) => ms + r.elapsedMs, 0) / 1000)).toFixed(0);
            progress(`intake: c=${c} cycle ${k + 1}/${cycles} (${block} calls per path): bare ${rate('bare')}/s, raw ${rate('raw')}/s, floor ${rate('floor')}/s, intake ${rate('intake')}/s so far`);
          }
        }
        close();
        const row = {
          intake: poolLoad('intake `POST /webhooks/paypal`', c, runs.intake),
          raw: poolLoad('raw `client.workflow.signalWithStart` (the limit)', c, runs.raw),
          floor: poolLoad('bare route + the intake\'s deliverEvent (no verification, no parsing)', c, runs.floor),
          bare: poolLoad('bare Fastify route (read body, 200)', c, runs.bare),
        };
        for (const path of ['intake', 'raw', 'floor', 'bare'] as const) {
          stats.push(row[path]);
          cpuPerCall.push(cpuMs[path] / row[path].n);
        }
        const routeSorted = Float64Array.from(routeSamples).sort();
        const windows = (path: keyof typeof runs) => runs[path].map((run) => ({ calls: run.samples.length, elapsedMs: run.elapsedMs }));
        const interval = (other: keyof typeof runs) => ratioIntervalText(windows('intake'), windows(other));
        ratios.push([String(c), row.intake.perSec / row.raw.perSec, interval('raw'), row.intake.perSec / row.floor.perSec, interval('floor'), row.intake.perSec / row.bare.perSec, row.intake.p50Ms - row.raw.p50Ms, row.intake.p99Ms - row.raw.p99Ms, quantile(routeSorted, 0.5), row.intake.p50Ms - quantile(routeSorted, 0.5)]);
      }
    } finally {
      await intake.close();
      await bare.close();
      await floor.close();
      await connection.close();
    }
    return {
      name: 'intake',
      title: 'Webhook intake vs raw signalWithStart vs bare Fastify',
      params: { n: `${LEVELS.map((c) => `${callsOf(c)} at c = ${c}`).join(', ')} per path`, cycles: `${LEVELS.map((c) => `${cyclesOf(c)} × ${blockOf(c)} calls at c = ${c}`).join(', ')}`, warmup: `${JIT_WARMUP} calls per path at c = 8 before the first level, then ${WARMUP} per path and level`, concurrency: LEVELS.join(', '), setup: 'worker-less (task queue without a poller)' },
      rows: [],
      tables: [
        {
          heading: 'Throughput and latency (closed loop: each of `c` callers sends its next request when the last one is answered):',
          markdown: markdownTable(['c', 'path', 'n', 'per s', 'p50 ms', 'p99 ms', 'bench process CPU ms/call'], stats.map((s, i) => [String(s.concurrency), s.name, String(s.n), s.perSec, s.p50Ms, s.p99Ms, cpuPerCall[i]!]), 2),
        },
        {
          heading: 'Ratios (target: intake ≥ 0.9 × raw signalWithStart):',
          markdown: markdownTable(['c', 'intake / raw Temporal (throughput)', 'its 95 % interval', 'intake / bare route + deliverEvent (throughput)', 'its 95 % interval', 'intake / bare Fastify (throughput)', 'intake − raw p50 ms', 'intake − raw p99 ms', 'intake: p50 ms in routing (the Temporal call)', 'intake p50 − routing p50 ms'], ratios, 2),
        },
      ],
      notes: [
        'Worker-less: every workflow is started on a task queue no worker polls, so the dev server only records starts and signals; no workflow runs.',
        'The intake records a CHECKOUT.ORDER.APPROVED (an order\'s first webhook) with a plain start carrying the event in its input: one billable action where a signalWithStart costs two (start and signal). The limit stays the issue\'s signalWithStart, with the same options; the floor records with the intake\'s own deliverEvent, so intake / floor compares like with like.',
        'Load generator, intake, bare routes and the raw Temporal client share one Node process (the HTTP client cost lands on the intake and bare rows, not on the raw row); the dev server is a separate process on the same 2 cores.',
        '"bare route + the intake\'s deliverEvent" is the floor of any HTTP intake that records before it answers: HTTP on both sides and the Temporal call, nothing else. intake / floor is what verification, parsing, routing, metrics and the log line cost; floor / raw is what HTTP itself costs, and what a start costs against a signalWithStart.',
        'Bodies are ~1.4 KB CHECKOUT.ORDER.APPROVED events signed up front with the simulator PKI (signTransmission); every call uses a distinct order ID, so every call starts a new workflow.',
        'The intake runs as in production: offline verifier (certificate fetched once, then cached), zod parsing, metrics, pino at `info` writing to a discarding sink.',
        'Bench process CPU per call: process.cpuUsage() over the timed runs of a path (load generator + server side + Temporal client), divided by calls. On this 2-core machine the dev server needs about a core for ~100 signalWithStart/s, so every CPU-ms the Node side spends is taken from the server.',
        'Before the first level every path runs INTAKE_JIT_WARMUP calls (1,000) at c = 8, not measured, so no level measures V8 still compiling the hot path (a long-running intake has long optimised it); each level then warms every path with INTAKE_WARMUP calls (50) at its own concurrency.',
        'Paths alternate in cycles: each cycle runs one block of every path back to back (bare, raw, floor, intake, then the reverse order in the next cycle), so a slow stretch of the dev server or of a neighbour hits every path alike; a block is max(INTAKE_BLOCK, 10 × c) calls. Rows pool all cycles.',
        'The 95 % intervals are paired bootstrap intervals of the throughput ratio (bench/harness.ts `throughputRatioInterval`, 2,000 resamples of whole cycles): how far the ratio could move on a rerun of the same length, given how much the cycles varied. A target is met with confidence only when the whole interval is above it.',
      ],
    };
  },
};
