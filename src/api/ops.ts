import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics';

/** What the ops routes need. */
export interface OpsRouteOptions {
  metrics: Metrics;
  /** Checks for `/readyz` (e.g. Temporal reachable, worker polling); each returns true or a reason. */
  readiness: Record<string, () => Promise<true | string>>;
  /** The Temporal core runtime's Prometheus endpoint, appended to `/metrics` when set. */
  sdkMetricsUrl?: string;
}

/**
 * `/healthz` (the process is alive), `/readyz` (it can do its job: orchestrators route traffic only when ready)
 * and `/metrics` (Prometheus text: ours, then the Temporal SDK's). Unauthenticated, like health checks usually
 * are; they reveal no order data.
 */
export const opsRoutes: FastifyPluginAsync<OpsRouteOptions> = async (app, opts) => {
  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const checks: Record<string, true | string> = {};
    await Promise.all(
      Object.entries(opts.readiness).map(async ([name, check]) => {
        checks[name] = await check().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
      }),
    );
    const ready = Object.values(checks).every((v) => v === true);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/metrics', async (_req, reply) => {
    let text = await opts.metrics.registry.metrics();
    if (opts.sdkMetricsUrl) {
      try {
        const res = await fetch(opts.sdkMetricsUrl, { signal: AbortSignal.timeout(2000) });
        if (res.ok) text += `\n# Temporal SDK metrics\n${await res.text()}`;
      } catch {
        text += '\n# Temporal SDK metrics unavailable\n';
      }
    }
    return reply.type(opts.metrics.registry.contentType).send(text);
  });
};
