// An order of several purchase units (PayPal's multi-seller payments) is captured as usual, then reviewed
// (reviewMultiUnitOrders): the product never fulfils, cancels or refunds it on what its first unit alone says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CURRENT_MACHINE_OPTIONS, transition, type MachineOptions, type OrderData, type PaymentTruth } from '../../src/workflows/order-machine';
import { at, captured, NOW, supportDecision } from '../helpers/order-data';

const REVIEWED: MachineOptions = { ...CURRENT_MACHINE_OPTIONS };
/** `truth` as PayPal shows an order of `units` purchase units. */
const ofUnits = (truth: PaymentTruth, units = 2): PaymentTruth => ({ ...truth, purchaseUnits: units });
const read = (data: OrderData, truth: PaymentTruth, options: MachineOptions = REVIEWED) => transition(data, { type: 'truth', truth }, NOW, options);

describe('order state machine: orders of several purchase units go to review once captured (reviewMultiUnitOrders)', () => {
  for (const status of ['COMPLETED', 'PENDING', 'DECLINED', 'REFUNDED', 'PARTIALLY_REFUNDED']) {
    test(`a captured multi-unit order whose first capture is ${status} goes to review, with no update or capture`, () => {
      const r = read(at('capturing'), ofUnits(captured(status), 3));
      assert.equal(r.data.state, 'needs_review');
      assert.equal(r.data.review?.code, 'multiple_purchase_units');
      assert.equal(r.data.review?.from, 'capturing');
      assert.equal(
        r.data.review?.message,
        `PayPal's order has 3 purchase units (a multi-seller payment), captured at PayPal (10.00 USD in all, payment ${status}, first capture CAP1). Only orders of one unit are fulfilled automatically`,
      );
      assert.deepEqual(r.commands.map((c) => c.type), ['alert_review']);
    });
  }

  test('an approved, uncaptured multi-unit order is captured first, so the buyer\'s approval does not lapse', () => {
    const r = read(at('awaiting_payment'), ofUnits({ orderStatus: 'APPROVED' }));
    assert.equal(r.data.state, 'capturing');
    assert.deepEqual(r.commands, [{ type: 'capture_order' }]);
  });

  test('a completed multi-unit order that lists no capture goes to review too', () => {
    const r = read(at('awaiting_payment'), ofUnits({ orderStatus: 'COMPLETED' }));
    assert.equal(r.data.review?.code, 'multiple_purchase_units');
    assert.match(r.data.review?.message ?? '', /\(no capture listed\)/);
  });

  test('a poll that finds a multi-unit order paid reviews it from awaiting_payment and payment_pending alike', () => {
    for (const state of ['awaiting_payment', 'payment_pending'] as const) {
      assert.equal(read(at(state), ofUnits(captured('COMPLETED'))).data.review?.from, state);
    }
  });

  test('an order of one unit is fulfilled as before', () => {
    const r = read(at('capturing'), captured('COMPLETED'));
    assert.equal(r.data.state, 'fulfilling');
    assert.deepEqual(r.commands, [{ type: 'update_service', override: false }]);
  });

  test('the gate is asked only for a captured multi-unit order; when it says no, the first unit decides as before', () => {
    let asked = 0;
    const gate: MachineOptions = { ...REVIEWED, reviewMultiUnitOrders: () => (asked++, false) };
    read(at('capturing'), captured('COMPLETED'), gate);
    read(at('awaiting_payment'), ofUnits({ orderStatus: 'APPROVED' }), gate);
    assert.equal(asked, 0);
    const r = read(at('capturing'), ofUnits(captured('COMPLETED')), gate);
    assert.equal(asked, 1);
    assert.equal(r.data.state, 'fulfilling');
  });

  test('after fulfilment, cancellation by support, or in review, a multi-unit read changes nothing new', () => {
    assert.equal(read(at('fulfilled'), ofUnits(captured('COMPLETED'))).data.state, 'fulfilled');
    assert.equal(read(at('needs_review'), ofUnits(captured('COMPLETED'))).data.state, 'needs_review');
    const rejected = at('cancelled', { decisions: [{ decision: 'reject', actor: 'ana', reason: 'x', at: NOW }] });
    assert.equal(read(rejected, ofUnits(captured('COMPLETED'))).data.state, 'cancelled');
  });

  test('support decides: approve delivers as an override, retry reads again and comes back, reject cancels', () => {
    const inReview = read(at('capturing'), ofUnits(captured('COMPLETED'))).data;
    const decide = (decision: 'approve' | 'retry' | 'reject') =>
      transition(inReview, supportDecision(decision, 'checked every seller'), NOW, REVIEWED);
    const approved = decide('approve');
    assert.equal(approved.data.state, 'fulfilling');
    assert.deepEqual(approved.commands, [{ type: 'update_service', override: true }]);
    const retried = decide('retry');
    assert.deepEqual(retried.commands, [{ type: 'verify_payment' }]);
    assert.equal(read(retried.data, ofUnits(captured('COMPLETED'))).data.review?.code, 'multiple_purchase_units');
    const rejected = decide('reject');
    assert.equal(rejected.data.state, 'cancelled');
    assert.deepEqual(rejected.commands, []);
  });
});
