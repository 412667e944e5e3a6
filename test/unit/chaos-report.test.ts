// The chaos report's count of webhook delivery attempts: what the intake answered, apart from the failures the
// simulator forced, and which 503s fell inside the Temporal outage. And its money check: who PayPal charged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capturedAgainstExpectation, countDeliveryOutcomes } from '../../chaos/verify';

const at = (ms: number) => new Date(ms).toISOString();

test('delivery attempts are counted by the intake\'s answer; a forced failure counts as injected whatever was answered', () => {
  const { deliveryOutcomes } = countDeliveryOutcomes([
    { statusCode: 200, injected: false, startedAt: at(0) },
    { statusCode: 200, injected: false, startedAt: at(1) },
    { statusCode: 503, injected: false, startedAt: at(2) },
    { statusCode: 503, injected: true, startedAt: at(3) },
    { injected: true, startedAt: at(4) },
    { injected: false, startedAt: at(5) },
  ], []);
  assert.deepEqual(deliveryOutcomes, { '200': 2, '503': 1, injected: 2, 'no answer': 1 });
});

test('a 503 is counted as during the outage only when its attempt started between Temporal\'s stop and its return', () => {
  const down = [{ from: 1_000, to: 2_000 }];
  const { deliveryOutcomes, unavailableWhileTemporalDown } = countDeliveryOutcomes([
    { statusCode: 503, injected: false, startedAt: at(999) },
    { statusCode: 503, injected: false, startedAt: at(1_000) },
    { statusCode: 503, injected: false, startedAt: at(2_000) },
    { statusCode: 503, injected: true, startedAt: at(1_500) },
    { statusCode: 200, injected: false, startedAt: at(1_500) },
    { statusCode: 503, injected: false, startedAt: at(2_001) },
  ], down);
  assert.equal(deliveryOutcomes['503'], 4);
  assert.equal(unavailableWhileTemporalDown, 2);
});

test('an order whose buyer must not be charged is reported when PayPal created any capture event for it', () => {
  const orders = [
    { kind: 'mismatch' as const, orderId: 'M1' },
    { kind: 'mismatch' as const, orderId: 'M2' },
    { kind: 'plain' as const, orderId: 'P1' },
  ];
  const events = [
    { eventType: 'CHECKOUT.ORDER.APPROVED', orderId: 'M1' },
    { eventType: 'PAYMENT.CAPTURE.COMPLETED', orderId: 'M2' },
    { eventType: 'PAYMENT.CAPTURE.COMPLETED', orderId: 'P1' },
  ];
  assert.deepEqual(capturedAgainstExpectation(orders, events).map((o) => o.orderId), ['M2']);
});
