import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  paymentStatus,
  paymentUnchanged,
  transition,
  webhooksReceived,
  type MachineInput,
  type OrderData,
  type PaymentTruth,
} from '../../src/workflows/order-machine';
import { at, captured, NOW } from '../helpers/order-data';

function run(data: OrderData, input: MachineInput) {
  return transition(data, input, NOW);
}

describe('order state machine', () => {
  test('a webhook hint never moves money state by itself; it asks for the truth', () => {
    const r = run(at('awaiting_payment'), { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.COMPLETED'] });
    assert.equal(r.data.state, 'awaiting_payment');
    assert.deepEqual(r.commands, [{ type: 'verify_payment' }]);
  });

  test('approved order with auto-capture is captured', () => {
    const r = run(at('awaiting_payment'), { type: 'truth', truth: { orderStatus: 'APPROVED' } });
    assert.equal(r.data.state, 'capturing');
    assert.deepEqual(r.commands, [{ type: 'capture_order' }]);
  });

  test('approved order without auto-capture waits for the merchant to capture', () => {
    const data = { ...at('awaiting_payment'), autoCapture: false };
    const r = run(data, { type: 'truth', truth: { orderStatus: 'APPROVED' } });
    assert.equal(r.data.state, 'awaiting_payment');
    assert.deepEqual(r.commands, []);
  });

  test('completed capture starts the service update exactly once', () => {
    const r = run(at('capturing'), { type: 'truth', truth: captured('COMPLETED') });
    assert.equal(r.data.state, 'fulfilling');
    assert.deepEqual(r.commands, [{ type: 'update_service', override: false }]);
    const again = run(r.data, { type: 'truth', truth: captured('COMPLETED') });
    assert.deepEqual(again.commands, [], 'a second truth while fulfilling must not start a second update');
  });

  test('a replayed "completed" after fulfilment changes nothing', () => {
    const r = run(at('fulfilled'), { type: 'truth', truth: captured('COMPLETED') });
    assert.equal(r.data.state, 'fulfilled');
    assert.deepEqual(r.commands, []);
  });

  test('refund after fulfilment revokes the order', () => {
    const r = run(at('fulfilled'), { type: 'truth', truth: captured('REFUNDED') });
    assert.equal(r.data.state, 'revoked');
  });

  test('pending capture waits; declined capture cancels; unknown status is never paid', () => {
    assert.equal(run(at('capturing'), { type: 'truth', truth: captured('PENDING', { reason: 'ECHECK' }) }).data.state, 'payment_pending');
    assert.equal(run(at('payment_pending'), { type: 'truth', truth: captured('DECLINED') }).data.state, 'cancelled');
    const unknown = run(at('capturing'), { type: 'truth', truth: captured('SOMETHING_NEW') });
    assert.equal(unknown.data.state, 'payment_pending');
    assert.ok(!unknown.commands.some((c) => c.type === 'update_service'));
  });

  test('expected amount mismatch goes to review instead of fulfilment', () => {
    const data = at('capturing', { expectedAmount: { value: '99.00', currency_code: 'USD' } });
    const r = run(data, { type: 'truth', truth: captured('COMPLETED') });
    assert.equal(r.data.state, 'needs_review');
    assert.equal(r.data.review?.code, 'amount_mismatch');
    assert.equal(r.commands[0]?.type, 'alert_review');
  });

  test('service update rejected (4xx) → needs review with reason and alert', () => {
    const r = run(at('fulfilling'), { type: 'service_update_failed', message: 'HTTP 422', permanent: true });
    assert.equal(r.data.state, 'needs_review');
    assert.equal(r.data.review?.code, 'service_update_failed');
    assert.equal(r.data.review?.from, 'fulfilling');
    assert.deepEqual(r.commands, [{ type: 'alert_review', code: 'service_update_failed', message: 'HTTP 422' }]);
  });

  test('service update exhausted → pending service update; a poll re-checks PayPal, then re-attempts', () => {
    const pending = run(at('fulfilling'), { type: 'service_update_failed', message: 'HTTP 500', permanent: false });
    assert.equal(pending.data.state, 'pending_service_update');
    assert.deepEqual(run(pending.data, { type: 'poll_due' }).commands, [{ type: 'verify_payment' }]);
    const recheck = run(pending.data, { type: 'truth', truth: captured('COMPLETED') });
    assert.deepEqual(recheck.commands, [{ type: 'update_service', override: false }]);
    assert.equal(run(recheck.data, { type: 'service_update_succeeded' }).data.state, 'fulfilled');
    assert.equal(run(pending.data, { type: 'truth', truth: captured('REFUNDED') }).data.state, 'refunded', 'refunded meanwhile: nothing to deliver');
    const givenUp = run(pending.data, { type: 'deadline_passed' });
    assert.equal(givenUp.data.state, 'needs_review');
    assert.equal(givenUp.data.review?.code, 'service_update_failed');
  });

  test('refund after fulfilment: the merchant is told once per refund, then the order is revoked', () => {
    const fulfilled = at('fulfilled', { truth: captured('COMPLETED') });
    const refundedTruth: PaymentTruth = { ...captured('REFUNDED'), refunds: [{ id: 'R1', status: 'COMPLETED', amount: { value: '10.00', currency_code: 'USD' } }] };
    const r = run(fulfilled, { type: 'truth', truth: refundedTruth });
    assert.deepEqual(r.commands, [{ type: 'notify_refund', refundId: 'R1', amount: { value: '10.00', currency_code: 'USD' }, kind: 'order.refunded' }]);
    assert.equal(r.data.state, 'fulfilled');
    const told = run(r.data, { type: 'refund_notified', refundId: 'R1' });
    assert.equal(told.data.state, 'revoked');
    assert.deepEqual(run(told.data, { type: 'truth', truth: refundedTruth }).commands, [], 'never told twice');
  });

  test('partial refund after fulfilment is reported but the order stays fulfilled; reversals are reported as such', () => {
    const partial: PaymentTruth = { ...captured('PARTIALLY_REFUNDED'), refunds: [{ id: 'R2', status: 'COMPLETED', amount: { value: '4.00', currency_code: 'USD' } }] };
    const hinted = run(at('fulfilled'), { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.REVERSED'], reversedRefundIds: ['R2'] }).data;
    const r = run(hinted, { type: 'truth', truth: partial });
    assert.equal(r.commands[0]?.type === 'notify_refund' && r.commands[0].kind, 'order.reversed');
    assert.equal(run(r.data, { type: 'refund_notified', refundId: 'R2' }).data.state, 'fulfilled');
  });

  test('support approve is recorded as an override and runs the service update', () => {
    const review = run(at('fulfilling'), { type: 'service_update_failed', message: 'down', permanent: true }).data;
    const r = run(review, { type: 'decision', decision: { decision: 'approve', actor: 'ana', reason: 'checked by phone', at: NOW } });
    assert.equal(r.data.state, 'fulfilling');
    assert.equal(r.data.serviceUpdate.override, true);
    assert.equal(r.data.decisions.length, 1);
    assert.deepEqual(r.commands, [{ type: 'update_service', override: true }]);
  });

  test('support retry re-runs the failed step; reject cancels', () => {
    const review = run(at('fulfilling'), { type: 'service_update_failed', message: 'down', permanent: true }).data;
    const retry = run(review, { type: 'decision', decision: { decision: 'retry', actor: 'ana', reason: 'service is back', at: NOW } });
    assert.deepEqual(retry.commands, [{ type: 'update_service', override: false }]);
    const reject = run(review, { type: 'decision', decision: { decision: 'reject', actor: 'ana', reason: 'fraud', at: NOW } });
    assert.equal(reject.data.state, 'cancelled');
    assert.deepEqual(reject.commands, []);
  });

  test('decisions outside review are ignored by the machine', () => {
    const r = run(at('fulfilled'), { type: 'decision', decision: { decision: 'approve', actor: 'ana', reason: 'x', at: NOW } });
    assert.equal(r.data.state, 'fulfilled');
    assert.equal(r.data.decisions.length, 0);
  });

  test('a pending capture\'s poll awaits settlement in one retried activity when pollPendingCaptureByRetries is on', () => {
    const pending = at('payment_pending', { truth: captured('PENDING') });
    const poll: MachineInput = { type: 'poll_due' };
    assert.deepEqual(transition(pending, poll, NOW, { pollPendingCaptureByRetries: true }).commands, [{ type: 'await_capture_settled' }]);
    assert.deepEqual(transition(pending, poll, NOW).commands, [{ type: 'verify_payment' }], 'off: a timer and a read per poll, as before');
    // The gate (patched() in orderWorkflowV3) is asked only when a pending capture's poll is due.
    let asked = 0;
    const gate = { pollPendingCaptureByRetries: () => (asked++, false) };
    assert.deepEqual(transition(pending, poll, NOW, gate).commands, [{ type: 'verify_payment' }]);
    assert.equal(asked, 1);
    for (const state of ['awaiting_payment', 'capturing', 'pending_service_update'] as const) {
      assert.deepEqual(transition(at(state, { truth: captured('COMPLETED') }), poll, NOW, gate).commands, [{ type: 'verify_payment' }], state);
    }
    assert.equal(asked, 1, 'other waiting states never ask the gate');
  });

  test('an order awaiting payment polls in one retried activity when pollAwaitingPaymentByRetries is on, once it has read PayPal', () => {
    const read = at('awaiting_payment', { truth: { orderStatus: 'CREATED' } });
    const poll: MachineInput = { type: 'poll_due' };
    assert.deepEqual(transition(read, poll, NOW, { pollAwaitingPaymentByRetries: true }).commands, [{ type: 'await_payment_change' }]);
    assert.deepEqual(transition(read, poll, NOW).commands, [{ type: 'verify_payment' }], 'off: a timer and a read per poll, as before');
    // The gate (patched() in orderWorkflowV4) is asked only when such a poll is due.
    let asked = 0;
    const gate = { pollAwaitingPaymentByRetries: () => (asked++, false) };
    assert.deepEqual(transition(read, poll, NOW, gate).commands, [{ type: 'verify_payment' }]);
    assert.equal(asked, 1);
    assert.deepEqual(transition(at('awaiting_payment'), poll, NOW, gate).commands, [{ type: 'verify_payment' }], 'nothing read yet: a plain read');
    assert.deepEqual(transition(read, webhooksReceived([{ eventType: 'CHECKOUT.ORDER.SAVED' }]), NOW, gate).commands, [{ type: 'verify_payment' }]);
    for (const state of ['payment_pending', 'capturing', 'pending_service_update'] as const) {
      transition(at(state, { truth: captured('PENDING') }), poll, NOW, gate);
    }
    assert.equal(asked, 1, 'no other poll, hint or state asks the gate');
  });

  test('the poll\'s "nothing new" rule is sound: a read with the held payment status leaves an awaiting order as it is', () => {
    // Every answer that leaves an order in awaiting_payment; an order holding it and reading it again stays put,
    // with no command, so the poll activity may fail on it ("unchanged") instead of handing it to the machine.
    const staying: [string, boolean, PaymentTruth][] = [
      ['not approved yet', true, { orderStatus: 'CREATED' }],
      ['buyer action required', true, { orderStatus: 'PAYER_ACTION_REQUIRED' }],
      ['saved', true, { orderStatus: 'SAVED' }],
      ['a status PayPal may add', true, { orderStatus: 'SOMETHING_NEW' }],
      ['approved, the merchant captures', false, { orderStatus: 'APPROVED' }],
      ['approved and authorized, the merchant captures', false, { orderStatus: 'APPROVED', authorization: { id: 'AUTH1', status: 'PENDING' } }],
    ];
    for (const [label, autoCapture, truth] of staying) {
      const held = transition({ ...at('awaiting_payment'), autoCapture }, { type: 'truth', truth }, NOW);
      assert.equal(held.data.state, 'awaiting_payment', label);
      const again = transition(held.data, { type: 'truth', truth: { ...truth, orderAmount: { value: '1.00', currency_code: 'USD' } } }, NOW);
      assert.equal(paymentUnchanged(paymentStatus(held.data.truth!), truth), true, label);
      assert.equal(again.data.state, 'awaiting_payment', label);
      assert.deepEqual(again.commands, [], label);
    }
    // What moves an order is a difference in the order's, the capture's or the authorization's status or ID.
    const held = paymentStatus({ orderStatus: 'APPROVED', authorization: { id: 'AUTH1', status: 'PENDING' } });
    for (const news of [
      { orderStatus: 'VOIDED', authorization: { id: 'AUTH1', status: 'PENDING' } },
      { orderStatus: 'APPROVED', authorization: { id: 'AUTH1', status: 'CREATED' } },
      { orderStatus: 'APPROVED', authorization: { id: 'AUTH2', status: 'PENDING' } },
      { orderStatus: 'APPROVED' },
      { ...captured('COMPLETED'), authorization: { id: 'AUTH1', status: 'CAPTURED' } },
    ]) {
      assert.equal(paymentUnchanged(held, news), false, JSON.stringify(news));
    }
    assert.equal(paymentUnchanged(null, { orderStatus: 'CREATED' }), false, 'nothing held: any read is news');
  });

  test('a PAYMENT.CAPTURE.PENDING hint about the capture a pending order holds as PENDING reads nothing (skipKnownPendingHints)', () => {
    const pending = at('payment_pending', { truth: captured('PENDING') });
    const hint = (id: string, type = 'PAYMENT.CAPTURE.PENDING') => webhooksReceived([{ eventType: type, resourceId: id }]);
    const skip = { skipKnownPendingHints: true };
    assert.deepEqual(transition(pending, hint('CAP1'), NOW, skip).commands, []);
    assert.deepEqual(transition(pending, hint('CAP1'), NOW).commands, [{ type: 'verify_payment' }], 'off: read as before');
    assert.deepEqual(transition(pending, hint('CAP2'), NOW, skip).commands, [{ type: 'verify_payment' }], 'another capture is news');
    assert.deepEqual(transition(pending, hint('CAP1', 'PAYMENT.CAPTURE.COMPLETED'), NOW, skip).commands, [{ type: 'verify_payment' }]);
    const withCompleted = webhooksReceived([{ eventType: 'PAYMENT.CAPTURE.PENDING', resourceId: 'CAP1' }, { eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP1' }]);
    assert.deepEqual(transition(pending, withCompleted, NOW, skip).commands, [{ type: 'verify_payment' }], 'mixed with news: read');
    const settled = at('payment_pending', { truth: captured('COMPLETED') });
    assert.deepEqual(transition(settled, hint('CAP1'), NOW, skip).commands, [{ type: 'verify_payment' }], 'only a capture held as PENDING');
    let asked = 0;
    transition(pending, hint('CAP2'), NOW, { skipKnownPendingHints: () => (asked++, true) });
    assert.equal(asked, 0, 'the gate is asked only for a hint it would skip');
  });

  test('reconciliation: a poll in a waiting state verifies; deadlines cancel or escalate', () => {
    assert.deepEqual(run(at('awaiting_payment'), { type: 'poll_due' }).commands, [{ type: 'verify_payment' }]);
    assert.deepEqual(run(at('needs_review'), { type: 'poll_due' }).commands, []);
    assert.equal(run(at('awaiting_payment'), { type: 'deadline_passed' }).data.state, 'cancelled');
    assert.equal(run(at('payment_pending'), { type: 'deadline_passed' }).data.review?.code, 'payment_pending_too_long');
  });

  test('every state change is on the timeline', () => {
    const r = run(at('capturing'), { type: 'truth', truth: captured('COMPLETED') });
    const last = r.data.timeline[r.data.timeline.length - 1];
    assert.equal(last?.state, 'fulfilling');
    assert.match(last?.note ?? '', /CAP1/);
  });
});

describe('order state machine: time in state', () => {
  test('a repeated poll in the same state neither adds a timeline entry nor restarts the deadline clock', () => {
    const first = transition(at('capturing'), { type: 'truth', truth: captured('PENDING') }, '2026-01-01T00:00:00.000Z').data;
    const again = transition(first, { type: 'truth', truth: captured('PENDING') }, '2026-01-02T00:00:00.000Z').data;
    assert.equal(again.stateSince, '2026-01-01T00:00:00.000Z');
    assert.equal(again.timeline.length, first.timeline.length);
  });
});

describe('order state machine: authorize flow', () => {
  test('an authorization awaiting capture is captured; a voided one cancels the order', () => {
    const created = transition(at('awaiting_payment'), { type: 'truth', truth: { orderStatus: 'COMPLETED', authorization: { id: 'AUTH1', status: 'CREATED' } } }, NOW);
    assert.equal(created.data.state, 'capturing');
    assert.deepEqual(created.commands, [{ type: 'capture_order' }]);
    const voided = transition(at('awaiting_payment'), { type: 'truth', truth: { orderStatus: 'COMPLETED', authorization: { id: 'AUTH1', status: 'VOIDED' } } }, NOW);
    assert.equal(voided.data.state, 'cancelled');
  });
});

describe('order state machine: ended orders', () => {
  test('an order PayPal cancelled re-checks late hints, and money that turns up anyway goes to review', () => {
    const cancelled = at('cancelled', { truth: captured('DECLINED') });
    assert.deepEqual(run(cancelled, { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.COMPLETED'] }).commands, [{ type: 'verify_payment' }]);
    const paid = run(cancelled, { type: 'truth', truth: captured('COMPLETED') });
    assert.equal(paid.data.state, 'needs_review');
    assert.equal(paid.data.review?.code, 'paid_after_cancellation');
  });

  test('an order support rejected stays closed, even when PayPal shows it paid', () => {
    const rejected = at('cancelled', { truth: captured('COMPLETED'), decisions: [{ decision: 'reject', actor: 'ana', reason: 'fraud', at: NOW }] });
    assert.deepEqual(run(rejected, { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.COMPLETED'] }).commands, []);
    assert.equal(run(rejected, { type: 'truth', truth: captured('COMPLETED') }).data.state, 'cancelled');
  });
});

describe('order state machine: hints that only confirm the capture the order holds (skipKnownCaptureHints)', () => {
  const skip = { skipKnownCaptureHints: true };
  const fulfilledWith = (status: string) => at('fulfilled', { truth: captured(status) });
  const completedHint = (...ids: string[]): MachineInput => ({ type: 'webhooks_received', eventTypes: ids.map(() => 'PAYMENT.CAPTURE.COMPLETED'), completedCaptureIds: ids });

  test('PAYMENT.CAPTURE.COMPLETED for the held, completed capture of a fulfilled order: no PayPal read, nothing changes', () => {
    const data = fulfilledWith('COMPLETED');
    for (const input of [completedHint('CAP1'), completedHint('CAP1', 'CAP1')]) {
      const r = transition(data, input, NOW, skip);
      assert.deepEqual(r.commands, []);
      assert.deepEqual(r.data, data);
    }
  });

  test('without the option (orders started before it) the same hint is still verified', () => {
    assert.deepEqual(transition(fulfilledWith('COMPLETED'), completedHint('CAP1'), NOW).commands, [{ type: 'verify_payment' }]);
  });

  test('anything that may carry news is still verified', () => {
    const cases: [string, OrderData, MachineInput][] = [
      ['another capture', fulfilledWith('COMPLETED'), completedHint('CAP2')],
      ['no resource ID on the hint', fulfilledWith('COMPLETED'), { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.COMPLETED'] }],
      ['a refund hint in the same batch', fulfilledWith('COMPLETED'), { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.REFUNDED'], completedCaptureIds: ['CAP1'], refundedRefundIds: ['R1'] }],
      ['an order-level hint', fulfilledWith('COMPLETED'), { type: 'webhooks_received', eventTypes: ['CHECKOUT.ORDER.COMPLETED'] }],
      ['the held capture is not COMPLETED (partially refunded)', fulfilledWith('PARTIALLY_REFUNDED'), completedHint('CAP1')],
      ['the order is not fulfilled yet', at('fulfilling', { truth: captured('COMPLETED') }), completedHint('CAP1')],
      ['the order waits for payment', at('awaiting_payment'), completedHint('CAP1')],
    ];
    for (const [name, data, input] of cases) {
      assert.deepEqual(transition(data, input, NOW, skip).commands, [{ type: 'verify_payment' }], name);
    }
  });
});

describe('order state machine: capture on the approval hint (captureOnApprovalHint)', () => {
  const opt = { captureOnApprovalHint: true };
  const approvedHint: MachineInput = { type: 'webhooks_received', eventTypes: ['CHECKOUT.ORDER.APPROVED'] };

  test('an auto-capture order awaiting payment captures at once (the capture activity re-reads the order)', () => {
    const r = transition(at('awaiting_payment'), approvedHint, NOW, opt);
    assert.equal(r.data.state, 'capturing');
    assert.deepEqual(r.commands, [{ type: 'capture_order' }]);
    const done = transition(r.data, { type: 'truth', truth: captured('COMPLETED') }, NOW, opt);
    assert.equal(done.data.state, 'fulfilling');
  });

  test('if PayPal does not show the order approved, the capture returns it as it is and the order waits again', () => {
    const r = transition(at('awaiting_payment'), approvedHint, NOW, opt);
    const back = transition(r.data, { type: 'truth', truth: { orderStatus: 'CREATED' } }, NOW, opt);
    assert.equal(back.data.state, 'awaiting_payment');
    assert.deepEqual(back.commands, []);
  });

  test('other hints, manual capture, other states and the option off read PayPal first', () => {
    const verify = [{ type: 'verify_payment' }];
    assert.deepEqual(transition(at('awaiting_payment'), { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.COMPLETED'] }, NOW, opt).commands, verify);
    assert.deepEqual(transition({ ...at('awaiting_payment'), autoCapture: false }, approvedHint, NOW, opt).commands, verify);
    assert.deepEqual(transition(at('payment_pending'), approvedHint, NOW, opt).commands, verify);
    assert.deepEqual(transition(at('awaiting_payment'), approvedHint, NOW).commands, verify);
  });
});

describe('webhooksReceived: hints received together become one machine input', () => {
  test('keeps every event type in order and sorts resource IDs by what they name', () => {
    const input = webhooksReceived([
      { eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: 'O-1' },
      { eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP-1' },
      { eventType: 'PAYMENT.CAPTURE.REFUNDED', resourceId: 'REF-1' },
      { eventType: 'PAYMENT.CAPTURE.REVERSED', resourceId: 'REF-2' },
      { eventType: 'PAYMENT.CAPTURE.REFUNDED' },
      { eventType: 'PAYMENT.CAPTURE.PENDING', resourceId: 'CAP-0' },
    ]);
    assert.deepEqual(input, {
      type: 'webhooks_received',
      eventTypes: ['CHECKOUT.ORDER.APPROVED', 'PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.REFUNDED', 'PAYMENT.CAPTURE.REVERSED', 'PAYMENT.CAPTURE.REFUNDED', 'PAYMENT.CAPTURE.PENDING'],
      reversedRefundIds: ['REF-2'],
      refundedRefundIds: ['REF-1'],
      completedCaptureIds: ['CAP-1'],
      pendingCaptureIds: ['CAP-0'],
    });
  });
});
