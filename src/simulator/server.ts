import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerApiFaults } from './api-faults';
import { registerAuth } from './auth';
import { registerControlRoutes } from './control-routes';
import type { ServerDeps } from './deps';
import { registerErrorHandling, registerParsers } from './http';
import { registerNotificationsRoutes } from './notifications-routes';
import { registerOrdersRoutes } from './orders-routes';
import { registerPaymentsRoutes } from './payments-routes';

/**
 * Assembles the simulator's Fastify app: parsers, PayPal-shaped errors, API faults, then auth (hook order
 * matters: a fault may hit even an unauthenticated call, as an overloaded PayPal edge would), then the routes.
 */
export function buildSimulatorServer(deps: ServerDeps, logger: FastifyBaseLogger | false): FastifyInstance {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // Keep-alive connections from clients must not hold close() open.
    forceCloseConnections: true,
    bodyLimit: 1024 * 1024,
  }) as unknown as FastifyInstance;
  registerParsers(app);
  registerErrorHandling(app);
  registerApiFaults(app, deps.faults);
  registerAuth(app, deps);
  registerOrdersRoutes(app, deps);
  registerPaymentsRoutes(app, deps);
  registerNotificationsRoutes(app, deps);
  registerControlRoutes(app, deps);
  return app;
}
