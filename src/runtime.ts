import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createActivities } from './activities';
import { buildAdminApp, buildOpsApp } from './api/admin-app';
import type { OpsRouteOptions } from './api/ops';
import { metrics } from './metrics';
import { temporalConnectionOptions } from './temporal/connection';
import { buildPublicApp } from './api/public-app';
import { orderTiming, paypalApiBase, type Config } from './config';
import { DEMO_RECEIVER_PATH, demoServiceReceiver } from './demo/service-receiver';
import type { Logger } from './logger';
import { createApiVerifier } from './paypal/api-verifier';
import { PayPalClient } from './paypal/client';
import { orderIdForCapture } from './paypal/order-for-capture';
import { createOfflineVerifier, type WebhookVerifier } from './paypal/signature';
import { startSimulator, type RunningSimulator } from './simulator';
import { createEventRouter } from './routing/event-router';
import { OrdersClient } from './temporal/orders-client';
import { ensureSweepSchedule, pauseSweepSchedule } from './temporal/schedules';
import { installTemporalRuntime } from './temporal/sdk-logger';
import { setupTracing } from './telemetry/tracing';
import { createOrderWorker } from './temporal/worker';

/** Which parts this process runs: everything (local), or the API and the worker apart (production scaling). */
export type Role = 'all' | 'api' | 'worker';

/** A running product; `stop()` shuts it down in dependency order and leaves nothing behind. */
export interface RunningProduct {
  publicUrl?: string;
  adminUrl?: string;
  adminToken?: string;
  simulator?: RunningSimulator;
  orders: OrdersClient;
  worker?: Worker;
  stop(): Promise<void>;
}

/** Options beyond the environment. */
export interface StartOptions {
  config: Config;
  logger: Logger;
  temporalAddress: string;
  /** True for a configured cluster (TLS / API key from envconfig), false for the embedded dev server. */
  externalTemporal?: boolean;
  role?: Role;
  /** An already running simulator (tests share one); otherwise one is started when PAYPAL_ENV=simulator. */
  simulator?: RunningSimulator;
}

/**
 * Wires the product together from its configuration: PayPal client (or simulator), webhook verifier, Temporal
 * client, worker, public and admin APIs. Used by `npm start` and by the integration tests alike.
 */
