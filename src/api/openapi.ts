import { z } from 'zod';
import { webhookEventSchema } from '../paypal/events';
import { decisionBody, idempotencyKeyHeader, listQuery, orderParams, registerBody } from './orders';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });

const errorBody = json(z.object({ error: z.string().describe('machine-readable reason code'), message: z.string() }));
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorBody } } });
const jsonResponse = (description: string, schema: Record<string, unknown> = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });

const orderIdParam = { name: 'orderId', in: 'path', required: true, schema: json(orderParams).properties?.orderId ?? { type: 'string' } };
const listParams = Object.entries(json(listQuery).properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));

/**
 * The OpenAPI 3.0 description of both HTTP APIs, generated from the same zod schemas the routes validate with,
 * so the document cannot drift from the code. Served at `/docs` on the admin port.
 */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'PayPal fulfilment',
      version: '1',
      description: 'Public webhook intake (PORT) and authenticated admin API (ADMIN_PORT). Errors are `{error, message}`.',
    },
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/webhooks/paypal': {
        post: {
          summary: 'Receive a PayPal webhook (public port)',
          description:
            'Verifies the PAYPAL-* signature over the raw bytes, then durably records the event with the order workflow. ' +
            '200 only once recorded; 503 (Retry-After) when it could not be recorded; 4xx for requests that will never be valid.',
          parameters: ['PAYPAL-AUTH-ALGO', 'PAYPAL-CERT-URL', 'PAYPAL-TRANSMISSION-ID', 'PAYPAL-TRANSMISSION-SIG', 'PAYPAL-TRANSMISSION-TIME'].map((name) => ({
            name,
            in: 'header',
            required: true,
            schema: { type: 'string' },
          })),
          requestBody: { required: true, content: { 'application/json': { schema: json(webhookEventSchema) } } },
          responses: {
            200: jsonResponse('Recorded (`accepted`) or acknowledged and ignored (`ignored`)'),
            400: errorResponse('Missing/duplicated headers, invalid JSON, not a PayPal event'),
            401: errorResponse('Signature, certificate or replay-window check failed'),
            413: errorResponse('Body over WEBHOOK_MAX_BODY_BYTES'),
            415: errorResponse('Not application/json'),
            503: errorResponse('Certificate fetch failed or Temporal unreachable; PayPal retries'),
          },
        },
      },
      '/orders': {
        get: {
          summary: 'List orders from Temporal visibility, by state and review reason',
          security: [{ adminToken: [] }],
          parameters: listParams,
          responses: { 200: jsonResponse('Orders, newest first'), 400: errorResponse('Invalid query'), 401: errorResponse('Bad token') },
        },
        post: {
          summary: 'Register an order before payment (polled even if no webhook arrives; with an amount, only that amount is captured)',
          security: [{ adminToken: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: json(registerBody) } } },
          responses: { 201: jsonResponse('Registered'), 400: errorResponse('Invalid body'), 409: errorResponse('Already registered') },
        },
      },
      '/orders/{orderId}': {
        get: {
          summary: 'State, PayPal status, amounts, review reason, decisions and timeline of one order',
          security: [{ adminToken: [] }],
          parameters: [orderIdParam],
          responses: { 200: jsonResponse('The order'), 404: errorResponse('Unknown order'), 503: errorResponse('Temporal, or the worker that answers for the order, did not respond in time; retry') },
        },
      },
      ...Object.fromEntries(
        (['approve', 'retry', 'reject'] as const).map((decision) => [
          `/orders/{orderId}/${decision}`,
          {
            post: {
              summary: `Support decision: ${decision}`,
              security: [{ adminToken: [] }],
              parameters: [
                orderIdParam,
                { name: 'X-Actor', in: 'header', required: false, schema: { type: 'string' } },
                { name: 'Idempotency-Key', in: 'header', required: false, schema: json(idempotencyKeyHeader) },
              ],
              requestBody: { required: true, content: { 'application/json': { schema: json(decisionBody) } } },
              responses: {
                200: jsonResponse('Decision applied; the new state'),
                400: errorResponse('Missing reason'),
                404: errorResponse('Unknown order'),
                409: errorResponse('Not allowed in the order’s current state'),
                503: errorResponse('The decision was sent but its outcome was not seen in time; it may still be applied (retry with the same Idempotency-Key)'),
              },
            },
          },
        ]),
      ),
      '/healthz': { get: { summary: 'Liveness', responses: { 200: jsonResponse('Alive') } } },
      '/readyz': { get: { summary: 'Readiness (Temporal reachable, worker polling)', responses: { 200: jsonResponse('Ready'), 503: jsonResponse('Not ready') } } },
      '/metrics': { get: { summary: 'Prometheus metrics (ours, then the Temporal SDK’s)', responses: { 200: { description: 'text/plain exposition format' } } } },
    },
  };
}
