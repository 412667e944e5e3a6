import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { moneySchema } from '../paypal/schemas';
import type { ServerDeps } from './deps';
import { notFound } from './errors';
import type { EventRecord } from './events';
import { faultsInputSchema } from './faults';
import { controlError } from './state/context';
import { approveOrder, createOrder, reverseApproval } from './state/orders';
import { reverseCapture, settleCapture } from './state/payments';
import { renderCapture, renderOrder, renderRefund } from './state/render';

const outcome = z.enum(['COMPLETED', 'PENDING', 'DECLINED']).optional();
// PayPal's status_details.reason alphabet.
const pendingReason = z.string().regex(/^[A-Z_]+$/).max(64).optional();

const approveSchema = z.object({ captureOutcome: outcome, pendingReason }).default({});
const checkoutSchema = z.object({
  amount: moneySchema,
  intent: z.enum(['CAPTURE', 'AUTHORIZE']).default('CAPTURE'),
  custom_id: z.string().optional(),
  invoice_id: z.string().optional(),
  description: z.string().optional(),
  captureOutcome: outcome,
  pendingReason,
  approve: z.boolean().default(true),
  // Further purchase units by amount (a multi-seller payment); the first unit is `amount` with the fields above.
  otherUnits: z.array(moneySchema).max(9).default([]),
});
const reverseSchema = z.object({ amount: moneySchema.optional() }).default({});
const webhookUrlSchema = z.object({ url: z.url({ protocol: /^https?$/ }).optional() });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? undefined);
  if (!result.success) throw controlError(400, z.prettifyError(result.error));
  return result.data;
}

/** Summary of an event for the control API: the event plus its delivery state. */
function eventView(r: EventRecord): Record<string, unknown> {
  return { id: r.event.id, eventType: r.event.event_type, createTime: r.event.create_time, orderId: r.orderId, status: r.status, attempts: r.attempts.length, event: r.event };
}

type IdParams = { Params: { id: string } };

/** The simulator's own endpoints (`/simulator/*`): buyer actions, settlement, reversals, faults, inspection. */
export function registerControlRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;
  const order = (id: string) => renderOrder(ctx.store.orders.get(id)!, ctx.store, ctx.baseUrl());

  app.get('/simulator/health', () => ({ ok: true, url: ctx.baseUrl(), webhookUrl: deps.getWebhookUrl() ?? null }));

  app.put('/simulator/webhook-url', (request) => {
    const { url } = parse(webhookUrlSchema, request.body ?? {});
    deps.setWebhookUrl(url);
    return { webhookUrl: url ?? null };
  });

  app.post<IdParams>('/simulator/orders/:id/approve', (request) => {
    const opts = parse(approveSchema, request.body);
    return order(approveOrder(ctx, request.params.id, opts).id);
  });

  // The approve link of created orders points here, so a browser demo can "pay" with one click.
  app.get<{ Querystring: { token?: string } }>('/simulator/checkoutnow', async (request, reply) => {
    const id = request.query.token ?? '';
    approveOrder(ctx, id);
    return reply.type('text/html').send(`<!doctype html><title>Approved</title><p>Order <code>${id.replace(/[^A-Z0-9]/g, '')}</code> approved by the simulated buyer.</p>`);
  });

  app.post('/simulator/checkout', async (request, reply) => {
    const input = parse(checkoutSchema, request.body);
    const created = createOrder(ctx, {
      intent: input.intent,
      purchase_units: [
        {
          amount: input.amount,
          ...(input.custom_id === undefined ? {} : { custom_id: input.custom_id }),
          ...(input.invoice_id === undefined ? {} : { invoice_id: input.invoice_id }),
          ...(input.description === undefined ? {} : { description: input.description }),
        },
        ...input.otherUnits.map((amount) => ({ amount })),
      ],
    });
    if (input.approve) approveOrder(ctx, created.id, { ...(input.captureOutcome ? { captureOutcome: input.captureOutcome } : {}), ...(input.pendingReason ? { pendingReason: input.pendingReason } : {}) });
    return reply.code(201).send({ orderId: created.id, status: created.status, order: order(created.id) });
  });

  app.post<IdParams>('/simulator/orders/:id/reverse-approval', (request) => order(reverseApproval(ctx, request.params.id).id));

  app.post<IdParams>('/simulator/captures/:id/complete', (request) => renderCapture(settleCapture(ctx, request.params.id, 'complete'), ctx.baseUrl()));
  app.post<IdParams>('/simulator/captures/:id/deny', (request) => renderCapture(settleCapture(ctx, request.params.id, 'deny'), ctx.baseUrl()));
  app.post<IdParams>('/simulator/captures/:id/reverse', (request) => {
    const { amount } = parse(reverseSchema, request.body);
    return renderRefund(reverseCapture(ctx, request.params.id, amount), ctx.baseUrl());
  });

  app.get('/simulator/faults', () => deps.faults.snapshot());
  app.post('/simulator/faults', (request) => {
    deps.faults.set(parse(faultsInputSchema, request.body));
    return deps.faults.snapshot();
  });
  app.delete('/simulator/faults', () => {
    deps.faults.clear();
    return deps.faults.snapshot();
  });

  app.get<{ Querystring: { orderId?: string; eventType?: string } }>('/simulator/events', (request) => {
    const { orderId, eventType } = request.query;
    const events = deps.events.newestFirst().filter((r) => (!orderId || r.orderId === orderId) && (!eventType || r.event.event_type === eventType));
    return { events: events.map(eventView) };
  });

  app.post<IdParams>('/simulator/events/:id/redeliver', async (request, reply) => {
    const record = deps.events.get(request.params.id);
    if (!record) throw notFound(request.params.id);
    deps.dispatcher.redeliver(record);
    return reply.code(202).send(eventView(record));
  });

  app.get<{ Querystring: { eventId?: string; orderId?: string } }>('/simulator/deliveries', (request) => {
    const { eventId, orderId } = request.query;
    const attempts = deps.events.attempts().filter((a) => (!eventId || a.eventId === eventId) && (!orderId || a.orderId === orderId));
    return { deliveries: attempts };
  });
}
