// The chaos verifier's reading of the merchant's 409s: resends before success and late arrivals of earlier attempts
// are at-least-once; an attempt started after the workflow recorded success is a violation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MerchantRequest } from '../../chaos/merchant';
import { classifyRepeats, type CompletedUpdate } from '../../chaos/verify';

const RUN = 'run-a';
const KEY = 'order.paid:O1';
const DONE: CompletedUpdate = { at: 1_000, activityId: '2', attempt: 3 };

function request(deliveryId: string, at: number, outcome: MerchantRequest['outcome'] = 'repeat'): MerchantRequest {
  const payload = { type: 'order.paid' as const, orderId: 'O1', captureId: 'C1', amount: null, customId: null, invoiceId: null };
  return { key: KEY, payload, at, deliveryId, signatureValid: true, outcome };
}

const classify = (requests: MerchantRequest[]) => classifyRepeats(requests, (orderId, key) => (orderId === 'O1' && key === KEY ? DONE : undefined));
const winner = request(`${RUN}/2/3`, 900, 'applied');

describe('chaos verifier: repeated service updates', () => {
  test('a 409 before the workflow recorded success is a resend', () => {
    const r = classify([winner, request(`${RUN}/2/2`, 950)]);
    assert.deepEqual([r.resendsBeforeRecorded, r.lateArrivals, r.startedAfterDone.length], [1, 0, 0]);
  });

  test('an earlier attempt arriving after success is a late arrival, not a violation', () => {
    const r = classify([winner, request(`${RUN}/2/1`, 1_300), request(`${RUN}/1/5`, 1_400)]);
    assert.deepEqual([r.resendsBeforeRecorded, r.lateArrivals, r.startedAfterDone.length], [0, 2, 0]);
  });

  test('a later attempt, a later activity, another run or an unnamed request after success is a violation', () => {
    const late = [request(`${RUN}/2/4`, 1_100), request(`${RUN}/3/1`, 1_200), request('run-b/2/3', 1_300), request('', 1_400)];
    const r = classify([winner, ...late]);
    assert.deepEqual(r.startedAfterDone.map((v) => v.request.deliveryId), late.map((q) => q.deliveryId));
    assert.equal(r.lateArrivals, 0);
  });

  test('answers other than 409 are not counted', () => {
    const r = classify([winner, request(`${RUN}/2/4`, 1_100, 'failed_500')]);
    assert.deepEqual([r.resendsBeforeRecorded, r.lateArrivals, r.startedAfterDone.length], [0, 0, 0]);
  });
});
