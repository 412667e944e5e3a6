import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PayPalHttpError, internalServerError } from './errors';
import { debugId } from './ids';
import type { ApiAnswer } from './state/context';

// Raw request bodies by request, kept outside the request object so no global Fastify type augmentation is
// needed (that would leak into the rest of the project).
const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/** The exact bytes of a JSON request body (empty buffer if there was none). */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return rawBodies.get(request) ?? Buffer.alloc(0);
}

/** The `PayPal-Request-Id` header, if any. */
export function paypalRequestId(request: FastifyRequest): string | undefined {
  const value = request.headers['paypal-request-id'];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Sends a pre-serialised answer (so idempotent replays are byte-identical). */
export function sendAnswer(reply: FastifyReply, answer: ApiAnswer): FastifyReply {
  return reply.code(answer.statusCode).type('application/json').send(answer.body);
}

/**
 * JSON bodies are kept raw (verify-webhook-signature needs the exact bytes) and parsed leniently: PayPal accepts
 * an empty body on POSTs such as capture. Form bodies are for the OAuth token endpoint.
 */
export function registerParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    rawBodies.set(request, raw);
    if (raw.length === 0 || raw.toString('utf8').trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')) as unknown);
    } catch {
      done(
        new PayPalHttpError(400, {
          name: 'INVALID_REQUEST',
          message: 'Request is not well-formed, syntactically incorrect, or violates schema.',
          debug_id: debugId(),
          details: [{ issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed.', location: 'body', field: '/' }],
          links: [],
        }),
      );
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/** Errors become PayPal-shaped answers; anything unexpected is a PayPal-style 500 (and logged). */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof PayPalHttpError) return reply.code(err.statusCode).send(err.body);
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send({ name: 'INVALID_REQUEST', message: (err as Error).message, debug_id: debugId(), links: [] });
    }
    request.log.error({ err }, 'simulator: unexpected error');
    return reply.code(500).send(internalServerError().body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      name: 'RESOURCE_NOT_FOUND',
      message: 'The specified resource does not exist.',
      debug_id: debugId(),
      details: [{ issue: 'INVALID_RESOURCE_ID', description: `No route ${request.method} ${request.url.split('?')[0]}` }],
      links: [],
    }),
  );
}
