import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServiceError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildAdminApp } from '../../src/api/admin-app';
import { createLogger } from '../../src/logger';
import { Metrics } from '../../src/metrics';
import { DecisionOutcomeUnknownError } from '../../src/temporal/orders-client';

// The admin app over inject(): its open surface (docs, health, readiness, metrics) and how Temporal's answers are
// mapped to HTTP; the order routes' work with Temporal is covered by the integration tests against a real server.
describe('admin app: docs, health, readiness, metrics, error mapping', () => {
  let app: FastifyInstance;
  let temporalReady: true | string = true;
  const metrics = new Metrics();
  /** What the last decide() call received; its answer is `decideAnswer`. */
  let decided: unknown[] | undefined;
  let decideAnswer: () => Promise<{ state: 'cancelled' }> = () => Promise.reject(new Error('unused'));
  /** What the last listOrders() call received. */
  let listed: unknown;
  /** The answer of getStatus(). */
  let statusAnswer: () => Promise<undefined> = () => Promise.resolve(undefined);

  before(async () => {
    app = await buildAdminApp({
      logger: createLogger('silent'),
      adminToken: 'unit-token',
      orders: {
        getStatus: () => statusAnswer(),
        decide: (...args) => {
          decided = args;
          return decideAnswer();
        },
        listOrders: (filter) => {
          listed = filter;
          return Promise.resolve([]);
        },
        registerOrder: () => Promise.reject(new Error('unused')),
      },
      ops: { metrics, readiness: { temporal: () => Promise.resolve(temporalReady), worker: () => Promise.resolve(true as const) } },
    });
  });
  after(async () => {
    await app?.close();
  });

  test('/docs describes every route of both apps, generated from the zod schemas', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs' })).json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    assert.equal(doc.openapi, '3.0.3');
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)));
    for (const route of ['GET /orders', 'POST /orders', 'GET /orders/:orderId', 'POST /orders/:orderId/approve', 'POST /orders/:orderId/retry', 'POST /orders/:orderId/reject', 'GET /healthz', 'GET /readyz', 'GET /metrics']) {
      assert.ok(documented.has(route), `${route} is documented`);
    }
    assert.ok(documented.has('POST /webhooks/paypal'));
    const body = doc.paths['/orders/{orderId}/approve']?.post as { requestBody: { content: { 'application/json': { schema: { required: string[] } } } } };
    assert.deepEqual(body.requestBody.content['application/json'].schema.required, ['reason'], 'generated from the zod schema');
  });

  test('/readyz is 200 when every check passes and 503 naming the failing one', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    temporalReady = 'Temporal unreachable: connection refused';
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json<{ checks: Record<string, unknown> }>().checks.temporal, 'Temporal unreachable: connection refused');
    temporalReady = true;
  });

  test('/metrics exposes the product metrics in Prometheus format', async () => {
    metrics.webhooks.inc({ event_type: 'CHECKOUT.ORDER.APPROVED', outcome: 'accepted' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /paypal_webhooks_total\{event_type="CHECKOUT.ORDER.APPROVED",outcome="accepted"\} 1/);
    assert.match(res.body, /service_update_attempts_total/);
  });

  describe('support decisions', () => {
    const reject = (headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url: '/orders/ORDER-1/reject', headers: { authorization: 'Bearer unit-token', ...headers }, payload: { reason: 'fraud', actor: 'sam' } });

    test('the Idempotency-Key reaches the decision; a malformed one is refused before it', async () => {
      decideAnswer = () => Promise.resolve({ state: 'cancelled' });
      const res = await reject({ 'idempotency-key': 'ticket-4711' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(decided, ['ORDER-1', 'reject', { actor: 'sam', reason: 'fraud' }, 'ticket-4711']);
      decided = undefined;
      const bad = await reject({ 'idempotency-key': 'two words' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json<{ error: string }>().error, 'invalid_idempotency_key');
      assert.equal(decided, undefined, 'nothing decided');
    });

    test('Temporal not confirming in time is a 503 that says the decision may be applied and how to retry', async () => {
      decideAnswer = () => Promise.reject(new DecisionOutcomeUnknownError('context deadline exceeded'));
      const keyed = await reject({ 'idempotency-key': 'ticket-4711' });
      assert.equal(keyed.statusCode, 503);
      assert.equal(keyed.headers['retry-after'], '5');
      assert.equal(keyed.json<{ error: string }>().error, 'decision_outcome_unknown');
      assert.match(keyed.json<{ message: string }>().message, /may still be applied.*same Idempotency-Key/);
      const unkeyed = await reject();
      assert.equal(unkeyed.statusCode, 503);
      assert.match(unkeyed.json<{ message: string }>().message, /check GET \/orders\/:orderId before deciding again/);
    });
  });

  test('Temporal not answering is a 503 to retry; any other failure a 500 that reveals nothing', async () => {
    const grpc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
    const show = () => app.inject({ method: 'GET', url: '/orders/ORDER-1', headers: { authorization: 'Bearer unit-token' } });
    statusAnswer = () => Promise.reject(new ServiceError('Failed to query Workflow', { cause: grpc(4, 'query timed out before a worker could process it') }));
    const timedOut = await show();
    assert.equal(timedOut.statusCode, 503);
    assert.equal(timedOut.headers['retry-after'], '5');
    assert.equal(timedOut.json<{ error: string }>().error, 'temporal_unavailable');
    statusAnswer = () => Promise.reject(grpc(14, 'connection refused'));
    assert.equal((await show()).statusCode, 503);
    statusAnswer = () => Promise.reject(new ServiceError('Failed to query Workflow', { cause: grpc(3, 'invalid argument') }));
    const invalid = await show();
    assert.equal(invalid.statusCode, 500, 'a request Temporal refuses would fail again: not a 503');
    assert.deepEqual(invalid.json(), { error: 'internal_error', message: 'internal error; retry later' });
    statusAnswer = () => Promise.resolve(undefined);
  });

  test('GET /orders filters by state and review reason; an unknown reason is a 400 naming the known ones', async () => {
    const headers = { authorization: 'Bearer unit-token' };
    const ok = await app.inject({ method: 'GET', url: '/orders?state=needs_review&reason=multiple_purchase_units', headers });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(listed, { state: 'needs_review', reason: 'multiple_purchase_units' });
    listed = undefined;
    const bad = await app.inject({ method: 'GET', url: '/orders?reason=paid_twice', headers });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ error: string }>().error, 'invalid_query');
    assert.match(bad.json<{ message: string }>().message, /service_update_failed/);
    assert.equal(listed, undefined, 'nothing listed');
  });

  test('order routes need the token; health does not', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/orders' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });
});
