import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { bearerAuth } from './admin-auth';
import { installErrorHandler } from './errors';
import { openApiDocument } from './openapi';
import { opsRoutes, type OpsRouteOptions } from './ops';
import { orderRoutes, type OrderRouteOptions } from './orders';

/** Dependencies of the admin app (support and ops; bound to loopback unless a token is configured). */
export interface AdminAppOptions extends OrderRouteOptions {
  logger: Logger;
  adminToken: string;
  ops: OpsRouteOptions;
  /** Extra plugins mounted without the bearer check (e.g. the demo service-update receiver, which checks HMACs). */
  unauthenticated?: (app: FastifyInstance) => Promise<void>;
}

/**
 * Builds the admin app without listening. Health, readiness, metrics and the API description (`/docs`) are open
 * (they reveal no order data); every order route requires the bearer token.
 */
export async function buildAdminApp(opts: AdminAppOptions): Promise<FastifyInstance> {
  const app = await buildOpsApp({ logger: opts.logger, ops: opts.ops });
  app.get('/docs', () => openApiDocument());
  if (opts.unauthenticated) await app.register(opts.unauthenticated);
  await app.register(async (secured) => {
    secured.addHook('onRequest', bearerAuth(opts.adminToken));
    await secured.register(orderRoutes, { orders: opts.orders });
  });
  return app;
}

/** Only `/healthz`, `/readyz` and `/metrics`: what a worker-only process serves for its orchestrator. */
export async function buildOpsApp(opts: { logger: Logger; ops: OpsRouteOptions }): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({ loggerInstance: opts.logger, bodyLimit: 64 * 1024 });
  installErrorHandler(app);
  await app.register(opsRoutes, opts.ops);
  return app;
}
