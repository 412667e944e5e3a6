import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startProduct, type Role, type RunningProduct } from '../../src/runtime';
import { createSimulatorPki, type SimulatorPki } from '../../src/simulator/certificates';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator';
import { orderWorkflowId, type OrderStatusView } from '../../src/workflows/messages';
import { recordHistories } from './record-histories';
import { TestServiceReceiver } from './service-receiver';
import { waitFor } from './wait';

/** The admin token every integration test uses. */
export const TEST_ADMIN_TOKEN = randomBytes(16).toString('hex');

/** A parsed admin API answer (error answers carry `error` and `message`). */
export type AdminResponseBody = { error?: string; message?: string; state?: string } & Record<string, unknown>;

/** The whole product wired for one test file: its own task queue, simulator and merchant service. */
export interface Harness {
  product: RunningProduct;
  simulator: RunningSimulator;
  /** The simulator's keys, so tests can sign webhooks exactly as it does. */
  pki: SimulatorPki;
  receiver: TestServiceReceiver;
  config: Config;
  temporalAddress: string;
  /** Calls the admin API with the test token. */
  admin(path: string, init?: { method?: string; body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: AdminResponseBody }>;
  /** The order's workflow status via the admin API (undefined while unknown). */
  status(orderId: string): Promise<OrderStatusView | undefined>;
  /** Waits until the order reaches `state`. */
  waitForState(orderId: string, state: string, timeoutMs?: number): Promise<OrderStatusView>;
  /** The events of the order's workflow history (its current run), read with a Temporal client of the test's own. */
  history(orderId: string): Promise<temporal.api.history.v1.IHistoryEvent[]>;
  stop(): Promise<void>;
}

/** The dev server started by scripts/run-tests.ts. */
export function testTemporalAddress(): string {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run integration tests through `npm test` (scripts/run-tests.ts)');
  return address;
}

/** Starts simulator + receiver + product against the test dev server. `env` overrides the test defaults; `role: 'api'` for a test that runs its own worker. */
export async function startHarness(
  env: Record<string, string> = {},
  opts: { temporalAddress?: string; simulator?: SimulatorOptions; logLines?: string[]; role?: Role } = {},
): Promise<Harness> {
  const temporalAddress = opts.temporalAddress ?? testTemporalAddress();
  const receiver = await new TestServiceReceiver('test-fulfillment-secret').start();
  const pki = opts.simulator?.pki ?? createSimulatorPki();
  const simulator = await startSimulator({ retryDelaysMs: [200, 400, 800, 1600, 3200], logger: false, ...opts.simulator, pki });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_PORT: '0',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    PAYPAL_ENV: 'simulator',
    FULFILLMENT_URL: receiver.url,
    FULFILLMENT_SECRET: receiver.secret,
    FULFILLMENT_INITIAL_INTERVAL_MS: '100',
    FULFILLMENT_MAX_INTERVAL_MS: '400',
    FULFILLMENT_MAX_ATTEMPTS: '4',
    TEMPORAL_SDK_METRICS_PORT: '0',
    PENDING_SERVICE_UPDATE_INTERVAL: '1s',
    PENDING_SERVICE_UPDATE_DEADLINE: '4s',
    // No sweep schedule unless a test asks: a sweep firing mid-test would re-offer events and skew duplicate counts.
    WEBHOOK_SWEEP_INTERVAL: 'off',
    ...env,
  });
  const lines = opts.logLines;
  const logger = lines ? createLogger(config.LOG_LEVEL, {}, { write: (line: string) => void lines.push(line) }) : createLogger(config.LOG_LEVEL);
  const product = await startProduct({ config, logger, temporalAddress, simulator, role: opts.role });

  const admin: Harness['admin'] = async (path, init = {}) => {
    const token = init.token === undefined ? TEST_ADMIN_TOKEN : init.token;
    const res = await fetch(`${product.adminUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as AdminResponseBody };
  };
  const status = async (orderId: string) => {
    const res = await admin(`/orders/${orderId}`);
    return res.status === 200 ? (res.body as unknown as OrderStatusView) : undefined;
  };
  return {
    product,
    simulator,
    pki,
    receiver,
    config,
    temporalAddress,
    admin,
    status,
    waitForState: (orderId, state, timeoutMs = 30_000) =>
      waitFor(`order ${orderId} in state ${state}`, async () => {
        const s = await status(orderId);
        return s?.state === state ? s : undefined;
      }, timeoutMs),
    async history(orderId) {
      // The product's Temporal client is not exposed: a connection for this read.
      const connection = await Connection.connect({ address: temporalAddress });
      try {
        return (await new Client({ connection }).workflow.getHandle(orderWorkflowId(orderId)).fetchHistory()).events ?? [];
      } finally {
        await connection.close();
      }
    },
    async stop() {
      await recordHistories(temporalAddress, config.TEMPORAL_TASK_QUEUE);
      await product.stop();
      await simulator.close();
      await receiver.close();
    },
  };
}
