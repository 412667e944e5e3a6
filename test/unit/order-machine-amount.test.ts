// A registered amount is checked before the capture (checkAmountBeforeCapture): the buyer is never charged an amount
// the merchant did not register, and support's approve captures the amount the buyer approved.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  CURRENT_MACHINE_OPTIONS,
  amountToCapture,
  transition,
  type MachineInput,
  type MachineOptions,
  type OrderData,
  type PaymentTruth,
} from '../../src/workflows/order-machine';
import { at, captured, NOW, supportDecision } from '../helpers/order-data';

const USD = (value: string) => ({ currency_code: 'USD', value });
const CHECKED: MachineOptions = { checkAmountBeforeCapture: true, captureOnApprovalHint: true };
/** A registered order (10.00 USD expected) in `state`. */
const registered = (state: OrderData['state'], patch: Partial<OrderData> = {}) => at(state, { expectedAmount: USD('10.00'), ...patch });
const approvedFor = (value: string): PaymentTruth => ({ orderStatus: 'APPROVED', orderAmount: USD(value) });
const decide = (data: OrderData, decision: 'approve' | 'retry' | 'reject', options: MachineOptions = CHECKED) =>
  transition(data, supportDecision(decision, 'checked with the buyer'), NOW, options);

describe('order state machine: a registered amount is checked before the capture (checkAmountBeforeCapture)', () => {
  test('an approved order for another amount goes to review uncaptured: no capture command, an alert', () => {
    const r = transition(registered('awaiting_payment'), { type: 'truth', truth: approvedFor('12.00') }, NOW, CHECKED);
    assert.equal(r.data.state, 'needs_review');
    assert.equal(r.data.review?.code, 'amount_mismatch');
    assert.equal(r.data.review?.message, 'expected 10.00 USD, the buyer approved 12.00 USD; not captured');
    assert.deepEqual(r.commands.map((c) => c.type), ['alert_review']);
  });

  test('an approved order for the registered amount is captured, and the command carries the amount', () => {
    const r = transition(registered('awaiting_payment'), { type: 'truth', truth: approvedFor('10.0') }, NOW, CHECKED);
    assert.equal(r.data.state, 'capturing');
    assert.deepEqual(r.commands, [{ type: 'capture_order', expectedAmount: USD('10.00') }]);
  });

  test('the same value in another currency is another amount', () => {
    const truth: PaymentTruth = { orderStatus: 'APPROVED', orderAmount: { currency_code: 'EUR', value: '10.00' } };
    assert.equal(transition(registered('awaiting_payment'), { type: 'truth', truth }, NOW, CHECKED).data.review?.code, 'amount_mismatch');
  });

  test('an authorization for another amount is not captured either', () => {
    const truth: PaymentTruth = { orderStatus: 'COMPLETED', orderAmount: USD('12.00'), authorization: { id: 'AUTH1', status: 'CREATED' } };
    const r = transition(registered('awaiting_payment'), { type: 'truth', truth }, NOW, CHECKED);
    assert.equal(r.data.review?.code, 'amount_mismatch');
    assert.ok(!r.commands.some((c) => c.type === 'capture_order'));
  });

  test('on the approval webhook the capture carries the amount (nothing read), and the activity\'s uncaptured answer goes to review', () => {
    const hinted = transition(registered('awaiting_payment'), { type: 'webhooks_received', eventTypes: ['CHECKOUT.ORDER.APPROVED'] }, NOW, CHECKED);
    assert.deepEqual(hinted.commands, [{ type: 'capture_order', expectedAmount: USD('10.00') }]);
    const answered = transition(hinted.data, { type: 'truth', truth: approvedFor('12.00') }, NOW, CHECKED);
    assert.equal(answered.data.review?.code, 'amount_mismatch');
    assert.equal(answered.data.review?.from, 'capturing');
    assert.ok(!answered.commands.some((c) => c.type === 'capture_order'), 'not asked to capture again');
  });

  test('orders registered without an amount, and unregistered ones, capture as before', () => {
    const r = transition(at('awaiting_payment'), { type: 'truth', truth: approvedFor('12.00') }, NOW, CHECKED);
    assert.deepEqual(r.commands, [{ type: 'capture_order' }]);
  });

  test('a capture PayPal completed for another amount (a change after the check) still goes to review', () => {
    const r = transition(registered('capturing'), { type: 'truth', truth: captured('COMPLETED', { amount: USD('12.00') }) }, NOW, CHECKED);
    assert.equal(r.data.review?.code, 'amount_mismatch');
    assert.equal(r.data.review?.message, 'expected 10.00 USD, PayPal captured 12.00 USD');
  });

  test('off (legacy types): captured first and checked after, and the command carries no amount', () => {
    const r = transition(registered('awaiting_payment'), { type: 'truth', truth: approvedFor('12.00') }, NOW, { checkAmountBeforeCapture: false });
    assert.equal(r.data.state, 'capturing');
    assert.deepEqual(r.commands, [{ type: 'capture_order' }]);
  });

  test('gated (orderWorkflowV4\'s patch): asked only when an approved order\'s amount differs; "no" captures as before', () => {
    let asked = 0;
    const gate = (answer: boolean): MachineOptions => ({ checkAmountBeforeCapture: () => (asked++, answer) });
    transition(registered('awaiting_payment'), { type: 'truth', truth: approvedFor('10.00') }, NOW, gate(true));
    transition(registered('awaiting_payment'), { type: 'webhooks_received', eventTypes: ['CHECKOUT.ORDER.APPROVED'] }, NOW, { ...gate(true), captureOnApprovalHint: true });
    assert.equal(asked, 0, 'not asked for a matching amount, nor on a webhook');
    const replayed = transition(registered('awaiting_payment'), { type: 'truth', truth: approvedFor('12.00') }, NOW, gate(false));
    assert.equal(asked, 1);
    assert.equal(replayed.data.state, 'capturing', 'a run recorded before the patch captures, as it did');
    assert.equal(transition(registered('awaiting_payment'), { type: 'truth', truth: approvedFor('12.00') }, NOW, gate(true)).data.state, 'needs_review');
  });
});

