// Which capture stands for an order's payment, and with which status, when the merchant captured an authorization
// in parts or a multi-seller payment has a capture per unit (paymentCapture): the machine revokes an order only
// when its payment reads fully refunded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paymentCapture, toPaymentTruth } from '../../src/activities/paypal';
import type { Capture, Order } from '../../src/paypal/schemas';
import { addAmounts } from '../../src/paypal/money';

const part = (id: string, status: string): Capture => ({ id, status, amount: { currency_code: 'USD', value: '5.00' } });
const stands = (...parts: Capture[]) => {
  const c = paymentCapture(parts);
  return c && `${c.id} ${c.status}`;
};

test('no capture, or one: nothing, or that capture as it is', () => {
  assert.equal(paymentCapture([]), undefined);
  for (const status of ['COMPLETED', 'PENDING', 'REFUNDED', 'DECLINED']) assert.equal(stands(part('A', status)), `A ${status}`);
});

test('parts all paid: the first stands for them, with the amount they took together', () => {
  assert.equal(stands(part('A', 'COMPLETED'), part('B', 'COMPLETED')), 'A COMPLETED');
  assert.equal(stands(part('A', 'PENDING'), part('B', 'COMPLETED')), 'A PENDING');
  const declinedToo = paymentCapture([part('A', 'COMPLETED'), part('X', 'DECLINED'), { ...part('B', 'REFUNDED'), amount: { currency_code: 'USD', value: '2.5' } }]);
  assert.deepEqual(declinedToo?.amount, { currency_code: 'USD', value: '7.50' }, 'a declined part took nothing; a refunded one took its amount');
});

test('amounts add up exactly in decimal, and only plain decimals of one currency', () => {
  const usd = (value: string) => ({ currency_code: 'USD', value });
  assert.deepEqual(addAmounts([usd('30.00'), usd('5.5')]), usd('35.50'));
  assert.deepEqual(addAmounts([usd('0.10'), usd('0.20')]), usd('0.30'), 'no binary floating point');
  assert.deepEqual(addAmounts([usd('999999999999999.99'), usd('0.01')]), usd('1000000000000000.00'));
  assert.deepEqual(addAmounts([{ currency_code: 'JPY', value: '100' }, { currency_code: 'JPY', value: '250' }]), { currency_code: 'JPY', value: '350' });
  assert.equal(addAmounts([]), undefined);
  assert.equal(addAmounts([usd('1.00'), { currency_code: 'EUR', value: '1.00' }]), undefined, 'two currencies');
  assert.equal(addAmounts([usd('1.00'), undefined]), undefined, 'an amount PayPal did not give');
  for (const odd of ['-1.00', '1e3', '1.', '.5', ' 1.00']) assert.equal(addAmounts([usd('1.00'), usd(odd)]), undefined, odd);
});

test('some parts refunded, others still paid: PARTIALLY_REFUNDED, whichever part it was', () => {
  assert.equal(stands(part('A', 'REFUNDED'), part('B', 'COMPLETED')), 'A PARTIALLY_REFUNDED');
  assert.equal(stands(part('A', 'COMPLETED'), part('B', 'REVERSED')), 'A PARTIALLY_REFUNDED');
  assert.equal(stands(part('A', 'COMPLETED'), part('B', 'PARTIALLY_REFUNDED')), 'A PARTIALLY_REFUNDED');
});

test('every part refunded or reversed: the first part\'s status, so the order can be revoked', () => {
  assert.equal(stands(part('A', 'REFUNDED'), part('B', 'REFUNDED')), 'A REFUNDED');
  assert.equal(stands(part('A', 'REVERSED'), part('B', 'REFUNDED')), 'A REVERSED');
});

test('parts that never took money do not count: the first paid part stands, or the first part if none paid', () => {
  assert.equal(stands(part('A', 'DECLINED'), part('B', 'COMPLETED')), 'B COMPLETED');
  assert.equal(stands(part('A', 'REFUNDED'), part('B', 'DECLINED')), 'A REFUNDED');
  assert.equal(stands(part('A', 'DECLINED'), part('B', 'FAILED')), 'A DECLINED');
});

test('a multi-seller payment: every unit\'s amounts, captures and refunds make the payment; references are the first unit\'s', () => {
  const unit = (ref: string, value: string, capture: Capture, refunds: { id: string; status: string }[] = []) => ({
    reference_id: ref,
    amount: { currency_code: 'USD', value },
    custom_id: `custom-${ref}`,
    payments: { captures: [capture], refunds },
  });
  const order = {
    id: 'ORDER1',
    status: 'COMPLETED',
    purchase_units: [unit('a', '30.00', part('A', 'COMPLETED')), unit('b', '20.00', part('B', 'REFUNDED'), [{ id: 'R-B', status: 'COMPLETED' }])],
  } as Order;
  const truth = toPaymentTruth(order);
  assert.equal(truth.purchaseUnits, 2);
  assert.deepEqual(truth.orderAmount, { currency_code: 'USD', value: '50.00' }, 'what the buyer approved over both units');
  assert.equal(truth.customId, 'custom-a');
  assert.deepEqual([truth.capture?.id, truth.capture?.status], ['A', 'PARTIALLY_REFUNDED'], 'the second seller refunded, the first still paid');
  assert.deepEqual(truth.refunds?.map((r) => r.id), ['R-B'], 'the second seller\'s refund is the order\'s');
});

test('a multi-seller order whose units\' amounts cannot be added has no amount (so a registered amount never matches)', () => {
  const unit = (ref: string, amount?: { currency_code: string; value: string }) => ({ reference_id: ref, ...(amount ? { amount } : {}) });
  const truth = (units: ReturnType<typeof unit>[]) => toPaymentTruth({ id: 'ORDER2', status: 'APPROVED', purchase_units: units });
  assert.deepEqual(truth([unit('a', { currency_code: 'USD', value: '1.00' }), unit('b', { currency_code: 'USD', value: '2.50' })]).orderAmount, { currency_code: 'USD', value: '3.50' });
  assert.equal(truth([unit('a', { currency_code: 'USD', value: '1.00' }), unit('b', { currency_code: 'EUR', value: '1.00' })]).orderAmount, undefined, 'two currencies');
  assert.equal(truth([unit('a', { currency_code: 'USD', value: '1.00' }), unit('b')]).orderAmount, undefined, 'a unit without an amount');
  assert.deepEqual(truth([unit('a', { currency_code: 'USD', value: '1.00' })]).orderAmount, { currency_code: 'USD', value: '1.00' }, 'one unit: its own amount');
});
