import type { FastifyPluginAsync } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { ORDER_ID_PATTERN } from '../paypal/events';
import { REVIEW_REASON_CODES } from '../workflows/order-model';
import { DecisionOutcomeUnknownError, DecisionRejectedError, OrderAlreadyRegisteredError, type OrdersClient } from '../temporal/orders-client';
import { TEMPORAL_RETRY_AFTER_S } from './errors';

/** Admin routes over order workflows. */
export interface OrderRouteOptions {
  orders: Pick<OrdersClient, 'getStatus' | 'decide' | 'listOrders' | 'registerOrder'>;
}

/** Path parameter of every per-order route. */
export const orderParams = z.object({ orderId: z.string().regex(ORDER_ID_PATTERN) });
const decisionParams = orderParams.extend({ decision: z.enum(['approve', 'retry', 'reject']) });
/** Body of approve / retry / reject. */
export const decisionBody = z.object({ reason: z.string().trim().min(1).max(1000), actor: z.string().trim().min(1).max(200).optional() });
/**
 * `Idempotency-Key` header of approve / retry / reject: a repeat of the same decision with the same key answers the
 * first one's outcome instead of deciding again (see OrdersClient.decide).
 */
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/)
  .optional()
  .describe('A repeat of this decision with the same key answers the first one’s outcome instead of deciding again');
/** Body of `POST /orders` (registration before payment). */
export const registerBody = z.object({
  orderId: z.string().regex(ORDER_ID_PATTERN),
  amount: z.object({ value: z.string().regex(/^\d{1,10}(\.\d{1,3})?$/), currency_code: z.string().regex(/^[A-Z]{3}$/) }).optional(),
  merchantReference: z.string().trim().min(1).max(127).optional(),
});
/** Query of `GET /orders`. */
export const listQuery = z.object({
  state: z.string().regex(/^[a-z_]+$/).optional(),
  /** A review reason (the README's table): each has its owner, so each team can list its own queue. */
  reason: z.enum(REVIEW_REASON_CODES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** `GET /orders/:orderId`, `GET /orders?state=&reason=`, `POST /orders/:orderId/(approve|retry|reject)`. */
export const orderRoutes: FastifyPluginAsync<OrderRouteOptions> = async (app, { orders }) => {
  app.get('/orders/:orderId', async (req, reply) => {
    const params = orderParams.safeParse(req.params);
    if (!params.success) return reply.code(400).send({ error: 'invalid_order_id', message: 'order IDs are 1-64 letters, digits or dashes' });
    const status = await orders.getStatus(params.data.orderId);
    if (!status) return reply.code(404).send({ error: 'not_found', message: `no workflow for PayPal order ${params.data.orderId}` });
    return status;
  });

  app.get('/orders', async (req, reply) => {
    const query = listQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: 'invalid_query', message: query.error.issues[0]?.message });
    return { orders: await orders.listOrders(query.data) };
  });

  app.post('/orders', async (req, reply) => {
    const body = registerBody.safeParse(req.body ?? {});
    if (!body.success) {
      const issue = body.error.issues[0];
      return reply.code(400).send({ error: 'invalid_body', message: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}` });
    }
    try {
      const { workflowId } = await orders.registerOrder(body.data.orderId, { expectedAmount: body.data.amount, merchantReference: body.data.merchantReference });
      return reply.code(201).send({ orderId: body.data.orderId, workflowId, state: 'awaiting_payment' });
    } catch (err) {
      if (err instanceof OrderAlreadyRegisteredError) return reply.code(409).send({ error: 'already_registered', message: err.message });
      throw err;
    }
  });

  app.post('/orders/:orderId/:decision', async (req, reply) => {
    const params = decisionParams.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: 'not_found', message: 'unknown order or action' });
    const body = decisionBody.safeParse(req.body ?? {});
    if (!body.success) return reply.code(400).send({ error: 'invalid_body', message: 'JSON body {"reason": "...", "actor"?: "..."} required' });
    // Who decided: the body's actor, else the X-Actor header, else the generic admin identity.
    const header = req.headers['x-actor'];
    const actor = body.data.actor ?? (typeof header === 'string' && header.trim() ? header.trim() : 'admin-api');
    const keyHeader = idempotencyKeyHeader.safeParse(req.headers['idempotency-key']);
    if (!keyHeader.success) {
      return reply.code(400).send({ error: 'invalid_idempotency_key', message: 'Idempotency-Key is 1-128 letters, digits, dots, colons, underscores or dashes' });
    }
    const key = keyHeader.data;
    try {
      const result = await orders.decide(params.data.orderId, params.data.decision, { actor, reason: body.data.reason }, key);
      return reply.code(200).send({ orderId: params.data.orderId, decision: params.data.decision, state: result.state });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return reply.code(404).send({ error: 'not_found', message: `no workflow for PayPal order ${params.data.orderId}` });
      if (err instanceof DecisionRejectedError) return reply.code(409).send({ error: err.type ?? 'not_allowed', message: err.message });
      if (err instanceof DecisionOutcomeUnknownError) {
        req.log.warn({ err, orderId: params.data.orderId, decision: params.data.decision }, 'decision outcome unknown');
        reply.header('Retry-After', TEMPORAL_RETRY_AFTER_S);
        const retry = key === undefined ? 'check GET /orders/:orderId before deciding again' : 'send it again with the same Idempotency-Key to get its outcome';
        return reply.code(503).send({ error: 'decision_outcome_unknown', message: `the decision was sent but its outcome was not seen in time; it may still be applied: ${retry}` });
      }
      throw err;
    }
  });
};
