// Search attributes: what a start sets for free, and which keys a later publish actually upserts (each upsert is billed).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { CURRENT_MACHINE_OPTIONS, newOrder, transition, webhooksReceived } from '../../src/workflows/order-machine';
import { changedSearchAttributes, initialSearchAttributes, orderSearchAttributes } from '../../src/workflows/presentation';
import { NeedsReview, OrderStateKey, PayPalOrderId, ReviewReason } from '../../src/workflows/search-attributes';

const NOW = '2026-01-01T00:00:00.000Z';
const asObject = (pairs: { key: { name: string }; value: unknown }[]) => Object.fromEntries(pairs.map((p) => [p.key.name, p.value]));

describe('search attributes', () => {
  test('a start sets order ID, state and NeedsReview=false (no empty review reason)', () => {
    assert.deepEqual(asObject(initialSearchAttributes('O-1')), { PayPalOrderId: 'O-1', OrderState: 'awaiting_payment', NeedsReview: false });
  });

  test('a registered order also starts with its expected amount, currency and merchant reference', () => {
    const pairs = initialSearchAttributes('O-2', { expectedAmount: { value: '12.50', currency_code: 'EUR' }, merchantReference: 'shop-7' });
    assert.deepEqual(asObject(pairs), { PayPalOrderId: 'O-2', OrderState: 'awaiting_payment', NeedsReview: false, OrderAmount: 12.5, OrderCurrency: 'EUR', MerchantReference: 'shop-7' });
  });

  test("the workflow's first publish on a run started with those attributes changes nothing (no upsert)", () => {
    const expectedAmount = { value: '12.50', currency_code: 'EUR' };
    const current = new TypedSearchAttributes(initialSearchAttributes('O-3', { expectedAmount, merchantReference: 'shop-7' }));
    const first = orderSearchAttributes(newOrder('O-3', { autoCapture: true, expectedAmount, now: NOW }), 'shop-7');
    assert.deepEqual(changedSearchAttributes(first, current), []);
  });

  test('a start with an approval hint sets `capturing` for an auto-capture order: what the first transition publishes', () => {
    const approved = { eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: 'O-6' };
    const start = initialSearchAttributes('O-6', { autoCapture: true, firstHint: approved });
    assert.equal(asObject(start).OrderState, 'capturing');
    const afterFirst = transition(newOrder('O-6', { autoCapture: true, now: NOW }), webhooksReceived([approved]), NOW, CURRENT_MACHINE_OPTIONS).data;
    assert.deepEqual(changedSearchAttributes(orderSearchAttributes(afterFirst), new TypedSearchAttributes(start)), []);
  });

  test('any other first hint, or an order captured by the merchant, starts `awaiting_payment`', () => {
    const approved = { eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: 'O-7' };
    assert.equal(asObject(initialSearchAttributes('O-7', { autoCapture: false, firstHint: approved })).OrderState, 'awaiting_payment');
    const completed = { eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP-7' };
    assert.equal(asObject(initialSearchAttributes('O-7', { autoCapture: true, firstHint: completed })).OrderState, 'awaiting_payment');
  });

  test('a state change upserts only the keys whose values changed', () => {
    const current = new TypedSearchAttributes(initialSearchAttributes('O-4'));
    const inReview = { ...newOrder('O-4', { autoCapture: true, now: NOW }), state: 'needs_review' as const, review: { code: 'amount_mismatch' as const, message: 'x', since: NOW, from: 'capturing' as const } };
    assert.deepEqual(asObject(changedSearchAttributes(orderSearchAttributes(inReview), current)), { OrderState: 'needs_review', NeedsReview: true, ReviewReason: 'amount_mismatch' });
  });

  test('a run started without NeedsReview (older client) still gets NeedsReview=false; a cleared reason is upserted as empty', () => {
    const olderStart: SearchAttributePair[] = [{ key: PayPalOrderId, value: 'O-5' }, { key: OrderStateKey, value: 'awaiting_payment' }];
    const first = orderSearchAttributes(newOrder('O-5', { autoCapture: true, now: NOW }));
    assert.deepEqual(asObject(changedSearchAttributes(first, new TypedSearchAttributes(olderStart))), { NeedsReview: false });
    const wasInReview = new TypedSearchAttributes([...olderStart, { key: NeedsReview, value: true }, { key: ReviewReason, value: 'service_update_failed' }]);
    assert.deepEqual(asObject(changedSearchAttributes(first, wasInReview)), { NeedsReview: false, ReviewReason: '' });
  });
});