describe('order state machine: support\'s decisions on an amount left uncaptured', () => {
  const inReview = () => transition(registered('awaiting_payment'), { type: 'truth', truth: approvedFor('12.00') }, NOW, CHECKED).data;

  test('approve captures the amount the buyer approved, then delivers it as an override', () => {
    const approved = decide(inReview(), 'approve');
    assert.equal(approved.data.state, 'capturing');
    assert.deepEqual(approved.commands, [{ type: 'capture_order', expectedAmount: USD('12.00') }]);
    assert.match(approved.data.timeline.at(-1)?.note ?? '', /capturing the 12\.00 USD the buyer approved \(registered 10\.00 USD\)/);
    assert.deepEqual([approved.data.expectedAmount, approved.data.acceptedAmount], [USD('10.00'), USD('12.00')], 'what was registered is kept');
    const paid = transition(approved.data, { type: 'truth', truth: captured('COMPLETED', { amount: USD('12.00') }) }, NOW, CHECKED);
    assert.equal(paid.data.state, 'fulfilling');
    assert.deepEqual(paid.commands, [{ type: 'update_service', override: true }]);
    const other = transition(approved.data, { type: 'truth', truth: captured('COMPLETED', { amount: USD('13.00') }) }, NOW, CHECKED);
    assert.equal(other.data.review?.message, 'expected 12.00 USD, PayPal captured 13.00 USD', 'checked against the accepted amount');
  });

  test('approve of an amount PayPal already captured delivers it, as before (no second capture)', () => {
    const capturedInReview = transition(registered('capturing'), { type: 'truth', truth: captured('COMPLETED', { amount: USD('12.00') }) }, NOW, CHECKED).data;
    const r = decide(capturedInReview, 'approve');
    assert.equal(r.data.state, 'fulfilling');
    assert.deepEqual(r.commands, [{ type: 'update_service', override: true }]);
  });

  test('reject cancels, with nothing to capture or refund; retry reads PayPal again', () => {
    const rejected = decide(inReview(), 'reject');
    assert.equal(rejected.data.state, 'cancelled');
    assert.deepEqual(rejected.commands, []);
    const retried = decide(inReview(), 'retry');
    assert.equal(retried.data.state, 'awaiting_payment');
    assert.deepEqual(retried.commands, [{ type: 'verify_payment' }]);
  });
});

describe('order state machine: the registered amount under any schedule (property)', () => {
  // PayPal's answers for an order registered at 10.00 USD whose buyer approved 12.00: not approved yet, approved,
  // authorized, or captured (by someone, for some amount); in any order, with hints, polls and support's decisions.
  const truths: PaymentTruth[] = [
    { orderStatus: 'CREATED', orderAmount: USD('12.00') },
    approvedFor('12.00'),
    { orderStatus: 'COMPLETED', orderAmount: USD('12.00'), authorization: { id: 'AUTH1', status: 'CREATED' } },
    { ...captured('COMPLETED', { amount: USD('12.00') }), orderAmount: USD('12.00') },
    { ...captured('PENDING', { amount: USD('12.00') }), orderAmount: USD('12.00') },
  ];
  const input: fc.Arbitrary<MachineInput> = fc.oneof(
    fc.constantFrom(...truths).map((truth): MachineInput => ({ type: 'truth', truth })),
    fc.constantFrom('CHECKOUT.ORDER.APPROVED', 'PAYMENT.CAPTURE.COMPLETED').map((e): MachineInput => ({ type: 'webhooks_received', eventTypes: [e] })),
    fc.constant<MachineInput>({ type: 'poll_due' }),
    fc.constantFrom('approve', 'retry', 'reject').map((decision): MachineInput => ({ type: 'decision', decision: { decision, actor: 'ana', reason: 'r', at: NOW } })),
  );

  test('every capture a registered order commands carries the amount it may be captured for, and only support\'s approve accepts another', () => {
    fc.assert(fc.property(fc.array(input, { maxLength: 25 }), (inputs) => {
      let data = registered('awaiting_payment');
      for (const next of inputs) {
        const approvedBefore = data.decisions.some((d) => d.decision === 'approve');
        const r = transition(data, next, NOW, CURRENT_MACHINE_OPTIONS);
        for (const c of r.commands) {
          if (c.type !== 'capture_order') continue;
          assert.deepEqual(c.expectedAmount, amountToCapture(r.data), 'the command carries the amount to capture');
          if (!approvedBefore && !(next.type === 'decision' && next.decision.decision === 'approve')) {
            assert.deepEqual(c.expectedAmount, USD('10.00'), 'only the registered amount, until support approves another');
          }
        }
        data = r.data;
      }
      assert.deepEqual(data.expectedAmount, USD('10.00'), 'the registered amount is never overwritten');
    }), { seed: 20261130, numRuns: 500 });
  });
});
