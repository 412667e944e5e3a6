import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from './deps';
import { paypalRequestId, sendAnswer } from './http';
import {
  captureAuthorization,
  refundCapture,
  requireAuthorization,
  requireCapture,
  requireRefund,
  voidAuthorization,
} from './state/payments';
import { renderAuthorization, renderCapture, renderRefund } from './state/render';

type IdParams = { Params: { id: string } };

/** PayPal Payments v2 subset: captures, refunds, authorizations. */
export function registerPaymentsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;

  app.get<IdParams>('/v2/payments/captures/:id', (request) => renderCapture(requireCapture(ctx, request.params.id), ctx.baseUrl()));

  app.post<IdParams>('/v2/payments/captures/:id/refund', async (request, reply) =>
    sendAnswer(reply, refundCapture(ctx, request.params.id, request.body, paypalRequestId(request))),
  );

  app.get<IdParams>('/v2/payments/refunds/:id', (request) => renderRefund(requireRefund(ctx, request.params.id), ctx.baseUrl()));

  app.get<IdParams>('/v2/payments/authorizations/:id', (request) =>
    renderAuthorization(requireAuthorization(ctx, request.params.id), ctx.baseUrl()),
  );

  app.post<IdParams>('/v2/payments/authorizations/:id/capture', async (request, reply) =>
    sendAnswer(reply, captureAuthorization(ctx, request.params.id, request.body, paypalRequestId(request))),
  );

  app.post<IdParams>('/v2/payments/authorizations/:id/void', (request) =>
    renderAuthorization(voidAuthorization(ctx, request.params.id), ctx.baseUrl()),
  );
}
