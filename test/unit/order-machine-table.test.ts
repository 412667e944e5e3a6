// Every OrderState × every MachineInput kind, as an explicit table of expectations (written by hand from the rules
// in order-machine.ts, never computed from the machine), plus invariants that must hold over every cell.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isFinal,
  newOrder,
  transition,
  type MachineInput,
  type OrderData,
  type OrderState,
  type PaymentTruth,
  type ReviewDecisionKind,
} from '../../src/workflows/order-machine';

const NOW = '2026-01-01T00:00:00.000Z';
const USD = (value: string) => ({ value, currency_code: 'USD' });
const captured = (status: string, refunds?: PaymentTruth['refunds']): PaymentTruth => ({
  orderStatus: 'COMPLETED',
  capture: { id: 'CAP1', status, amount: USD('10.00') },
  ...(refunds ? { refunds } : {}),
});
const decide = (decision: ReviewDecisionKind): MachineInput => ({ type: 'decision', decision: { decision, actor: 'ana', reason: 'table', at: NOW } });

/** The representative payload of every input kind; the table's columns. */
const INPUTS = {
  hint: { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.COMPLETED'] },
  hintReversed: { type: 'webhooks_received', eventTypes: ['PAYMENT.CAPTURE.REVERSED'] },
  poll: { type: 'poll_due' },
  deadline: { type: 'deadline_passed' },
  completed: { type: 'truth', truth: captured('COMPLETED') },
  pending: { type: 'truth', truth: captured('PENDING') },
  declined: { type: 'truth', truth: captured('DECLINED') },
  refunded: { type: 'truth', truth: captured('REFUNDED', [{ id: 'R1', status: 'COMPLETED', amount: USD('10.00') }]) },
  partial: { type: 'truth', truth: captured('PARTIALLY_REFUNDED', [{ id: 'R1', status: 'COMPLETED', amount: USD('4.00') }]) },
  unknown: { type: 'truth', truth: captured('SOMETHING_NEW') },
  approved: { type: 'truth', truth: { orderStatus: 'APPROVED' } },
  voided: { type: 'truth', truth: { orderStatus: 'VOIDED' } },
  created: { type: 'truth', truth: { orderStatus: 'CREATED' } },
  captureFailed: { type: 'capture_failed', message: 'UNPROCESSABLE_ENTITY' },
  notFound: { type: 'order_not_found', message: 'RESOURCE_NOT_FOUND' },
  suOk: { type: 'service_update_succeeded' },
  suFail: { type: 'service_update_failed', message: 'HTTP 503', permanent: false },
  suRejected: { type: 'service_update_failed', message: 'HTTP 422', permanent: true },
  refundOk: { type: 'refund_notified', refundId: 'R1' },
  refundFailed: { type: 'refund_notification_failed', refundId: 'R1', message: 'HTTP 503' },
  approve: decide('approve'),
  retry: decide('retry'),
  reject: decide('reject'),
} satisfies Record<string, MachineInput>;
type Column = keyof typeof INPUTS;

/** The table's rows: every state, as the workflow leaves it (plus two variants whose context changes the rules). */
const ROWS: Record<string, OrderData> = {
  awaiting_payment: at('awaiting_payment'),
  'awaiting_payment (manual capture)': { ...at('awaiting_payment'), autoCapture: false },
  capturing: at('capturing'),
  payment_pending: at('payment_pending', { truth: captured('PENDING') }),
  fulfilling: at('fulfilling', { truth: captured('COMPLETED') }),
  pending_service_update: at('pending_service_update', { truth: captured('COMPLETED'), lastError: 'HTTP 503' }),
  needs_review: at('needs_review', { truth: captured('COMPLETED'), review: { code: 'service_update_failed', message: 'HTTP 422', since: NOW, from: 'fulfilling' } }),
  'needs_review (refund notification failed)': at('needs_review', {
    truth: INPUTS.refunded.truth,
    serviceUpdate: { done: true, override: false },
    review: { code: 'refund_notification_failed', message: 'HTTP 503', since: NOW, from: 'fulfilled' },
  }),
  fulfilled: at('fulfilled', { truth: captured('COMPLETED'), serviceUpdate: { done: true, override: false } }),
  cancelled: at('cancelled', { truth: captured('DECLINED') }),
  'cancelled (rejected by support)': at('cancelled', {
    truth: captured('COMPLETED'),
    decisions: [{ decision: 'reject', actor: 'ana', reason: 'fraud', at: NOW }],
  }),
  refunded: at('refunded', { truth: INPUTS.refunded.truth }),
  revoked: at('revoked', { truth: INPUTS.refunded.truth, serviceUpdate: { done: true, override: false }, refundsNotified: ['R1'] }),
};

/*
 * Expected cell: "<next state>" then "+<command type>" per command, in order. Cells marked (*) are results fed to a
 * state whose command could not have produced them: order.ts feeds service/refund results only right after its own
 * update_service/notify_refund (emitted in fulfilling/pending_service_update/fulfilled). They are pinned so a change
 * is deliberate, not because the outcome is meaningful.
 */
const W = 'awaiting_payment';
const TABLE: Record<string, Record<Column, string>> = {
  awaiting_payment: {
    hint: `${W} +verify_payment`, hintReversed: `${W} +verify_payment`, poll: `${W} +verify_payment`, deadline: 'cancelled',
    completed: 'fulfilling +update_service', pending: 'payment_pending', declined: 'cancelled', refunded: 'refunded',
    partial: 'needs_review +alert_review', unknown: 'payment_pending', approved: 'capturing +capture_order', voided: 'cancelled', created: W,
    captureFailed: 'needs_review +alert_review', notFound: 'needs_review +alert_review',
    suOk: 'fulfilled' /* (*) */, suFail: 'pending_service_update' /* (*) */, suRejected: 'needs_review +alert_review' /* (*) */,
    refundOk: W /* (*) */, refundFailed: 'needs_review +alert_review' /* (*) */,
    approve: W, retry: W, reject: W, // outside review: ignored
  },
  'awaiting_payment (manual capture)': {
    hint: `${W} +verify_payment`, hintReversed: `${W} +verify_payment`, poll: `${W} +verify_payment`, deadline: 'cancelled',
    completed: 'fulfilling +update_service', pending: 'payment_pending', declined: 'cancelled', refunded: 'refunded',
    partial: 'needs_review +alert_review', unknown: 'payment_pending', approved: W /* the merchant captures */, voided: 'cancelled', created: W,
    captureFailed: 'needs_review +alert_review', notFound: 'needs_review +alert_review',
    suOk: 'fulfilled' /* (*) */, suFail: 'pending_service_update' /* (*) */, suRejected: 'needs_review +alert_review' /* (*) */,
    refundOk: W /* (*) */, refundFailed: 'needs_review +alert_review' /* (*) */,
    approve: W, retry: W, reject: W,
  },
  capturing: {
    hint: 'capturing +verify_payment', hintReversed: 'capturing +verify_payment', poll: 'capturing +verify_payment', deadline: 'capturing',
    completed: 'fulfilling +update_service', pending: 'payment_pending', declined: 'cancelled', refunded: 'refunded',
    partial: 'needs_review +alert_review', unknown: 'payment_pending', approved: 'capturing +capture_order', voided: 'cancelled', created: W,
    captureFailed: 'needs_review +alert_review', notFound: 'needs_review +alert_review',
    suOk: 'fulfilled' /* (*) */, suFail: 'pending_service_update' /* (*) */, suRejected: 'needs_review +alert_review' /* (*) */,
    refundOk: 'capturing' /* (*) */, refundFailed: 'needs_review +alert_review' /* (*) */,
    approve: 'capturing', retry: 'capturing', reject: 'capturing',
  },
  payment_pending: {
    hint: 'payment_pending +verify_payment', hintReversed: 'payment_pending +verify_payment', poll: 'payment_pending +verify_payment',
    deadline: 'needs_review +alert_review',
    completed: 'fulfilling +update_service', pending: 'payment_pending', declined: 'cancelled', refunded: 'refunded',
    partial: 'needs_review +alert_review', unknown: 'payment_pending', approved: 'capturing +capture_order', voided: 'cancelled', created: W,
    captureFailed: 'needs_review +alert_review', notFound: 'needs_review +alert_review',
    suOk: 'fulfilled' /* (*) */, suFail: 'pending_service_update' /* (*) */, suRejected: 'needs_review +alert_review' /* (*) */,
    refundOk: 'payment_pending' /* (*) */, refundFailed: 'needs_review +alert_review' /* (*) */,
    approve: 'payment_pending' /* not allowed */, retry: `${W} +verify_payment`, reject: 'cancelled',
  },
  fulfilling: {
    hint: 'fulfilling +verify_payment', hintReversed: 'fulfilling +verify_payment', poll: 'fulfilling', deadline: 'fulfilling',
    // The update is under way: no truth may start a second one or cancel it.
    completed: 'fulfilling', pending: 'fulfilling', declined: 'fulfilling', refunded: 'fulfilling', partial: 'fulfilling',
    unknown: 'fulfilling', approved: 'fulfilling', voided: 'fulfilling', created: 'fulfilling',
    captureFailed: 'needs_review +alert_review', notFound: 'needs_review +alert_review',
    suOk: 'fulfilled', suFail: 'pending_service_update', suRejected: 'needs_review +alert_review',
    refundOk: 'fulfilling' /* (*) */, refundFailed: 'needs_review +alert_review' /* (*) */,
    approve: 'fulfilling', retry: 'fulfilling', reject: 'fulfilling',
  },
  pending_service_update: {
    hint: 'pending_service_update +verify_payment', hintReversed: 'pending_service_update +verify_payment',
    poll: 'pending_service_update +verify_payment', deadline: 'needs_review +alert_review',
    // Only a still-completed capture is re-attempted; anything else but a refund needs a human.
    completed: 'pending_service_update +update_service', pending: 'needs_review +alert_review', declined: 'needs_review +alert_review',
    refunded: 'refunded', partial: 'needs_review +alert_review', unknown: 'needs_review +alert_review',
    approved: 'needs_review +alert_review', voided: 'needs_review +alert_review', created: 'needs_review +alert_review',
    captureFailed: 'needs_review +alert_review', notFound: 'needs_review +alert_review',
    suOk: 'fulfilled', suFail: 'pending_service_update', suRejected: 'needs_review +alert_review',
    refundOk: 'pending_service_update' /* (*) */, refundFailed: 'needs_review +alert_review' /* (*) */,
    approve: 'pending_service_update' /* not allowed */, retry: 'fulfilling +update_service', reject: 'cancelled',
  },
  needs_review: {
    hint: 'needs_review +verify_payment', hintReversed: 'needs_review +verify_payment', poll: 'needs_review', deadline: 'needs_review',
    // A human owns it: fresh truth is recorded but moves nothing, and a second problem raises no second alert.
    completed: 'needs_review', pending: 'needs_review', declined: 'needs_review', refunded: 'needs_review', partial: 'needs_review',
    unknown: 'needs_review', approved: 'needs_review', voided: 'needs_review', created: 'needs_review',
    captureFailed: 'needs_review', notFound: 'needs_review',
    suOk: 'fulfilled' /* (*) */, suFail: 'pending_service_update' /* (*) */, suRejected: 'needs_review' /* (*) */,
    refundOk: 'needs_review', refundFailed: 'needs_review',
    approve: 'fulfilling +update_service', retry: 'fulfilling +update_service', reject: 'cancelled',
  },
  'needs_review (refund notification failed)': {
    hint: 'needs_review +verify_payment', hintReversed: 'needs_review +verify_payment', poll: 'needs_review', deadline: 'needs_review',
    completed: 'needs_review', pending: 'needs_review', declined: 'needs_review', refunded: 'needs_review', partial: 'needs_review',
    unknown: 'needs_review', approved: 'needs_review', voided: 'needs_review', created: 'needs_review',
    captureFailed: 'needs_review', notFound: 'needs_review',
    suOk: 'fulfilled' /* (*) */, suFail: 'pending_service_update' /* (*) */, suRejected: 'needs_review' /* (*) */,
    refundOk: 'needs_review', refundFailed: 'needs_review',
    // Approving a paid, delivered order makes no sense; retry re-reads PayPal; reject = refund handled by hand.
    approve: 'needs_review', retry: 'fulfilled +verify_payment', reject: 'revoked',
  },
  fulfilled: {
    hint: 'fulfilled +verify_payment', hintReversed: 'fulfilled +verify_payment', poll: 'fulfilled', deadline: 'fulfilled',
    // Only refunds are news after fulfilment; a replayed or odd truth changes nothing.
    completed: 'fulfilled', pending: 'fulfilled', declined: 'fulfilled', refunded: 'fulfilled +notify_refund',
    partial: 'fulfilled +notify_refund', unknown: 'fulfilled', approved: 'fulfilled', voided: 'fulfilled', created: 'fulfilled',
    captureFailed: 'needs_review +alert_review', notFound: 'needs_review +alert_review',
    suOk: 'fulfilled' /* (*) */, suFail: 'pending_service_update' /* (*) */, suRejected: 'needs_review +alert_review' /* (*) */,
    refundOk: 'fulfilled' /* capture still COMPLETED */, refundFailed: 'needs_review +alert_review',
    approve: 'fulfilled', retry: 'fulfilled', reject: 'fulfilled',
  },
  // PayPal ended it (declined here): a late hint re-checks, and money that turns up anyway goes to a human.
  cancelled: {
    ...finalRow('cancelled'),
    hint: 'cancelled +verify_payment',
    hintReversed: 'cancelled +verify_payment',
    completed: 'needs_review +alert_review',
  },
  // Support ended it: nothing reopens it, not even a completed capture (they rejected it knowing).
  'cancelled (rejected by support)': finalRow('cancelled'),
  refunded: finalRow('refunded'),
  revoked: finalRow('revoked'),
};

function finalRow(state: OrderState): Record<Column, string> {
  return Object.fromEntries(Object.keys(INPUTS).map((c) => [c, state])) as Record<Column, string>;
}

function at(state: OrderState, patch: Partial<OrderData> = {}): OrderData {
  return { ...newOrder('ORDER1', { autoCapture: true, now: '2025-12-31T00:00:00.000Z' }), state, ...patch };
}

const COLUMNS = Object.keys(INPUTS) as Column[];
const cells = Object.entries(ROWS).flatMap(([row, data]) =>
  COLUMNS.map((column) => {
    const input: MachineInput = INPUTS[column];
    return { row, column, data, input, result: transition(data, input, NOW) };
  }),
);
const show = (c: (typeof cells)[number]) => [c.result.data.state, ...c.result.commands.map((x) => `+${x.type}`)].join(' ');

describe('order machine: state × input table', () => {
  test('the table covers every state and every input kind', () => {
    const states: OrderState[] = ['awaiting_payment', 'capturing', 'payment_pending', 'fulfilling', 'pending_service_update', 'needs_review', 'fulfilled', 'cancelled', 'refunded', 'revoked'];
    assert.deepEqual([...new Set(Object.values(ROWS).map((d) => d.state))].sort(), [...states].sort());
    const kinds: MachineInput['type'][] = ['webhooks_received', 'poll_due', 'deadline_passed', 'truth', 'capture_failed', 'order_not_found', 'service_update_succeeded', 'service_update_failed', 'refund_notified', 'refund_notification_failed', 'decision'];
    assert.deepEqual([...new Set(Object.values(INPUTS).map((i) => i.type))].sort(), [...kinds].sort());
    assert.deepEqual(Object.keys(TABLE), Object.keys(ROWS));
  });

  for (const row of Object.keys(ROWS)) {
    test(`from ${row}`, () => {
      const actual = Object.fromEntries(cells.filter((c) => c.row === row).map((c) => [c.column, show(c)]));
      assert.deepEqual(actual, TABLE[row]);
    });
  }
});

describe('order machine: invariants over every cell', () => {
  test('final states never change and never emit commands (except a PayPal-cancelled order re-checking a late payment)', () => {
    // A PayPal-cancelled order records what PayPal says now (truth), so only state and commands are pinned there.
    const rechecks = (x: (typeof cells)[number]) => x.row === 'cancelled' && (x.input.type === 'truth' || x.input.type === 'webhooks_received');
    for (const c of cells.filter((x) => rechecks(x) && x.column !== 'completed' && x.input.type === 'truth')) {
      assert.deepEqual([c.result.data.state, c.result.commands], ['cancelled', []], `${c.row} × ${c.column}`);
    }
    for (const c of cells.filter((x) => isFinal(x.data.state) && !rechecks(x))) {
      assert.deepEqual(c.result, { data: c.data, commands: [] }, `${c.row} × ${c.column}`);
    }
  });

  test('update_service only on a truth showing capture COMPLETED, or on a support approve/retry', () => {
    for (const c of cells.filter((x) => x.result.commands.some((cmd) => cmd.type === 'update_service'))) {
      const { input } = c;
      const ok = (input.type === 'truth' && input.truth.capture?.status === 'COMPLETED') || (input.type === 'decision' && input.decision.decision !== 'reject');
      assert.ok(ok, `${c.row} × ${c.column} emitted update_service`);
    }
  });

  test('a webhook hint alone never fulfils: it only asks PayPal, and moves no state', () => {
    for (const c of cells.filter((x) => x.input.type === 'webhooks_received')) {
      assert.equal(c.result.data.state, c.data.state, `${c.row} × ${c.column}`);
      assert.ok(c.result.commands.every((cmd) => cmd.type === 'verify_payment'), `${c.row} × ${c.column}`);
    }
  });

  test('entering fulfilling or fulfilled takes a completed capture, a service update result, or a human', () => {
    for (const c of cells.filter((x) => x.result.data.state !== x.data.state && ['fulfilling', 'fulfilled'].includes(x.result.data.state))) {
      const t = c.input.type;
      const ok = t === 'service_update_succeeded' || t === 'decision' || (c.input.type === 'truth' && c.input.truth.capture?.status === 'COMPLETED');
      assert.ok(ok, `${c.row} × ${c.column} → ${c.result.data.state}`);
    }
  });

  test('a fulfilled order never emits update_service', () => {
    for (const c of cells.filter((x) => x.data.state === 'fulfilled' || x.data.serviceUpdate.done)) {
      assert.ok(!c.result.commands.some((cmd) => cmd.type === 'update_service'), `${c.row} × ${c.column}`);
    }
  });

  test('an unknown capture status is never treated as paid', () => {
    for (const c of cells.filter((x) => x.column === 'unknown')) {
      assert.ok(!c.result.commands.some((cmd) => cmd.type === 'update_service'), c.row);
      if (c.data.state !== 'fulfilling') assert.notEqual(c.result.data.state, 'fulfilling', c.row);
    }
  });
});
