// Support decisions sent as signals with a request ID: refused on arrival or queued, then applied or refused by
// the state machine, each outcome kept under its ID for the admin API, and a repeat recognised.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decisionRefusal, DecisionRequests, MAX_REQUEST_ID_LENGTH } from '../../src/workflows/decision-requests';
import { transition, type OrderData, type ReviewDecision } from '../../src/workflows/order-machine';
import { at, NOW } from '../helpers/order-data';

const inReview = (): OrderData => at('needs_review', { review: { code: 'amount_mismatch', message: 'paid 42.00, expected 40.00', since: NOW, from: 'capturing' } });
const reject = (requestId?: string): ReviewDecision => ({ decision: 'reject', actor: 'ana', reason: 'fraud', at: NOW, ...(requestId ? { requestId } : {}) });

describe('decision refusal on arrival', () => {
  test('allowed: an order in review takes approve, retry and reject from a named actor with a reason', () => {
    for (const kind of ['approve', 'retry', 'reject'] as const) {
      assert.equal(decisionRefusal(kind, { actor: 'ana', reason: 'checked', requestId: `${kind}:t-1` }, inReview()), undefined, kind);
    }
  });

  test('refused: not allowed in the order state, with the state named', () => {
    assert.deepEqual(decisionRefusal('approve', { actor: 'ana', reason: 'x' }, at('fulfilled')), {
      type: 'DecisionNotAllowed',
      message: 'approve is not allowed in state fulfilled',
    });
  });

  test("without the order's state (a request, judged when the loop takes it) only the input is checked", () => {
    assert.equal(decisionRefusal('approve', { actor: 'ana', reason: 'x', requestId: 'approve:t' }), undefined);
    assert.equal(decisionRefusal('approve', { actor: '', reason: 'x', requestId: 'approve:t' })?.type, 'InvalidDecision');
  });

  test('refused: no actor, no reason, or a request ID that is not a short string', () => {
    const refusedAs = (d: unknown) => decisionRefusal('reject', d as never, inReview())?.type;
    assert.equal(refusedAs({ actor: ' ', reason: 'x' }), 'InvalidDecision');
    assert.equal(refusedAs({ actor: 'ana', reason: '' }), 'InvalidDecision');
    assert.equal(refusedAs(undefined), 'InvalidDecision');
    assert.equal(refusedAs({ actor: 'ana', reason: 'x', requestId: 42 }), 'InvalidDecision');
    assert.equal(refusedAs({ actor: 'ana', reason: 'x', requestId: 'r'.repeat(MAX_REQUEST_ID_LENGTH + 1) }), 'InvalidDecision');
    assert.equal(refusedAs({ actor: 'ana', reason: 'x', requestId: 'r'.repeat(MAX_REQUEST_ID_LENGTH) }), undefined);
  });
});

describe('DecisionRequests', () => {
  test('a queued request is pending until the machine applies it, then applied with the state it left', () => {
    const requests = new DecisionRequests();
    requests.queued('reject:t-1');
    assert.deepEqual(requests.view(), { 'reject:t-1': { status: 'pending' } });
    const decision = reject('reject:t-1');
    const { data } = transition(inReview(), { type: 'decision', decision }, NOW);
    assert.deepEqual(requests.settled(decision, data, 'needs_review'), { status: 'applied', state: 'cancelled' });
    assert.deepEqual(requests.view()['reject:t-1'], { status: 'applied', state: data.state });
    assert.equal(data.state, 'cancelled');
  });

  test('a request the machine did not record (no longer allowed when its turn came) is refused with the state it met', () => {
    const requests = new DecisionRequests();
    requests.queued('reject:t-2');
    const decision = reject('reject:t-2');
    const { data } = transition(at('cancelled'), { type: 'decision', decision }, NOW);
    assert.deepEqual(data.decisions, [], 'the machine dropped it');
    assert.equal(requests.settled(decision, data, 'cancelled')?.status, 'refused');
    assert.deepEqual(requests.view()['reject:t-2'], { status: 'refused', type: 'DecisionNotAllowed', message: 'reject is not allowed in state cancelled' });
  });

  test('a decision without a request ID (sent from the Temporal UI) leaves no outcome', () => {
    const requests = new DecisionRequests();
    const decision = reject();
    assert.equal(requests.settled(decision, transition(inReview(), { type: 'decision', decision }, NOW).data, 'needs_review'), undefined);
    assert.deepEqual(requests.view(), {});
  });

  test('a repeat is recognised, refused ones too, and outcomes survive continue-as-new', () => {
    const requests = new DecisionRequests();
    requests.queued('approve:a');
    requests.refused('retry:b', { type: 'DecisionNotAllowed', message: 'retry is not allowed in state fulfilled' });
    const carried = new DecisionRequests(requests.carry());
    assert.ok(carried.has('approve:a') && carried.has('retry:b'));
    assert.ok(!carried.has('approve:c'));
    assert.deepEqual(carried.view(), requests.view());
  });

  test('only the latest 100 outcomes are kept', () => {
    const requests = new DecisionRequests();
    for (let i = 0; i < 105; i++) requests.queued(`reject:${i}`);
    assert.equal(Object.keys(requests.view()).length, 100);
    assert.ok(!requests.has('reject:4') && requests.has('reject:5') && requests.has('reject:104'));
  });
});
