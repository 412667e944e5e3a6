import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from './deps';
import { PayPalHttpError, notFound } from './errors';
import type { EventRecord } from './events';
import { rawBodyOf } from './http';
import { debugId } from './ids';
import { findTopLevelValue } from './json-span';
import { verifyTransmission } from './signing';

const VERIFY_FIELDS = ['auth_algo', 'cert_url', 'transmission_id', 'transmission_sig', 'transmission_time', 'webhook_id', 'webhook_event'] as const;

/** PayPal's Webhooks API answers validation problems in this shape (name, message, debug_id required). */
function validationError(field: string, issue: string): PayPalHttpError {
  return new PayPalHttpError(400, {
    name: 'VALIDATION_ERROR',
    message: 'Invalid request - see details',
    debug_id: debugId(),
    details: [{ field, location: 'body', issue }],
    links: [],
  });
}

/** Parses an RFC 3339 query parameter; throws a PayPal-style 400 when present but invalid. */
function timeParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw validationError(name, 'Invalid date-time format');
  return t;
}

/** PayPal Webhooks subset: signature verification, certificate download, event listing and resend. */
export function registerNotificationsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post('/v1/notifications/verify-webhook-signature', (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    for (const field of VERIFY_FIELDS) {
      if (body[field] === undefined || body[field] === '') throw validationError(field, 'Required field cannot be blank');
    }
    // The signature covers the bytes the receiver got; take them from the raw request, never re-serialise.
    const raw = rawBodyOf(request);
    const span = findTopLevelValue(raw, 'webhook_event');
    if (!span) throw validationError('webhook_event', 'Invalid JSON');
    const certPath = new URL(deps.certUrl()).pathname;
    let certOk = false;
    try {
      certOk = new URL(String(body.cert_url)).pathname === certPath;
    } catch {
      certOk = false;
    }
    const ok =
      certOk &&
      body.auth_algo === 'SHA256withRSA' &&
      verifyTransmission({
        transmissionId: String(body.transmission_id),
        transmissionTime: String(body.transmission_time),
        webhookId: String(body.webhook_id),
        signature: String(body.transmission_sig),
        rawBody: raw.subarray(span.start, span.end),
        certPem: deps.pki.leafPem,
      });
    return { verification_status: ok ? 'SUCCESS' : 'FAILURE' };
  });

  app.get<{ Params: { certId: string } }>('/v1/notifications/certs/:certId', async (request, reply) => {
    if (request.params.certId !== deps.certId) throw notFound(request.params.certId);
    return reply.type('text/plain').send(deps.pki.leafPem);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/v1/notifications/webhooks-events', (request) => {
    const q = request.query;
    const pageSize = q.page_size === undefined ? 10 : Number(q.page_size);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 300) throw validationError('page_size', 'Must be between 1 and 300');
    const start = timeParam(q.start_time, 'start_time');
    const end = timeParam(q.end_time, 'end_time');
    let matching = deps.events.newestFirst().filter((r: EventRecord) => {
      const t = Date.parse(r.event.create_time);
      return (start === undefined || t >= start) && (end === undefined || t <= end) && (!q.event_type || r.event.event_type === q.event_type);
    });
    // Cursor paging: `next_id` is the first event of the next page (stable while new events arrive on top).
    if (q.next_id) {
      const index = matching.findIndex((r) => r.event.id === q.next_id);
      matching = index < 0 ? [] : matching.slice(index);
    }
    const page = matching.slice(0, pageSize);
    const base = `${deps.ctx.baseUrl()}/v1/notifications/webhooks-events`;
    const links: { href: string; rel: string; method: 'GET' }[] = [];
    const next = matching[pageSize];
    if (next) {
      const params = new URLSearchParams({ ...Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Record<string, string>, page_size: String(pageSize), next_id: next.event.id });
      links.push({ href: `${base}?${params.toString()}`, rel: 'next', method: 'GET' });
    }
    return { events: page.map((r) => r.event), count: page.length, links };
  });

  app.get<{ Params: { id: string } }>('/v1/notifications/webhooks-events/:id', (request) => {
    const record = deps.events.get(request.params.id);
    if (!record) throw notFound(request.params.id);
    return record.event;
  });

  app.post<{ Params: { id: string } }>('/v1/notifications/webhooks-events/:id/resend', async (request, reply) => {
    const record = deps.events.get(request.params.id);
    if (!record) throw notFound(request.params.id);
    deps.dispatcher.redeliver(record);
    return reply.code(202).send(record.event);
  });
}
