import type { FastifyInstance } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER, SIGNATURE_HEADER, verifyServiceUpdateSignature } from '../service-update/contract';

/** Path of the built-in demo receiver on the admin port. */
export const DEMO_RECEIVER_PATH = '/demo/service-update';

/**
 * A stand-in for the merchant's service when `FULFILLMENT_URL` is not set in simulator mode: it checks the
 * signature like a merchant should, logs what it got, and answers 409 for an idempotency key it has seen.
 */
export function demoServiceReceiver(secret: string) {
  const seen = new Set<string>();
  return (app: FastifyInstance): Promise<void> => {
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.post(DEMO_RECEIVER_PATH, async (req, reply) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      const signature = req.headers[SIGNATURE_HEADER.toLowerCase()];
      if (!verifyServiceUpdateSignature(raw, typeof signature === 'string' ? signature : undefined, secret)) {
        return reply.code(401).send({ error: 'bad_signature' });
      }
      const key = String(req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()] ?? '');
      if (seen.has(key)) return reply.code(409).send({ status: 'already_done', idempotencyKey: key });
      seen.add(key);
      req.log.info({ idempotencyKey: key, update: JSON.parse(raw) as unknown }, 'demo receiver: service update received (deliver the goods here)');
      return reply.code(200).send({ status: 'done', idempotencyKey: key });
    });
    return Promise.resolve();
  };
}
