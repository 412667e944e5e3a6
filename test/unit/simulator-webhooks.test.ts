// Webhook generation and delivery: PayPal's headers and signature, retries, duplicates, drops, ordering, the
// verify-webhook-signature API, and the control actions that emit the later lifecycle events.
import assert from 'node:assert/strict';
import { X509Certificate, createVerify } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import { webhookSignedMessage } from '../../src/paypal/signed-message';
import { api, type ReceivedWebhook, simulatorRig, waitUntil } from '../helpers/simulator-support';

const USD = (value: string) => ({ currency_code: 'USD', value });

describe('simulator webhooks', () => {
  const rig = simulatorRig({ retryDelaysMs: [50, 100] });

  beforeEach(async () => {
    rig.receiver.answers = [];
    rig.receiver.defaultStatus = 200;
    await rig.sim.control.clearFaults();
  });

  const forOrder = (orderId: string, type: string): ReceivedWebhook[] =>
    rig.receiver.received.filter((r) => r.event.event_type === type && JSON.stringify(r.event.resource).includes(orderId));

  async function capture(orderId: string): Promise<string> {
    const res = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: `cap-${orderId}` });
    assert.equal(res.status, 201);
    return (res.json.purchase_units as { payments: { captures: { id: string }[] } }[])[0]!.payments.captures[0]!.id;
  }

  test('approval delivers CHECKOUT.ORDER.APPROVED with PayPal headers and a signature that verifies against the cert URL', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('10.00') });
    const hook = await waitUntil('approval webhook', () => forOrder(orderId, 'CHECKOUT.ORDER.APPROVED')[0]);
    const h = hook.headers as Record<string, string>;
    assert.equal(h['paypal-auth-algo'], 'SHA256withRSA');
    assert.equal(h['paypal-auth-version'], 'v2');
    assert.equal(h['paypal-cert-url'], rig.sim.certUrl);
    assert.match(h['paypal-transmission-id']!, /^[0-9a-f-]{36}$/);
    assert.match(h['paypal-transmission-time']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(h['content-type'], 'application/json');
    assert.equal(hook.event.resource.id, orderId);
    assert.equal((hook.event as unknown as { resource_type: string }).resource_type, 'checkout-order');

    const certPem = await (await fetch(h['paypal-cert-url'])).text();
    const cert = new X509Certificate(certPem);
    assert.ok(cert.verify(new X509Certificate(rig.sim.caPem).publicKey), 'leaf is issued by the simulator CA');
    const message = webhookSignedMessage({ transmissionId: h['paypal-transmission-id']!, transmissionTime: h['paypal-transmission-time']!, webhookId: rig.sim.webhookId, rawBody: hook.raw });
    assert.ok(createVerify('RSA-SHA256').update(message).verify(cert.publicKey, h['paypal-transmission-sig']!, 'base64'));
    const tampered = Buffer.from(hook.raw.toString('utf8').replace('10.00', '10.01'));
    const badMessage = webhookSignedMessage({ transmissionId: h['paypal-transmission-id']!, transmissionTime: h['paypal-transmission-time']!, webhookId: rig.sim.webhookId, rawBody: tampered });
    assert.equal(createVerify('RSA-SHA256').update(badMessage).verify(cert.publicKey, h['paypal-transmission-sig']!, 'base64'), false);
  });

  test('capture delivers PAYMENT.CAPTURE.COMPLETED linked to its order', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('20.00') });
    const captureId = await capture(orderId);
    const hook = await waitUntil('capture webhook', () => forOrder(orderId, 'PAYMENT.CAPTURE.COMPLETED')[0]);
    const resource = hook.event.resource as { id: string; status: string; supplementary_data: { related_ids: { order_id: string } }; links: { rel: string; href: string }[] };
    assert.equal(resource.id, captureId);
    assert.equal(resource.status, 'COMPLETED');
    assert.equal(resource.supplementary_data.related_ids.order_id, orderId);
    assert.equal(resource.links.find((l) => l.rel === 'up')?.href, `${rig.sim.url}/v2/checkout/orders/${orderId}`);
  });

  test('receiver answering 500 twice: the third attempt succeeds, each attempt a new transmission over the same bytes', async () => {
    rig.receiver.answers = [500, 500];
    const { orderId } = await rig.sim.control.checkout({ amount: USD('1.00') });
    await waitUntil('delivered', () => forOrder(orderId, 'CHECKOUT.ORDER.APPROVED').find((r) => r.answered === 200));
    const all = rig.receiver.received.filter((r) => (r.event.resource.id) === orderId);
    assert.deepEqual(all.map((r) => r.answered), [500, 500, 200]);
    assert.equal(new Set(all.map((r) => r.headers['paypal-transmission-id'])).size, 3, 'new transmission id per attempt');
    assert.equal(new Set(all.map((r) => r.raw.toString('hex'))).size, 1, 'same body bytes');
    const attempts = await rig.sim.control.deliveries({ orderId });
    assert.deepEqual(attempts.map((a) => [a.attempt, a.statusCode, a.ok]), [[1, 500, false], [2, 500, false], [3, 200, true]]);
    const [event] = await rig.sim.control.events({ orderId });
    assert.equal(event?.status, 'DELIVERED');
  });

  test('a receiver that never succeeds: retries per retryDelaysMs, then FAILED and still listed by webhooks-events', async () => {
    rig.receiver.defaultStatus = 503;
    const { orderId } = await rig.sim.control.checkout({ amount: USD('2.00') });
    const failed = await rig.sim.control.waitForEvent({ orderId, eventType: 'CHECKOUT.ORDER.APPROVED', status: 'FAILED' });
    assert.equal((await rig.sim.control.deliveries({ eventId: failed.id })).length, 3, '1 try + 2 retries');
    const listed = await api(rig.sim, rig.token, 'GET', '/v1/notifications/webhooks-events?event_type=CHECKOUT.ORDER.APPROVED&page_size=300');
    assert.ok((listed.json.events as { id: string }[]).some((e) => e.id === failed.id));
  });

  test('duplicates: each event delivered K times, same event id, distinct transmissions', async () => {
    await rig.sim.control.setFaults({ webhooks: { duplicates: 3 } });
    const { orderId } = await rig.sim.control.checkout({ amount: USD('3.00') });
    const copies = await waitUntil('3 copies', () => {
      const got = forOrder(orderId, 'CHECKOUT.ORDER.APPROVED');
      return got.length === 3 && got;
    });
    assert.equal(new Set(copies.map((c) => c.event.id)).size, 1);
    assert.equal(new Set(copies.map((c) => c.headers['paypal-transmission-id'])).size, 3);
  });

  test('dropped event: never delivered, but listed by the webhooks-events API and deliverable by resend', async () => {
    await rig.sim.control.setFaults({ webhooks: { dropNext: 1, eventTypes: ['CHECKOUT.ORDER.APPROVED'] } });
    const { orderId } = await rig.sim.control.checkout({ amount: USD('4.00') });
    await capture(orderId);
    await waitUntil('capture webhook (delivery works)', () => forOrder(orderId, 'PAYMENT.CAPTURE.COMPLETED')[0]);
    assert.equal(forOrder(orderId, 'CHECKOUT.ORDER.APPROVED').length, 0, 'the approval was dropped');
    const [dropped] = await rig.sim.control.events({ orderId, eventType: 'CHECKOUT.ORDER.APPROVED' });
    assert.equal(dropped?.status, 'DROPPED');
    const listed = await api(rig.sim, rig.token, 'GET', '/v1/notifications/webhooks-events?page_size=300');
    assert.ok((listed.json.events as { id: string }[]).some((e) => e.id === dropped.id));
    const resend = await api(rig.sim, rig.token, 'POST', `/v1/notifications/webhooks-events/${dropped.id}/resend`, { body: {} });
    assert.equal(resend.status, 202);
    await waitUntil('resent approval', () => forOrder(orderId, 'CHECKOUT.ORDER.APPROVED')[0]);
  });

  test('reverseNext: a batch of events is delivered newest first', async () => {
    await rig.sim.control.setFaults({ webhooks: { reverseNext: 2 } });
    const { orderId } = await rig.sim.control.checkout({ amount: USD('5.00') });
    await capture(orderId);
    await waitUntil('both events', () => rig.receiver.received.filter((r) => JSON.stringify(r.event.resource).includes(orderId)).length === 2);
    const types = rig.receiver.received.filter((r) => JSON.stringify(r.event.resource).includes(orderId)).map((r) => r.event.event_type);
    assert.deepEqual(types, ['PAYMENT.CAPTURE.COMPLETED', 'CHECKOUT.ORDER.APPROVED']);
  });

  test('verify-webhook-signature: SUCCESS for the spliced raw event, FAILURE if modified or for another webhook id', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('6.00') });
    const hook = await waitUntil('approval webhook', () => forOrder(orderId, 'CHECKOUT.ORDER.APPROVED')[0]);
    const h = hook.headers as Record<string, string>;
    const verify = async (raw: string, webhookId = rig.sim.webhookId) => {
      // Splice the received bytes verbatim, with unusual spacing around them to prove nothing is re-serialised.
      const rawBody = `{ "webhook_event" :  ${raw} , "auth_algo":"${h['paypal-auth-algo']}","cert_url":"${h['paypal-cert-url']}","transmission_id":"${h['paypal-transmission-id']}","transmission_sig":"${h['paypal-transmission-sig']}","transmission_time":"${h['paypal-transmission-time']}","webhook_id":"${webhookId}"}`;
      const res = await api(rig.sim, rig.token, 'POST', '/v1/notifications/verify-webhook-signature', { rawBody });
      assert.equal(res.status, 200);
      return res.json.verification_status;
    };
    const raw = hook.raw.toString('utf8');
    assert.equal(await verify(raw), 'SUCCESS');
    assert.equal(await verify(raw.replace('6.00', '6.01')), 'FAILURE');
    assert.equal(await verify(JSON.stringify(JSON.parse(raw), null, 1)), 'FAILURE', 're-serialised bytes do not verify');
    assert.equal(await verify(raw, 'OTHER-WEBHOOK'), 'FAILURE');
  });

  test('pending capture: PENDING with reason, then control complete → COMPLETED; deny → DENIED', async () => {
    const a = await rig.sim.control.checkout({ amount: USD('7.00'), captureOutcome: 'PENDING', pendingReason: 'ECHECK' });
    const captureA = await capture(a.orderId);
    const pending = await waitUntil('pending webhook', () => forOrder(a.orderId, 'PAYMENT.CAPTURE.PENDING')[0]);
    assert.deepEqual(pending.event.resource.status_details, { reason: 'ECHECK' });
    await rig.sim.control.completeCapture(captureA);
    const completed = await waitUntil('completed webhook', () => forOrder(a.orderId, 'PAYMENT.CAPTURE.COMPLETED')[0]);
    assert.equal(completed.event.resource.status, 'COMPLETED');

    const b = await rig.sim.control.checkout({ amount: USD('8.00'), captureOutcome: 'PENDING' });
    const captureB = await capture(b.orderId);
    await rig.sim.control.denyCapture(captureB);
    const denied = await waitUntil('denied webhook', () => forOrder(b.orderId, 'PAYMENT.CAPTURE.DENIED')[0]);
    assert.equal(denied.event.resource.status, 'DECLINED');

    const c = await rig.sim.control.checkout({ amount: USD('9.00'), captureOutcome: 'DECLINED' });
    await capture(c.orderId);
    await waitUntil('declined webhook', () => forOrder(c.orderId, 'PAYMENT.CAPTURE.DECLINED')[0]);
  });

  test('refund → PAYMENT.CAPTURE.REFUNDED and reversal → PAYMENT.CAPTURE.REVERSED, refund resources pointing up to the capture', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('10.00') });
    const captureId = await capture(orderId);
    const refund = await api(rig.sim, rig.token, 'POST', `/v2/payments/captures/${captureId}/refund`, { body: { amount: USD('4.00') } });
    assert.equal(refund.status, 201);
    await rig.sim.control.reverseCapture(captureId);
    for (const type of ['PAYMENT.CAPTURE.REFUNDED', 'PAYMENT.CAPTURE.REVERSED']) {
      const hook = await waitUntil(type, () => rig.receiver.ofType(type).find((r) => JSON.stringify(r.event.resource).includes(captureId)));
      const links = hook.event.resource.links as { rel: string; href: string }[];
      assert.equal(links.find((l) => l.rel === 'up')?.href, `${rig.sim.url}/v2/payments/captures/${captureId}`);
      assert.equal((hook.event as unknown as { resource_type: string }).resource_type, 'refund');
    }
    const after = await api(rig.sim, rig.token, 'GET', `/v2/payments/captures/${captureId}`);
    assert.equal(after.json.status, 'REFUNDED');
  });

  test('reverse-approval: CHECKOUT.PAYMENT-APPROVAL.REVERSED with order_id, order VOIDED and no longer capturable', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('11.00') });
    await rig.sim.control.reverseApproval(orderId);
    const hook = await waitUntil('reversal webhook', () => rig.receiver.ofType('CHECKOUT.PAYMENT-APPROVAL.REVERSED').find((r) => r.event.resource.order_id === orderId));
    assert.ok(Array.isArray(hook.event.resource.purchase_units));
    const order = await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`);
    assert.equal(order.json.status, 'VOIDED');
    const res = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, {});
    assert.equal(res.status, 422);
  });
});
