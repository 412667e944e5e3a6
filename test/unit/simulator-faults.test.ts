// API fault injection (500/429, before or after the work, latency, path scoping), capture/refund idempotency,
// and webhook attempt failures.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { api, simulatorRig, waitUntil } from '../helpers/simulator-support';

const USD = (value: string) => ({ currency_code: 'USD', value });

describe('simulator faults and idempotency', () => {
  const rig = simulatorRig({ retryDelaysMs: [50, 100] });

  beforeEach(() => rig.sim.control.clearFaults());

  test('next N calls answer 500 INTERNAL_SERVER_ERROR, only under the given path prefix', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('1.00') });
    await rig.sim.control.setFaults({ api: { pathPrefix: '/v2/checkout/orders', failNext: 2, status: 500 } });
    const other = await api(rig.sim, rig.token, 'GET', '/v1/notifications/webhooks-events');
    assert.equal(other.status, 200, 'other paths are unaffected');
    const first = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    const second = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    const third = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    assert.deepEqual([first.status, second.status, third.status], [500, 500, 200]);
    assert.equal(first.json.name, 'INTERNAL_SERVER_ERROR');
    assert.equal(typeof first.json.debug_id, 'string');
  });

  test('429 RATE_LIMIT_REACHED, scoped by method', async () => {
    await rig.sim.control.setFaults({ api: { method: 'POST', failNext: 1, status: 429 } });
    const get = await api(rig.sim, rig.token, 'GET', '/v1/notifications/webhooks-events');
    assert.equal(get.status, 200);
    const post = await api(rig.sim, rig.token, 'POST', '/v2/checkout/orders', { body: { intent: 'CAPTURE', purchase_units: [{ amount: USD('1.00') }] } });
    assert.equal(post.status, 429);
    assert.equal(post.json.name, 'RATE_LIMIT_REACHED');
    const retry = await api(rig.sim, rig.token, 'POST', '/v2/checkout/orders', { body: { intent: 'CAPTURE', purchase_units: [{ amount: USD('1.00') }] } });
    assert.equal(retry.status, 201);
  });

  test('failure after the work (lost response): the retry with the same PayPal-Request-Id replays, one capture only', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('15.00') });
    await rig.sim.control.setFaults({ api: { pathPrefix: `/v2/checkout/orders/${orderId}/capture`, failNext: 1, when: 'after' } });
    const lost = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'req-lost' });
    assert.equal(lost.status, 500);
    const order = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    assert.equal(order.json.status, 'COMPLETED', 'the capture happened despite the 500');
    const retry = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'req-lost' });
    assert.equal(retry.status, 200);
    const captures = (retry.json.purchase_units as { payments: { captures: unknown[] } }[])[0]!.payments.captures;
    assert.equal(captures.length, 1);
    const events = await rig.sim.control.events({ orderId, eventType: 'PAYMENT.CAPTURE.COMPLETED' });
    assert.equal(events.length, 1, 'one capture event');
  });

  test('added latency applies to matching calls', async () => {
    await rig.sim.control.setFaults({ api: { pathPrefix: '/v1/notifications', latencyMs: 150 } });
    const started = Date.now();
    const res = await api(rig.sim, rig.token, 'GET', '/v1/notifications/webhooks-events');
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 140, 'answer was delayed');
  });

  test('capture idempotency: 201, same id → 200 same body, other id or none → 422 ORDER_ALREADY_CAPTURED; not approved → 422', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('8.00'), approve: false });
    const early = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'a' });
    assert.equal(early.status, 422);
    assert.equal(early.json.details?.[0]?.issue, 'ORDER_NOT_APPROVED');
    await rig.sim.control.approveOrder(orderId);
    const first = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'b' });
    const replay = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'b' });
    const other = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'c' });
    const none = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`);
    assert.deepEqual([first.status, replay.status, other.status, none.status], [201, 200, 422, 422]);
    assert.equal(replay.text, first.text);
    assert.equal(other.json.details?.[0]?.issue, 'ORDER_ALREADY_CAPTURED');
    assert.equal(none.json.details?.[0]?.issue, 'ORDER_ALREADY_CAPTURED');
  });

  test('refund idempotency and partial refunds: same request id → same refund; statuses PARTIALLY_REFUNDED then REFUNDED', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('10.00') });
    const cap = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'cap' });
    const captureId = (cap.json.purchase_units as { payments: { captures: { id: string }[] } }[])[0]!.payments.captures[0]!.id;
    const r1 = await api(rig.sim, rig.token, 'POST', `/v2/payments/captures/${captureId}/refund`, { body: { amount: USD('3.33') }, requestId: 'r1' });
    const r1again = await api(rig.sim, rig.token, 'POST', `/v2/payments/captures/${captureId}/refund`, { body: { amount: USD('3.33') }, requestId: 'r1' });
    assert.equal(r1again.json.id, r1.json.id);
    assert.equal((await api(rig.sim, rig.token, 'GET', `/v2/payments/captures/${captureId}`)).json.status, 'PARTIALLY_REFUNDED');
    const r2 = await api(rig.sim, rig.token, 'POST', `/v2/payments/captures/${captureId}/refund`, { body: {}, requestId: 'r2' });
    assert.deepEqual(r2.json.amount, USD('6.67'), 'a refund without amount refunds the remainder');
    assert.equal((await api(rig.sim, rig.token, 'GET', `/v2/payments/captures/${captureId}`)).json.status, 'REFUNDED');
    const r3 = await api(rig.sim, rig.token, 'POST', `/v2/payments/captures/${captureId}/refund`, { body: {}, requestId: 'r3' });
    assert.equal(r3.status, 422);
    assert.equal(r3.json.details?.[0]?.issue, 'CAPTURE_FULLY_REFUNDED');
    assert.equal((await rig.sim.control.events({ orderId, eventType: 'PAYMENT.CAPTURE.REFUNDED' })).length, 2);
  });

  test('webhook failNext (skip mode): the attempt fails without sending, the retry delivers', async () => {
    await rig.sim.control.setFaults({ webhooks: { failNext: 1 } });
    const { orderId } = await rig.sim.control.checkout({ amount: USD('2.00') });
    const event = await rig.sim.control.waitForEvent({ orderId, status: 'DELIVERED' });
    const attempts = await rig.sim.control.deliveries({ eventId: event.id });
    assert.deepEqual(attempts.map((a) => [a.injected, a.ok, a.statusCode]), [[true, false, undefined], [false, true, 200]]);
    assert.equal(rig.receiver.received.filter((r) => r.event.id === event.id).length, 1, 'the injected failure sent nothing');
  });

  test('webhook delay: the first attempt waits delayMs', async () => {
    await rig.sim.control.setFaults({ webhooks: { delayMs: 200 } });
    const started = Date.now();
    const { orderId } = await rig.sim.control.checkout({ amount: USD('2.50') });
    await waitUntil('delayed delivery', () => rig.receiver.received.find((r) => r.event.resource.id === orderId));
    assert.ok(Date.now() - started >= 190);
  });

  test('no token → 401; malformed JSON → 400 INVALID_REQUEST', async () => {
    const res = await api(rig.sim, undefined, 'POST', '/v2/checkout/orders', { body: {} });
    assert.equal(res.status, 401);
    const bad = await api(rig.sim, rig.token, 'POST', '/v2/checkout/orders', { rawBody: '{"intent":' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.name, 'INVALID_REQUEST');
  });
});
