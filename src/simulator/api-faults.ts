import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { internalServerError, rateLimitReached, type PayPalHttpError } from './errors';
import type { FaultState } from './faults';

const lateFailures = new WeakMap<FastifyRequest, PayPalHttpError>();

function faultError(status: 500 | 429): PayPalHttpError {
  return status === 429 ? rateLimitReached() : internalServerError();
}

/**
 * Applies API fault injection to PayPal API paths (never to `/simulator/*`): added latency, and failures either
 * before the handler runs or after it ran (the work is done but the caller sees an error, like a lost response).
 * Registered before auth so a fault can hit any call, the token endpoint included.
 */
export function registerApiFaults(app: FastifyInstance, faults: FaultState): void {
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/simulator/')) return;
    const decision = faults.forApiCall(request.method, path);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (!decision.fail) return;
    if (decision.fail.when === 'before') throw faultError(decision.fail.status);
    lateFailures.set(request, faultError(decision.fail.status));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const late = lateFailures.get(request);
    if (!late) return payload;
    lateFailures.delete(request);
    reply.code(late.statusCode).type('application/json');
    return JSON.stringify(late.body);
  });
}
