import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { metrics } from '../metrics';
import type { WebhookVerifier } from '../paypal/signature';
import { webhookEventSchema } from '../paypal/events';
import type { EventRouter } from '../routing/event-router';

/** What the webhook route needs; injected so tests can build the app without a port. */
export interface WebhookRouteOptions {
  verifier: WebhookVerifier;
  /** Event → order → durable signal; the same instance serves the webhook sweep, so both take one path. */
  router: EventRouter;
  maxBodyBytes: number;
}

/** Seconds PayPal (or any sender) should wait before retrying after a 503. */
const RETRY_AFTER_S = '30';

/**
 * `POST /webhooks/paypal`: raw bytes → signature → parse → route to the order (src/routing) → durable signal → 200.
 * Answers 2xx only after Temporal persisted the event; 5xx when it could not (PayPal then redelivers), 4xx with a
 * reason for requests that will never be valid. Unknown event types are acknowledged so PayPal stops sending them.
 */
export const webhookRoutes: FastifyPluginAsync<WebhookRouteOptions> = async (app, opts) => {
  // The signature covers the exact bytes received, so the body stays a Buffer; JSON is parsed after verification.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json'], { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_req, _body, done) =>
    done(Object.assign(new Error('webhooks must be sent as application/json'), { statusCode: 415, code: 'unsupported_media_type' })),
  );

  // What each request turned out to be: recorded once its answer is sent, as metrics and one log line (the public
  // app turns off Fastify's two request lines; this line carries their method, URL, status and time).
  const outcomes = new WeakMap<FastifyRequest, WebhookOutcome>();
  app.addHook('onResponse', async (req, reply) => {
    const seen = outcomes.get(req) ?? {};
    const status = reply.statusCode;
    const outcome = seen.outcome ?? (status >= 500 ? 'unavailable' : 'rejected');
    metrics.webhooks.inc({ event_type: seen.eventType ?? 'unknown', outcome });
    metrics.intakeLatency.observe({ outcome }, reply.elapsedTime / 1000);
    const failed = outcome === 'rejected' || outcome === 'unavailable';
    const reason = seen.reason ?? (failed ? `http_${status}` : undefined);
    if (failed && reason) {
      metrics.webhookFailures.inc({ reason });
      if (seen.verification) metrics.verificationFailures.inc({ code: reason });
    }
    const line = { method: req.method, url: req.url, statusCode: status, ms: Math.round(reply.elapsedTime * 10) / 10, outcome, reason, detail: seen.detail, eventId: seen.eventId, eventType: seen.eventType, orderId: seen.orderId, workflowId: seen.workflowId };
    if (outcome === 'unavailable') req.log.error(line, 'webhook not recorded; PayPal will deliver it again');
    else if (failed || seen.reason === 'unroutable') req.log.warn(line, `webhook ${outcome}`);
    else req.log.info(line, `webhook ${outcome}`);
  });

  app.post('/webhooks/paypal', async (req, reply) => {
    const note = (info: WebhookOutcome) => outcomes.set(req, { ...outcomes.get(req), ...info });
    const raw = req.body;
    if (!Buffer.isBuffer(raw) || raw.length === 0) return reply.code(400).send({ error: 'empty_body', message: 'the request has no body' });

    const verified = await opts.verifier.verify(req.headers, raw);
    if (!verified.ok) {
      const { status, code, message } = verified.failure;
      note({ reason: code, verification: true, detail: message });
      if (status === 503) reply.header('Retry-After', RETRY_AFTER_S);
      return reply.code(status).send({ error: code, message });
    }

    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      note({ reason: 'invalid_json' });
      return reply.code(400).send({ error: 'invalid_json', message: 'the body is not valid JSON' });
    }
    const parsed = webhookEventSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      note({ reason: 'invalid_event' });
      return reply.code(400).send({ error: 'invalid_event', message: `not a PayPal webhook event: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim() });
    }
    const event = parsed.data;
    note({ eventId: event.id, eventType: event.event_type });
    const result = await opts.router.route(event);
    switch (result.outcome) {
      case 'accepted':
        // A duplicate was recorded before (or just now, by the copy it arrived with): answered without Temporal.
        note({ outcome: result.alreadyRecorded ? 'duplicate' : 'accepted', orderId: result.orderId, workflowId: result.workflowId });
        return reply.code(200).send({ status: 'accepted', orderId: result.orderId, workflowId: result.workflowId, ...(result.alreadyRecorded ? { alreadyRecorded: true } : {}) });
      case 'ignored':
        // Authentic but about nothing we handle or no order we can find: retrying would not change that, so
        // acknowledge (PayPal stops sending) and log; unroutable events loudly.
        note({ outcome: 'ignored', reason: result.kind === 'unhandled_type' ? 'unhandled_type' : 'unroutable', detail: result.reason });
        return reply.code(200).send({ status: 'ignored', reason: result.reason });
      case 'paypal_unavailable':
        note({ reason: 'paypal_unavailable' });
        req.log.error({ err: result.error, eventId: event.id, captureId: result.captureId }, 'could not map capture to its order; asking PayPal to retry');
        reply.header('Retry-After', RETRY_AFTER_S);
        return reply.code(503).send({ error: 'paypal_unavailable', message: 'could not look up the capture at PayPal; retry later' });
      case 'temporal_unavailable':
        note({ reason: 'temporal_unavailable', orderId: result.orderId });
        req.log.error({ err: result.error, eventId: event.id, orderId: result.orderId }, 'Temporal did not record the webhook; asking PayPal to retry');
        reply.header('Retry-After', RETRY_AFTER_S);
        return reply.code(503).send({ error: 'temporal_unavailable', message: 'the event could not be recorded; retry later' });
    }
  });
};

/** What the route learnt about one webhook request, for its metrics and its log line. */
interface WebhookOutcome {
  eventId?: string;
  eventType?: string;
  orderId?: string;
  workflowId?: string;
  outcome?: 'accepted' | 'duplicate' | 'ignored';
  /** Why it was rejected, not recorded, or ignored (a verification code, `invalid_json`, `unroutable`, ...). */
  reason?: string;
  /** Human-readable detail of the reason. */
  detail?: string;
  verification?: boolean;
}
