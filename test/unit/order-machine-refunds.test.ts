// The state machine's refund rules: a refund or a chargeback reversal, whichever webhook comes first; notices the
// merchant failed to take; and refunds while the service update is still being re-attempted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { transition, type MachineInput, type PaymentTruth } from '../../src/workflows/order-machine';
import { at, captured, NOW } from '../helpers/order-data';

describe('order state machine: refund or reversal, whichever webhook comes first', () => {
  const grace = { refundAnnouncementGrace: true };
  const refunded: PaymentTruth = { ...captured('REFUNDED'), refunds: [{ id: 'R1', status: 'COMPLETED', amount: { value: '10.00', currency_code: 'USD' } }] };
  const fulfilled = () => at('fulfilled', { truth: captured('COMPLETED') });

  test('a refund seen before its own webhook waits; the reversal webhook then makes it order.reversed', () => {
    // A redelivered PAYMENT.CAPTURE.COMPLETED made the workflow read PayPal after the chargeback, before its webhook.
    const early = transition(fulfilled(), { type: 'truth', truth: refunded }, NOW, grace);
    assert.deepEqual(early.commands, [], 'not reported yet: refund or reversal is unknown');
    assert.equal(early.data.state, 'fulfilled', 'not revoked while a refund is unreported');
    const hinted = transition(early.data, { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.REVERSED'], reversedRefundIds: ['R1'] }, NOW, grace);
    assert.deepEqual(hinted.commands, [{ type: 'verify_payment' }]);
    const read = transition(hinted.data, { type: 'truth', truth: refunded }, NOW, grace);
    assert.deepEqual(read.commands, [{ type: 'notify_refund', refundId: 'R1', amount: { value: '10.00', currency_code: 'USD' }, kind: 'order.reversed' }]);
    assert.equal(transition(read.data, { type: 'refund_notified', refundId: 'R1' }, NOW, grace).data.state, 'revoked');
  });

  test('no webhook within the grace: reported as order.refunded', () => {
    const early = transition(fulfilled(), { type: 'truth', truth: refunded }, NOW, grace);
    const overdue = transition(early.data, { type: 'refund_announcement_overdue' }, NOW, grace);
    assert.equal(overdue.commands[0]?.type === 'notify_refund' && overdue.commands[0].kind, 'order.refunded');
  });

  test('a refund announced as PAYMENT.CAPTURE.REFUNDED is reported at once', () => {
    const hinted = transition(fulfilled(), { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.REFUNDED'], refundedRefundIds: ['R1'] }, NOW, grace);
    const read = transition(hinted.data, { type: 'truth', truth: refunded }, NOW, grace);
    assert.equal(read.commands[0]?.type === 'notify_refund' && read.commands[0].kind, 'order.refunded');
  });
});

describe('order state machine: refund notices while the merchant is down (retryRefundNotices)', () => {
  const retry = { retryRefundNotices: true };
  const reversed: PaymentTruth = { ...captured('REVERSED'), refunds: [{ id: 'R1', status: 'COMPLETED', amount: { value: '10.00', currency_code: 'USD' } }] };
  const notice = { type: 'notify_refund', refundId: 'R1', amount: { value: '10.00', currency_code: 'USD' }, kind: 'order.reversed' } as const;
  const told = () => at('fulfilled', { truth: reversed, reversedRefundIds: ['R1'] });
  const failed = (permanent = false): MachineInput => ({ type: 'refund_notification_failed', refundId: 'R1', message: 'HTTP 503', permanent });

  test('an exhausted retryable notice keeps the order fulfilled, is re-sent on the next poll, and then revokes it', () => {
    const down = transition(told(), failed(), NOW, retry);
    assert.equal(down.data.state, 'fulfilled');
    assert.deepEqual(down.commands, [], 'no review, no alert yet');
    assert.deepEqual(down.data.refundNoticesFailing, { R1: NOW });
    const poll = transition(down.data, { type: 'poll_due' }, NOW, retry);
    assert.deepEqual(poll.commands, [notice], 'the same notice again (same refund, same kind, so the same idempotency key)');
    const stillDown = transition(poll.data, failed(), '2026-01-01T01:00:00.000Z', retry);
    assert.deepEqual(stillDown.data.refundNoticesFailing, { R1: NOW }, 'the first failure time is kept: the deadline counts from it');
    const up = transition(stillDown.data, { type: 'refund_notified', refundId: 'R1' }, NOW, retry);
    assert.equal(up.data.state, 'revoked');
    assert.equal(up.data.refundNoticesFailing, undefined);
  });

  test('still failing at the deadline: review (refund_notification_failed) with an alert', () => {
    const down = transition(told(), failed(), NOW, retry);
    const late = transition(down.data, { type: 'deadline_passed' }, NOW, retry);
    assert.equal(late.data.state, 'needs_review');
    assert.equal(late.data.review?.code, 'refund_notification_failed');
    assert.equal(late.data.refundNoticesFailing, undefined, 'a support retry starts afresh');
    assert.deepEqual(late.commands.map((c) => c.type), ['alert_review']);
  });

  test('a notice the merchant refuses (4xx) goes to review at once; so does any failure without the option', () => {
    assert.equal(transition(told(), failed(true), NOW, retry).data.state, 'needs_review');
    assert.equal(transition(told(), failed(), NOW).data.state, 'needs_review');
  });

  test('a poll of a fulfilled order with no failing notice does nothing', () => {
    const data = at('fulfilled', { truth: { ...captured('PARTIALLY_REFUNDED'), refunds: [{ id: 'R9', status: 'COMPLETED' }] } });
    assert.deepEqual(transition(data, { type: 'poll_due' }, NOW, retry).commands, []);
  });
});

describe('order state machine: refunded while the service update is re-attempted (noticeRefundsOfAttemptedUpdates)', () => {
  const opt = { noticeRefundsOfAttemptedUpdates: true };
  const reversedTruth: PaymentTruth = { ...captured('REVERSED'), refunds: [{ id: 'R1', status: 'COMPLETED', amount: { value: '10.00', currency_code: 'USD' } }] };
  const retrying = () => at('pending_service_update', { truth: captured('COMPLETED'), reversedRefundIds: ['R1'] });

  test('the merchant may have applied order.paid (a timed-out attempt), so it is told about the reversal, then the order ends refunded', () => {
    const read = transition(retrying(), { type: 'truth', truth: reversedTruth }, NOW, opt);
    assert.equal(read.data.state, 'pending_service_update');
    assert.deepEqual(read.commands, [{ type: 'notify_refund', refundId: 'R1', amount: { value: '10.00', currency_code: 'USD' }, kind: 'order.reversed' }]);
    const told = transition(read.data, { type: 'refund_notified', refundId: 'R1' }, NOW, opt);
    assert.equal(told.data.state, 'refunded');
    assert.deepEqual(told.commands, []);
  });

  test('with refundGraceWhileUpdatePending, a refund read before its webhook waits; the reversal webhook makes it order.reversed', () => {
    const graceOpt = { ...opt, refundAnnouncementGrace: true, refundGraceWhileUpdatePending: true };
    const unannounced = at('pending_service_update', { truth: captured('COMPLETED') });
    const early = transition(unannounced, { type: 'truth', truth: reversedTruth }, NOW, graceOpt);
    assert.deepEqual(early.commands, [], 'not reported yet: refund or reversal is unknown');
    assert.equal(early.data.state, 'pending_service_update', 'not ended while a refund waits to be reported');
    assert.deepEqual(Object.keys(early.data.refundsAwaitingAnnouncement ?? {}), ['R1']);
    const hinted = transition(early.data, { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.REVERSED'], reversedRefundIds: ['R1'] }, NOW, graceOpt);
    assert.deepEqual(hinted.commands, [{ type: 'verify_payment' }]);
    const read = transition(hinted.data, { type: 'truth', truth: reversedTruth }, NOW, graceOpt);
    assert.deepEqual(read.commands, [{ type: 'notify_refund', refundId: 'R1', amount: { value: '10.00', currency_code: 'USD' }, kind: 'order.reversed' }]);
    assert.equal(transition(read.data, { type: 'refund_notified', refundId: 'R1' }, NOW, graceOpt).data.state, 'refunded');
    // No webhook within the grace: reported as a plain refund, then the order ends refunded.
    const overdue = transition(early.data, { type: 'refund_announcement_overdue' }, NOW, graceOpt);
    assert.equal(overdue.commands[0]?.type === 'notify_refund' && overdue.commands[0].kind, 'order.refunded');
    assert.equal(transition(overdue.data, { type: 'refund_notified', refundId: 'R1' }, NOW, graceOpt).data.state, 'refunded');
  });

  test('the grace switch, given as a function (a patch gate), is asked only when an unannounced refund would be reported', () => {
    let asked = 0;
    const gated = { ...opt, refundAnnouncementGrace: true, refundGraceWhileUpdatePending: () => (asked++, false) };
    transition(retrying(), { type: 'truth', truth: reversedTruth }, NOW, gated); // R1 already announced as a reversal
    transition(at('pending_service_update', { truth: captured('COMPLETED') }), { type: 'truth', truth: captured('COMPLETED') }, NOW, gated);
    assert.equal(asked, 0, 'not asked when nothing waits on it');
    const before = transition(at('pending_service_update', { truth: captured('COMPLETED') }), { type: 'truth', truth: reversedTruth }, NOW, gated);
    assert.equal(asked, 1);
    assert.equal(before.commands[0]?.type === 'notify_refund' && before.commands[0].kind, 'order.refunded', 'gate closed: reported at once, as before');
  });

  test('with retryRefundNoticesWhileUpdatePending, a notice failing retryably is sent again by the next poll, not reviewed', () => {
    const retryOpt = { ...opt, retryRefundNoticesWhileUpdatePending: true };
    const read = transition(retrying(), { type: 'truth', truth: reversedTruth }, NOW, retryOpt);
    const failed = transition(read.data, { type: 'refund_notification_failed', refundId: 'R1', message: 'HTTP 503', permanent: false }, NOW, retryOpt);
    assert.equal(failed.data.state, 'pending_service_update', 'no review: the merchant may just be down');
    assert.deepEqual(failed.commands, []);
    assert.deepEqual(Object.keys(failed.data.refundNoticesFailing ?? {}), ['R1']);
    const polled = transition(failed.data, { type: 'poll_due' }, NOW, retryOpt);
    assert.deepEqual(polled.commands, [{ type: 'verify_payment' }]);
    const again = transition(polled.data, { type: 'truth', truth: reversedTruth }, NOW, retryOpt);
    assert.deepEqual(again.commands, [{ type: 'notify_refund', refundId: 'R1', amount: { value: '10.00', currency_code: 'USD' }, kind: 'order.reversed' }]);
    const told = transition(again.data, { type: 'refund_notified', refundId: 'R1' }, NOW, retryOpt);
    assert.equal(told.data.state, 'refunded');
    assert.equal(told.data.refundNoticesFailing, undefined);
    // Still failing at the pending deadline: review, naming the refund notice.
    const late = transition(failed.data, { type: 'deadline_passed' }, NOW, retryOpt);
    assert.equal(late.data.review?.code, 'refund_notification_failed');
    // A permanent refusal (4xx) still goes to review at once.
    const refused = transition(read.data, { type: 'refund_notification_failed', refundId: 'R1', message: 'HTTP 422', permanent: true }, NOW, retryOpt);
    assert.equal(refused.data.review?.code, 'refund_notification_failed');
  });

  test('the retry switch, given as a function (a patch gate), is asked only for a retryable notice failure', () => {
    let asked = 0;
    const gated = { ...opt, retryRefundNoticesWhileUpdatePending: () => (asked++, false) };
    const read = transition(retrying(), { type: 'truth', truth: reversedTruth }, NOW, gated);
    transition(read.data, { type: 'refund_notification_failed', refundId: 'R1', message: 'HTTP 422', permanent: true }, NOW, gated);
    assert.equal(asked, 0);
    const failed = transition(read.data, { type: 'refund_notification_failed', refundId: 'R1', message: 'HTTP 503', permanent: false }, NOW, gated);
    assert.equal(asked, 1);
    assert.equal(failed.data.review?.code, 'refund_notification_failed', 'gate closed: review at once, as before');
  });

  test('without the option the order ends refunded and nobody is told (orderWorkflow)', () => {
    const read = transition(retrying(), { type: 'truth', truth: reversedTruth }, NOW);
    assert.equal(read.data.state, 'refunded');
    assert.deepEqual(read.commands, []);
  });

  test('a failed notice goes to review; retry reads PayPal and notifies again, reject ends the order refunded', () => {
    const read = transition(retrying(), { type: 'truth', truth: reversedTruth }, NOW, opt);
    const failed = transition(read.data, { type: 'refund_notification_failed', refundId: 'R1', message: 'HTTP 422', permanent: true }, NOW, opt);
    assert.equal(failed.data.review?.code, 'refund_notification_failed');
    const decision = (kind: 'retry' | 'reject') => ({ type: 'decision' as const, decision: { decision: kind, actor: 'ana', reason: 'checked', at: NOW } });
    const retried = transition(failed.data, decision('retry'), NOW, opt);
    assert.equal(retried.data.state, 'pending_service_update');
    assert.deepEqual(retried.commands, [{ type: 'verify_payment' }], 'no order.paid for a refunded order');
    const rejected = transition(failed.data, decision('reject'), NOW, opt);
    assert.equal(rejected.data.state, 'refunded');
  });
});
