// Every simulator answer the product relies on is checked against the response schema PayPal's own OpenAPI spec
// declares for that operation and status code (orders.patch's refusals included).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { api, simulatorRig, SpecValidator, waitUntil } from '../helpers/simulator-support';

const ORDERS = 'checkout_orders_v2.json';
const PAYMENTS = 'payments_payment_v2.json';
const WEBHOOKS = 'notifications_webhooks_v1.json';

describe('simulator conformance with PayPal OpenAPI specs', () => {
  const rig = simulatorRig({ retryDelaysMs: [50] });
  let spec: SpecValidator;

  before(() => {
    spec = new SpecValidator();
  });

  const conforms = (file: Parameters<SpecValidator['check']>[0], method: string, path: string, status: number, body: unknown) =>
    assert.equal(spec.check(file, method, path, status, body), '', `${method} ${path} ${status} must match the spec`);

  test('the validator rejects broken bodies (so the checks below cannot pass vacuously)', async () => {
    const created = await api(rig.sim, rig.token, 'POST', '/v2/checkout/orders', { body: { intent: 'CAPTURE', purchase_units: [{ amount: { currency_code: 'USD', value: '1.00' } }] } });
    conforms(ORDERS, 'post', '/v2/checkout/orders', 201, created.json);
    assert.notEqual(spec.check(ORDERS, 'post', '/v2/checkout/orders', 201, { ...created.json, status: 'PAID' }), '', 'unknown order status');
    assert.notEqual(
      spec.check(ORDERS, 'post', '/v2/checkout/orders', 201, { ...created.json, purchase_units: [{ amount: { currency_code: 'USD', value: 1 } }] }),
      '',
      'numeric money value',
    );
    assert.notEqual(spec.check(PAYMENTS, 'get', '/v2/payments/captures/{capture_id}', 404, { name: 'NOT_FOUND' }), '', 'wrong error name');
    assert.notEqual(spec.check(WEBHOOKS, 'post', '/v1/notifications/verify-webhook-signature', 200, {}), '', 'missing verification_status');
  });

  test('oauth2 token: PayPal fields (this endpoint has no schema in the specs, so checked field by field)', async () => {
    const res = await fetch(`${rig.sim.url}/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${rig.sim.clientId}:${rig.sim.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(typeof body.access_token, 'string');
    assert.equal(typeof body.scope, 'string');
    assert.equal(typeof body.app_id, 'string');
    assert.equal(typeof body.nonce, 'string');
    assert.ok(Number.isInteger(body.expires_in) && (body.expires_in as number) > 0);
    const bad = await fetch(`${rig.sim.url}/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('who:wrong').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_client');
  });

  test('order lifecycle: create 201, get before/after capture, capture 201 + replay 200, capture/refund resources', async () => {
    const created = await api(rig.sim, rig.token, 'POST', '/v2/checkout/orders', {
      body: { intent: 'CAPTURE', purchase_units: [{ reference_id: 'pu-1', amount: { currency_code: 'USD', value: '30.00' }, custom_id: 'cust-1', invoice_id: 'inv-1' }] },
    });
    assert.equal(created.status, 201);
    conforms(ORDERS, 'post', '/v2/checkout/orders', 201, created.json);
    const orderId = created.json.id!;
    assert.match(orderId, /^[0-9A-Z]{17}$/);
    assert.deepEqual((created.json.links as { rel: string }[]).map((l) => l.rel).sort(), ['approve', 'capture', 'self', 'update']);

    const before = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    assert.equal(before.json.status, 'CREATED');
    conforms(ORDERS, 'get', '/v2/checkout/orders/{id}', 200, before.json);

    await rig.sim.control.approveOrder(orderId);
    const approved = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    assert.equal(approved.json.status, 'APPROVED');
    conforms(ORDERS, 'get', '/v2/checkout/orders/{id}', 200, approved.json);

    const captured = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: `cap-${orderId}` });
    assert.equal(captured.status, 201);
    conforms(ORDERS, 'post', '/v2/checkout/orders/{id}/capture', 201, captured.json);
    const replay = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: `cap-${orderId}` });
    assert.equal(replay.status, 200);
    conforms(ORDERS, 'post', '/v2/checkout/orders/{id}/capture', 200, replay.json);
    assert.equal(replay.text, captured.text, 'the replay is the same body');

    const after = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    assert.equal(after.json.status, 'COMPLETED');
    conforms(ORDERS, 'get', '/v2/checkout/orders/{id}', 200, after.json);
    const unit = (after.json.purchase_units as { payments: { captures: { id: string }[] } }[])[0]!;
    const captureId = unit.payments.captures[0]!.id;
    assert.match(captureId, /^[0-9A-Z]{17}$/);

    const capture = await api(rig.sim, rig.token, 'GET', `/v2/payments/captures/${captureId}`);
    assert.equal(capture.status, 200);
    conforms(PAYMENTS, 'get', '/v2/payments/captures/{capture_id}', 200, capture.json);
    assert.equal((capture.json.supplementary_data as { related_ids: { order_id: string } }).related_ids.order_id, orderId);

    const refund = await api(rig.sim, rig.token, 'POST', `/v2/payments/captures/${captureId}/refund`, { body: { amount: { currency_code: 'USD', value: '10.00' } }, requestId: 'r-1' });
    assert.equal(refund.status, 201);
    conforms(PAYMENTS, 'post', '/v2/payments/captures/{capture_id}/refund', 201, refund.json);
    const gotRefund = await api(rig.sim, rig.token, 'GET', `/v2/payments/refunds/${refund.json.id}`);
    assert.equal(gotRefund.status, 200);
    conforms(PAYMENTS, 'get', '/v2/payments/refunds/{refund_id}', 200, gotRefund.json);

    const afterRefund = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    conforms(ORDERS, 'get', '/v2/checkout/orders/{id}', 200, afterRefund.json);
    const payments = (afterRefund.json.purchase_units as { payments: { refunds?: unknown[]; captures: { status: string }[] } }[])[0]!.payments;
    assert.equal(payments.refunds?.length, 1);
    assert.equal(payments.captures[0]!.status, 'PARTIALLY_REFUNDED');
  });

  test('errors: 404 (order, capture), 422 (capture not approved, already captured; refund too large), 401', async () => {
    const missingOrder = await api(rig.sim, rig.token, 'GET', '/v2/checkout/orders/0000000000000000X');
    assert.equal(missingOrder.status, 404);
    conforms(ORDERS, 'get', '/v2/checkout/orders/{id}', 404, missingOrder.json);
    assert.equal(missingOrder.json.details?.[0]?.issue, 'INVALID_RESOURCE_ID');

    const missingCapture = await api(rig.sim, rig.token, 'GET', '/v2/payments/captures/0000000000000000X');
    assert.equal(missingCapture.status, 404);
    conforms(PAYMENTS, 'get', '/v2/payments/captures/{capture_id}', 404, missingCapture.json);

    const { orderId } = await rig.sim.control.checkout({ amount: { currency_code: 'USD', value: '5.00' }, approve: false });
    const notApproved = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'x1' });
    assert.equal(notApproved.status, 422);
    conforms(ORDERS, 'post', '/v2/checkout/orders/{id}/capture', 422, notApproved.json);
    assert.equal(notApproved.json.details?.[0]?.issue, 'ORDER_NOT_APPROVED');

    await rig.sim.control.approveOrder(orderId);
    const first = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'x2' });
    assert.equal(first.status, 201);
    const again = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: 'x3' });
    assert.equal(again.status, 422);
    conforms(ORDERS, 'post', '/v2/checkout/orders/{id}/capture', 422, again.json);
    assert.equal(again.json.details?.[0]?.issue, 'ORDER_ALREADY_CAPTURED');

    const captureId = (first.json.purchase_units as { payments: { captures: { id: string }[] } }[])[0]!.payments.captures[0]!.id;
    const tooMuch = await api(rig.sim, rig.token, 'POST', `/v2/payments/captures/${captureId}/refund`, { body: { amount: { currency_code: 'USD', value: '5.01' } } });
    assert.equal(tooMuch.status, 422);
    conforms(PAYMENTS, 'post', '/v2/payments/captures/{capture_id}/refund', 422, tooMuch.json);
    assert.equal(tooMuch.json.details?.[0]?.issue, 'REFUND_AMOUNT_EXCEEDED');

    const unauthenticated = await api(rig.sim, undefined, 'GET', `/v2/checkout/orders/${orderId}`);
    assert.equal(unauthenticated.status, 401);
    conforms(ORDERS, 'get', '/v2/checkout/orders/{id}', 401, unauthenticated.json);
    assert.equal(unauthenticated.json.name, 'AUTHENTICATION_FAILURE');
  });

  test('an authorization captured in parts: 201 per part, PARTIALLY_CAPTURED until the amount is used up, 422 past the overage limit or once captured', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: { currency_code: 'USD', value: '10.00' }, intent: 'AUTHORIZE' });
    const authorized = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/authorize`, { requestId: 'a1' });
    assert.equal(authorized.status, 201, authorized.text);
    const authId = (authorized.json.purchase_units as { payments: { authorizations: { id: string }[] } }[])[0]!.payments.authorizations[0]!.id;
    const capture = (requestId: string, body: unknown) => api(rig.sim, rig.token, 'POST', `/v2/payments/authorizations/${authId}/capture`, { requestId, body });
    const path = '/v2/payments/authorizations/{authorization_id}/capture';

    const part = await capture('c1', { amount: { currency_code: 'USD', value: '6.00' } });
    assert.equal(part.status, 201, part.text);
    conforms(PAYMENTS, 'post', path, 201, part.json);
    assert.deepEqual(part.json.amount, { currency_code: 'USD', value: '6.00' });
    const partly = await api(rig.sim, rig.token, 'GET', `/v2/payments/authorizations/${authId}`);
    conforms(PAYMENTS, 'get', '/v2/payments/authorizations/{authorization_id}', 200, partly.json);
    assert.equal(partly.json.status, 'PARTIALLY_CAPTURED');

    // PayPal's default overage limit: all captures together up to 115 % of the authorized 10.00.
    const tooMuch = await capture('c2', { amount: { currency_code: 'USD', value: '5.51' } });
    assert.equal(tooMuch.status, 422);
    conforms(PAYMENTS, 'post', path, 422, tooMuch.json);
    assert.equal(tooMuch.json.details?.[0]?.issue, 'MAX_CAPTURE_AMOUNT_EXCEEDED');
    const otherCurrency = await capture('c3', { amount: { currency_code: 'EUR', value: '1.00' } });
    assert.equal(otherCurrency.status, 422);
    conforms(PAYMENTS, 'post', path, 422, otherCurrency.json);
    assert.equal(otherCurrency.json.details?.[0]?.issue, 'AUTH_CAPTURE_CURRENCY_MISMATCH');

    const rest = await capture('c4', {});
    assert.equal(rest.status, 201);
    assert.deepEqual(rest.json.amount, { currency_code: 'USD', value: '4.00' }, 'no amount: what is left');
    assert.equal((await api(rig.sim, rig.token, 'GET', `/v2/payments/authorizations/${authId}`)).json.status, 'CAPTURED');
    const order = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    conforms(ORDERS, 'get', '/v2/checkout/orders/{id}', 200, order.json);
    const captures = (order.json.purchase_units as { payments: { captures: { id: string }[] } }[])[0]!.payments.captures;
    assert.deepEqual(captures.map((c) => c.id), [part.json.id, rest.json.id], 'both captures on the order, in order');

    const more = await capture('c5', {});
    assert.equal(more.status, 422);
    conforms(PAYMENTS, 'post', path, 422, more.json);
    assert.equal(more.json.details?.[0]?.issue, 'AUTHORIZATION_ALREADY_CAPTURED');
  });

  test('webhook event resources match the resources PayPal documents (order, capture, refund)', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: { currency_code: 'USD', value: '12.00' } });
    const capture = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: `w-${orderId}` });
    const captureId = (capture.json.purchase_units as { payments: { captures: { id: string }[] } }[])[0]!.payments.captures[0]!.id;
    await api(rig.sim, rig.token, 'POST', `/v2/payments/captures/${captureId}/refund`, { body: {} });
    const events = await rig.sim.control.waitForEvent({ orderId, eventType: 'PAYMENT.CAPTURE.REFUNDED' }).then(() => rig.sim.control.events({ orderId }));
    const byType = new Map(events.map((e) => [e.eventType, e.event]));
    conforms(ORDERS, 'get', '/v2/checkout/orders/{id}', 200, byType.get('CHECKOUT.ORDER.APPROVED')!.resource);
    conforms(PAYMENTS, 'get', '/v2/payments/captures/{capture_id}', 200, byType.get('PAYMENT.CAPTURE.COMPLETED')!.resource);
    conforms(PAYMENTS, 'get', '/v2/payments/refunds/{refund_id}', 200, byType.get('PAYMENT.CAPTURE.REFUNDED')!.resource);
    for (const e of events) conforms(WEBHOOKS, 'get', '/v1/notifications/webhooks-events/{event_id}', 200, e.event);
  });

  test('notifications: verify-webhook-signature, webhooks-events list/get/resend', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: { currency_code: 'USD', value: '3.00' } });
    const delivered = await waitUntil('approval webhook', () => rig.receiver.received.find((r) => (r.event.resource.id) === orderId));
    const h = delivered.headers as Record<string, string>;
    const rawBody =
      `{"auth_algo":${JSON.stringify(h['paypal-auth-algo'])},"cert_url":${JSON.stringify(h['paypal-cert-url'])},` +
      `"transmission_id":${JSON.stringify(h['paypal-transmission-id'])},"transmission_sig":${JSON.stringify(h['paypal-transmission-sig'])},` +
      `"transmission_time":${JSON.stringify(h['paypal-transmission-time'])},"webhook_id":${JSON.stringify(rig.sim.webhookId)},"webhook_event":${delivered.raw.toString('utf8')}}`;
    const verify = await api(rig.sim, rig.token, 'POST', '/v1/notifications/verify-webhook-signature', { rawBody });
    assert.equal(verify.status, 200);
    conforms(WEBHOOKS, 'post', '/v1/notifications/verify-webhook-signature', 200, verify.json);
    assert.equal(verify.json.verification_status, 'SUCCESS');

    const list = await api(rig.sim, rig.token, 'GET', '/v1/notifications/webhooks-events?page_size=2');
    assert.equal(list.status, 200);
    conforms(WEBHOOKS, 'get', '/v1/notifications/webhooks-events', 200, list.json);
    assert.equal((list.json.events as unknown[]).length, 2);

    const one = await api(rig.sim, rig.token, 'GET', `/v1/notifications/webhooks-events/${delivered.event.id}`);
    conforms(WEBHOOKS, 'get', '/v1/notifications/webhooks-events/{event_id}', 200, one.json);
    const resend = await api(rig.sim, rig.token, 'POST', `/v1/notifications/webhooks-events/${delivered.event.id}/resend`, { body: {} });
    assert.equal(resend.status, 202);
    conforms(WEBHOOKS, 'post', '/v1/notifications/webhooks-events/{event_id}/resend', 202, resend.json);
  });

  // PATCH /v2/checkout/orders/{id} (orders.patch): what a merchant's site uses to change an order's amount before
  // it is captured.
  const USD = (value: string) => ({ currency_code: 'USD', value });
  const UNIT = "/purchase_units/@reference_id=='default'";
  const patch = (orderId: string, body: unknown) => api(rig.sim, rig.token, 'PATCH', `/v2/checkout/orders/${orderId}`, { body });
  const read = async (orderId: string) => (await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`)).json as { purchase_units: Record<string, unknown>[] };
  /** Asserts a refusal: its status, its issue, and that its body is the one the spec declares for it. */
  const refused = (res: Awaited<ReturnType<typeof patch>>, status: number, issue: string) => {
    assert.equal(res.status, status, res.text);
    assert.equal(res.json.details?.[0]?.issue, issue);
    conforms(ORDERS, 'patch', '/v2/checkout/orders/{id}', status, res.json);
  };

  test('PATCH: an approved order\'s amount and references are replaced (204), and a capture then takes the new amount', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('20.00') });
    const res = await patch(orderId, [
      { op: 'replace', path: `${UNIT}/amount`, value: USD('25.00') },
      { op: 'add', path: `${UNIT}/invoice_id`, value: 'inv-7' },
    ]);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    const unit = (await read(orderId)).purchase_units[0]!;
    assert.deepEqual(unit.amount, USD('25.00'));
    assert.equal(unit.invoice_id, 'inv-7');
    const captured = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: `cap-${orderId}` });
    const capture = (captured.json.purchase_units as { payments: { captures: { amount: unknown }[] } }[])[0]!.payments.captures[0]!;
    assert.deepEqual(capture.amount, USD('25.00'));
  });

  test('PATCH: a captured order cannot be patched: 422 ORDER_ALREADY_COMPLETED, nothing changed', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('20.00') });
    await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: `cap-${orderId}` });
    refused(await patch(orderId, [{ op: 'replace', path: `${UNIT}/amount`, value: USD('25.00') }]), 422, 'ORDER_ALREADY_COMPLETED');
    assert.deepEqual((await read(orderId)).purchase_units[0]!.amount, USD('20.00'));
  });

  test('PATCH: a refused operation refuses the whole request: the operations before it are not applied', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('20.00'), approve: false });
    refused(await patch(orderId, [
      { op: 'replace', path: `${UNIT}/amount`, value: USD('25.00') },
      { op: 'replace', path: `${UNIT}/amount`, value: USD('0.00') },
    ]), 422, 'CANNOT_BE_ZERO_OR_NEGATIVE');
    assert.deepEqual((await read(orderId)).purchase_units[0]!.amount, USD('20.00'));
  });

  test('PATCH: malformed requests get PayPal\'s reasons', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('20.00'), approve: false });
    refused(await patch(orderId, { op: 'replace' }), 400, 'INVALID_PARAMETER_SYNTAX');
    refused(await patch(orderId, [{ op: 'replace', value: USD('1.00') }]), 422, 'PATCH_PATH_REQUIRED');
    refused(await patch(orderId, [{ op: 'replace', path: `${UNIT}/amount` }]), 422, 'PATCH_VALUE_REQUIRED');
    refused(await patch(orderId, [{ op: 'replace', path: 'purchase_units', value: [] }]), 422, 'INVALID_JSON_POINTER_FORMAT');
    refused(await patch(orderId, [{ op: 'replace', path: "/purchase_units/@reference_id=='other'/amount", value: USD('1.00') }]), 422, 'REFERENCE_ID_NOT_FOUND');
    refused(await patch(orderId, [{ op: 'replace', path: '/intent', value: 'AUTHORIZE' }]), 422, 'NOT_PATCHABLE');
    refused(await patch(orderId, [{ op: 'remove', path: `${UNIT}/amount` }]), 400, 'INVALID_PATCH_OPERATION');
    refused(await patch(orderId, [{ op: 'replace', path: `${UNIT}/custom_id`, value: 'c-1' }]), 400, 'INVALID_PATCH_OPERATION');
    refused(await patch(orderId, [{ op: 'add', path: `${UNIT}/custom_id`, value: '' }]), 400, 'INVALID_STRING_LENGTH');
    refused(await patch(orderId, [{ op: 'replace', path: `${UNIT}/amount`, value: USD('1.005') }]), 400, 'INVALID_PARAMETER_SYNTAX');
    assert.equal((await patch('0000000000000000X', [])).status, 404);
    assert.deepEqual((await read(orderId)).purchase_units[0]!.amount, USD('20.00'), 'nothing changed');
  });
});
