import type { FastifyError, FastifyInstance } from 'fastify';
import { isTemporalUnavailable } from '../temporal/grpc-status';

/** Seconds an admin client should wait before retrying when Temporal did not answer (webhooks use their own). */
export const TEMPORAL_RETRY_AFTER_S = '5';

/**
 * Every error leaves as `{ error, message }` JSON with the right status: Fastify's own (body too large,
 * bad content type, malformed JSON) keep their 4xx; Temporal not answering is a 503 to retry; anything else
 * unexpected is a 500 that reveals nothing internal.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isTemporalUnavailable(err)) {
      req.log.warn({ err }, 'Temporal did not answer');
      reply.header('Retry-After', TEMPORAL_RETRY_AFTER_S);
      return reply.code(503).send({ error: 'temporal_unavailable', message: 'Temporal, or the worker that answers for this order, did not respond in time; retry later' });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.code(status).send({ error: 'internal_error', message: 'internal error; retry later' });
    }
    const code = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body_too_large' : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : (err.code ?? 'bad_request');
    return reply.code(status).send({ error: code.toLowerCase(), message: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
}
