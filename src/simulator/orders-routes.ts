import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from './deps';
import { paypalRequestId, sendAnswer } from './http';
import { patchOrder } from './state/order-patch';
import { authorizeOrder, captureOrder, createOrder, requireOrder } from './state/orders';
import { renderOrder } from './state/render';

type IdParams = { Params: { id: string } };

/** PayPal Orders v2 subset: create, get, patch (amount and references), capture, authorize. */
export function registerOrdersRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;

  app.post('/v2/checkout/orders', async (request, reply) => {
    // PayPal replays an order creation with the same PayPal-Request-Id instead of creating a second order.
    const requestId = paypalRequestId(request);
    const replay = ctx.store.idempotentAnswer('create-order', '-', requestId);
    if (replay) return sendAnswer(reply, { statusCode: 200, body: replay.body });
    const order = createOrder(ctx, request.body);
    const answer = { statusCode: 201, body: JSON.stringify(renderOrder(order, ctx.store, ctx.baseUrl())) };
    ctx.store.rememberAnswer('create-order', '-', requestId, answer);
    return sendAnswer(reply, answer);
  });

  app.get<IdParams>('/v2/checkout/orders/:id', (request) => {
    return renderOrder(requireOrder(ctx, request.params.id), ctx.store, ctx.baseUrl());
  });

  app.patch<IdParams>('/v2/checkout/orders/:id', async (request, reply) => {
    patchOrder(ctx, request.params.id, request.body);
    return reply.code(204).send();
  });

  app.post<IdParams>('/v2/checkout/orders/:id/capture', async (request, reply) => {
    return sendAnswer(reply, captureOrder(ctx, request.params.id, paypalRequestId(request)));
  });

  app.post<IdParams>('/v2/checkout/orders/:id/authorize', async (request, reply) => {
    return sendAnswer(reply, authorizeOrder(ctx, request.params.id, paypalRequestId(request)));
  });
}
