import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { installErrorHandler } from './errors';
import { webhookRoutes, type WebhookRouteOptions } from './webhooks';

/** Dependencies of the internet-facing app (only the webhook intake and a liveness probe). */
export interface PublicAppOptions extends WebhookRouteOptions {
  logger: Logger;
}

/** Builds the public app without listening, so tests can use `app.inject()`. */
export async function buildPublicApp(opts: PublicAppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: opts.logger,
    bodyLimit: opts.maxBodyBytes,
    // The webhook route logs one line per request (with its outcome) instead of Fastify's two; probes stay quiet.
    logController: new LogController({ disableRequestLogging: true }),
  });
  installErrorHandler(app);
  app.get('/healthz', () => ({ status: 'ok' }));
  await app.register(webhookRoutes, opts);
  return app;
}
