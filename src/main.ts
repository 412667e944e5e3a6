// `npm start`: the whole product on embedded defaults (dev server, simulator, worker, APIs), or one role of it
// (`npm run start:api`, `npm run start:worker`) against an existing Temporal cluster.
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startProduct, type Role } from './runtime';
import { startDevServer, type RunningDevServer } from './temporal/dev-server';

async function main(): Promise<void> {
  const role = parseRole(process.argv[2]);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL, { role });
  const startedAt = Date.now();

  let devServer: RunningDevServer | undefined;
  let temporalAddress = config.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    devServer = await startDevServer({
      dbFilename: resolve(join(config.DATA_DIR, 'temporal.sqlite')),
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      log: (msg) => logger.info(msg),
    });
    temporalAddress = devServer.address;
  }

  let product;
  try {
    product = await startProduct({ config, logger, temporalAddress, role, externalTemporal: devServer === undefined });
  } catch (err) {
    await devServer?.stop();
    throw err;
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining the worker, closing APIs');
    await product.stop();
    await devServer?.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const lines = [
    '',
    `PayPal fulfilment is running (${role}, ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
    product.publicUrl && `  Webhook intake     POST ${product.publicUrl}/webhooks/paypal`,
    product.adminUrl && `  Admin API          ${product.adminUrl}  (Authorization: Bearer ${config.ADMIN_TOKEN ? '$ADMIN_TOKEN' : product.adminToken})`,
    `  Temporal           ${temporalAddress} namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE}`,
    devServer?.uiUrl && `  Temporal UI        ${devServer.uiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows`,
    product.simulator && `  PayPal simulator   ${product.simulator.url}  (try: curl -XPOST ${product.simulator.url}/simulator/checkout -H 'content-type: application/json' -d '{"amount":{"currency_code":"USD","value":"12.34"}}')`,
    !config.FULFILLMENT_URL && product.adminUrl && `  Service updates    built-in demo receiver (set FULFILLMENT_URL for your service)`,
    '  Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.filter(Boolean).join('\n'));
}

function parseRole(arg: string | undefined): Role {
  if (arg === undefined || arg === 'all') return 'all';
  if (arg === 'api' || arg === 'worker') return arg;
  console.error(`unknown role "${arg}": use all, api or worker`);
  process.exit(2);
}

main().catch((err: unknown) => {
  console.error('failed to start:', err);
  process.exit(1);
});
