import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { eventSubject, HANDLED_EVENT_TYPES, webhookEventSchema } from '../../src/paypal/events';

// Real PayPal-delivered bodies (copied from the shared conformance set; see the folder's README).
const dir = join(__dirname, '..', 'fixtures', 'paypal-events');
const load = (name: string) => webhookEventSchema.parse(JSON.parse(readFileSync(join(dir, name), 'utf8')));

describe('webhook events: parsing and order routing', () => {
  test('PAYMENT.CAPTURE.COMPLETED routes by supplementary_data.related_ids.order_id', () => {
    assert.deepEqual(eventSubject(load('PAYMENT.CAPTURE.COMPLETED.simulator-2024.json')), { orderId: '1AB234567A1234567' });
  });

  test('PAYMENT.CAPTURE.PENDING without supplementary data routes by the up link', () => {
    assert.deepEqual(eventSubject(load('PAYMENT.CAPTURE.PENDING.simulator-2024.json')), { orderId: '8PR65097T8571330M' });
  });

  test('refund and reversal events name the capture (the order is looked up from it)', () => {
    assert.deepEqual(eventSubject(load('PAYMENT.CAPTURE.REFUNDED.simulator-2024.json')), { captureId: '0JF852973C016714D' });
    assert.deepEqual(eventSubject(load('PAYMENT.CAPTURE.REVERSED.simulator-2024.json')), { captureId: '4L335234718889942' });
  });

  test('a declined capture in the authorize flow routes by related_ids.order_id, not the authorization up link', () => {
    const subject = eventSubject(load('PAYMENT.CAPTURE.DECLINED.simulator-2024.json'));
    assert.ok('orderId' in subject, JSON.stringify(subject));
  });

  test('CHECKOUT.ORDER.* routes by the resource id; approval reversal by order_id', () => {
    const base = { id: 'WH-1', resource_type: 'checkout-order' };
    assert.deepEqual(eventSubject(webhookEventSchema.parse({ ...base, event_type: 'CHECKOUT.ORDER.APPROVED', resource: { id: '5O190127TN364715T' } })), { orderId: '5O190127TN364715T' });
    assert.deepEqual(
      eventSubject(webhookEventSchema.parse({ ...base, event_type: 'CHECKOUT.PAYMENT-APPROVAL.REVERSED', resource: { order_id: '5O190127TN364715T', purchase_units: [] } })),
      { orderId: '5O190127TN364715T' },
    );
  });

  test('an order id that would make a strange workflow id is refused', () => {
    const e = webhookEventSchema.parse({ id: 'WH-1', event_type: 'CHECKOUT.ORDER.APPROVED', resource: { id: '../../etc passwd' } });
    assert.ok('unknown' in eventSubject(e));
  });

  test('a malformed escape in the up link is unroutable, not an exception', () => {
    const e = webhookEventSchema.parse({
      id: 'WH-1',
      event_type: 'PAYMENT.CAPTURE.COMPLETED',
      resource: { id: 'CAP1', links: [{ rel: 'up', href: 'https://api.paypal.com/v2/checkout/orders/%E0' }] },
    });
    assert.ok('unknown' in eventSubject(e));
  });

  test('legacy v1 sale events are not handled (acknowledged and ignored by the intake)', () => {
    const sale = load('PAYMENT.SALE.COMPLETED.simulator-2024.json');
    assert.equal(HANDLED_EVENT_TYPES.has(sale.event_type), false);
  });

  test('JSON that is not a PayPal event is rejected by the schema', () => {
    assert.equal(webhookEventSchema.safeParse({ hello: 'world' }).success, false);
    assert.equal(webhookEventSchema.safeParse({ id: 'x', event_type: 'Y' }).success, false, 'resource is required');
  });
});