export async function startProduct(opts: StartOptions): Promise<RunningProduct> {
  const { config, logger } = opts;
  const role = opts.role ?? 'all';
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => logger.error({ err }, 'shutdown step failed'));
  };
  try {
    // First in, last out: the final cleanup flushes the spans of everything that shut down before it.
    const tracing = setupTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME, logger });
    if (tracing) cleanups.push(() => tracing.shutdown());
    let simulator = opts.simulator;
    if (!simulator && config.PAYPAL_ENV === 'simulator' && !config.PAYPAL_API_BASE && role === 'all') {
      simulator = await startSimulator({ port: config.PAYPAL_SIMULATOR_PORT, logger: logger.child({ component: 'simulator' }) });
      const started = simulator;
      cleanups.push(() => started.close());
    }
    const paypal = new PayPalClient({
      baseUrl: paypalApiBase(config, simulator?.url),
      clientId: config.PAYPAL_CLIENT_ID ?? simulator?.clientId ?? 'sim-client-id',
      clientSecret: config.PAYPAL_CLIENT_SECRET ?? simulator?.clientSecret ?? 'sim-client-secret',
    });

    const connectionOptions = temporalConnectionOptions(opts.temporalAddress, opts.externalTemporal ?? false);
    const connection = await Connection.connect(connectionOptions);
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracing?.clientInterceptors });
    const orders = new OrdersClient(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, autoCapture: config.PAYPAL_AUTO_CAPTURE, timing: orderTiming(config), recordTimeoutMs: config.TEMPORAL_RECORD_TIMEOUT_MS, traced: tracing !== undefined });
    const product: RunningProduct = { orders, simulator, stop };

    // One router for the intake and the webhook sweep: a listed event and a delivered one take exactly one path.
    const router = createEventRouter({ orders, orderIdForCapture: (captureId) => orderIdForCapture(paypal, captureId), remember: config.WEBHOOK_EVENT_MEMORY });
    const demoSecret = randomBytes(32).toString('hex');
    const ops: OpsRouteOptions = {
      metrics,
      readiness: {
        temporal: () => connection.withDeadline(Date.now() + 2000, () => connection.workflowService.getSystemInfo({})).then(() => true as const),
        ...(role !== 'api' ? { worker: () => Promise.resolve(product.worker?.getState() === 'RUNNING' || `worker is ${product.worker?.getState() ?? 'not started'}`) } : {}),
      },
      sdkMetricsUrl: role !== 'api' && config.TEMPORAL_SDK_METRICS_PORT > 0 ? `http://127.0.0.1:${config.TEMPORAL_SDK_METRICS_PORT}/metrics` : undefined,
    };
    if (role !== 'worker') {
      const publicApp = await buildPublicApp({
        logger: logger.child({ component: 'intake' }),
        verifier: buildVerifier(config, paypal, simulator),
        router,
        maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
      });
      product.publicUrl = await listen(publicApp, config.HOST, config.PORT, cleanups);
      product.adminToken = config.ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
      const adminApp = await buildAdminApp({
        logger: logger.child({ component: 'admin' }),
        adminToken: product.adminToken,
        orders,
        ops,
        unauthenticated: config.FULFILLMENT_URL ? undefined : demoServiceReceiver(demoSecret),
      });
      product.adminUrl = await listen(adminApp, config.ADMIN_HOST, config.ADMIN_PORT, cleanups);
      simulator?.setWebhookUrl(`${loopbackUrl(product.publicUrl)}/webhooks/paypal`);
    }

    if (role !== 'api') {
      const serviceUrl = config.FULFILLMENT_URL ?? (product.adminUrl ? `${loopbackUrl(product.adminUrl)}${DEMO_RECEIVER_PATH}` : undefined);
      if (!serviceUrl) throw new Error('FULFILLMENT_URL is required for a worker-only process');
      installTemporalRuntime(logger, config.TEMPORAL_SDK_METRICS_PORT);
      const nativeConnection = await NativeConnection.connect(connectionOptions);
      cleanups.push(() => nativeConnection.close());
      const worker = await createOrderWorker({
        connection: nativeConnection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        activities: createActivities({
          paypal,
          serviceUpdate: { url: serviceUrl, secret: config.FULFILLMENT_SECRET ?? demoSecret, timeoutMs: config.FULFILLMENT_TIMEOUT_MS },
          alertWebhookUrl: config.ALERT_WEBHOOK_URL,
          router,
        }),
        interceptors: tracing?.workerInterceptors,
        sinks: tracing?.sinks,
        maxCachedWorkflows: config.TEMPORAL_MAX_CACHED_WORKFLOWS,
      });
      const running = worker.run();
      // Shutdown drains: the worker stops polling, in-flight activities get the grace time, then run() resolves.
      cleanups.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      });
      running.catch((err: unknown) => logger.fatal({ err }, 'worker stopped unexpectedly'));
      product.worker = worker;
      // A worker-only process still answers its orchestrator's health, readiness and metrics probes.
      if (role === 'worker') product.adminUrl = await listen(await buildOpsApp({ logger: logger.child({ component: 'ops' }), ops }), config.ADMIN_HOST, config.ADMIN_PORT, cleanups);
      await syncSweepSchedule(client, config, logger);
    }
    return product;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The configured webhook verifier: offline (default, PayPal's preferred method) or PayPal's verify API. */
function buildVerifier(config: Config, paypal: PayPalClient, simulator: RunningSimulator | undefined): WebhookVerifier {
  const webhookId = config.PAYPAL_WEBHOOK_ID ?? simulator?.webhookId ?? 'SIM-WEBHOOK-ID';
  // Replay protection: transmissions older than PayPal's retry horizon (3 days) or from the future are refused.
  const window = { maxBehindMs: config.PAYPAL_TRANSMISSION_MAX_AGE, maxAheadMs: config.PAYPAL_TRANSMISSION_MAX_FUTURE };
  if (config.PAYPAL_WEBHOOK_VERIFY === 'api') {
    return createApiVerifier({ webhookId, callVerifyApi: (body) => paypal.verifyWebhookSignature(body), ...window });
  }
  const anchors = [...(config.PAYPAL_CA_FILE ? [readFileSync(config.PAYPAL_CA_FILE, 'utf8')] : []), ...(simulator ? [simulator.caPem] : [])];
  const simulatorHost = simulator ? new URL(simulator.certUrl).host : undefined;
  return createOfflineVerifier({
    webhookId,
    environment: config.PAYPAL_ENV,
    allowedCertHosts: config.PAYPAL_CERT_HOSTS ?? (simulatorHost ? [simulatorHost] : undefined),
    extraTrustAnchorsPem: anchors,
    caIssuerHosts: config.PAYPAL_CA_ISSUER_HOSTS,
    ...window,
  });
}

/**
 * Keeps the webhook sweep schedule in line with the configuration: created or updated when on, paused when off.
 * A failure is logged, not fatal: the sweep is a safety net for lost webhooks, and the intake and the order
 * workflows work without it; `ppf setup` (or the next worker start) repairs it.
 */
async function syncSweepSchedule(client: Client, config: Config, logger: Logger): Promise<void> {
  const log = logger.child({ component: 'sweep-schedule' });
  try {
    await client.withDeadline(Date.now() + 15_000, async () => {
      if (config.WEBHOOK_SWEEP_INTERVAL > 0) {
        const { scheduleId, created } = await ensureSweepSchedule(client, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          every: config.WEBHOOK_SWEEP_INTERVAL,
          lookbackMs: config.WEBHOOK_SWEEP_LOOKBACK,
        });
        log.info({ scheduleId, created, everyMs: config.WEBHOOK_SWEEP_INTERVAL, lookbackMs: config.WEBHOOK_SWEEP_LOOKBACK }, 'webhook sweep scheduled');
      } else if (await pauseSweepSchedule(client, config.TEMPORAL_TASK_QUEUE)) {
        log.info('webhook sweep schedule paused (WEBHOOK_SWEEP_INTERVAL=off)');
      }
    });
  } catch (err) {
    log.error({ err }, 'could not set up the webhook sweep schedule; missed webhooks are not swept until it is (run `ppf setup`)');
  }
}

async function listen(app: FastifyInstance, host: string, port: number, cleanups: (() => Promise<void>)[]): Promise<string> {
  await app.listen({ host, port });
  cleanups.push(() => app.close());
  const address = app.server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost}:${address.port}`;
}

/** A URL this machine can call itself on (0.0.0.0 / :: are bind addresses, not destinations). */
function loopbackUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
}
