// The capture activity against the in-process PayPal simulator: which PayPal calls it makes for each kind of order,
// and that only PayPal's answers become the workflow's truth.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createPayPalActivities } from '../../src/activities/paypal';
import { PayPalClient } from '../../src/paypal/client';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { FAILURE_TYPES } from '../../src/workflows/failure-types';

const USD = (value: string) => ({ currency_code: 'USD', value });

describe('captureOrder activity', () => {
  let sim: RunningSimulator;
  let client: PayPalClient;
  let calls: string[] = [];
  let activities: ReturnType<typeof createPayPalActivities>;

  before(async () => {
    sim = await startSimulator();
    client = new PayPalClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret });
    // Records which PayPal operations the activity calls, in order.
    const counted = new Proxy(client, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    activities = createPayPalActivities(counted);
  });
  after(async () => {
    await sim?.close();
  });

  const capture = async (orderId: string) => {
    calls = [];
    return activities.captureOrder(orderId);
  };

  test('an approved order is captured with one PayPal call', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('10.00') });
    const truth = await capture(orderId);
    assert.deepEqual(calls, ['captureOrder']);
    assert.equal(truth.orderStatus, 'COMPLETED');
    assert.equal(truth.capture?.status, 'COMPLETED');
    assert.deepEqual(truth.capture?.amount, USD('10.00'));
  });

  test('a retry replays the same capture (same PayPal-Request-Id): one capture, not two', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('11.00') });
    const first = await capture(orderId);
    const again = await capture(orderId);
    assert.deepEqual(calls, ['captureOrder']);
    assert.equal(again.capture?.id, first.capture?.id);
    const order = await client.getOrder(orderId);
    assert.equal(order.purchase_units?.[0]?.payments?.captures?.length, 1);
  });

  test('an order not approved yet is read and returned as it stands, not captured', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('12.00'), approve: false });
    const truth = await capture(orderId);
    assert.deepEqual(calls, ['captureOrder', 'getOrder']);
    assert.equal(truth.orderStatus, 'CREATED');
    assert.equal(truth.capture, undefined);
  });

  test('an order captured elsewhere (another request ID) is read, not failed', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('13.00') });
    const theirs = await client.captureOrder(orderId, 'merchant-checkout-capture');
    const truth = await capture(orderId);
    assert.deepEqual(calls, ['captureOrder', 'getOrder']);
    assert.equal(truth.capture?.id, theirs.order.purchase_units?.[0]?.payments?.captures?.[0]?.id);
  });

  test('an authorize-intent order is authorized, then its authorization captured', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('14.00'), intent: 'AUTHORIZE' });
    const truth = await capture(orderId);
    assert.deepEqual(calls, ['captureOrder', 'getOrder', 'authorizeOrder', 'captureAuthorization', 'getOrder']);
    assert.equal(truth.capture?.status, 'COMPLETED');
    assert.equal(truth.authorization?.status, 'CAPTURED');
  });

  test('an unknown order is a permanent failure of its own type', async () => {
    const err = await capture('NOSUCHORDER0000001').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, FAILURE_TYPES.paypalOrderNotFound);
    assert.equal(err.nonRetryable, true);
  });
});
