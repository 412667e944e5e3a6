// The capture activity against the in-process PayPal simulator: which PayPal calls it makes for each kind of order,
// and that only PayPal's answers become the workflow's truth. And the polls: they fail (so Temporal retries them on
// the poll schedule) exactly while PayPal still says PENDING, or still shows the payment status the order holds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPayPalActivities, toPaymentTruth } from '../../src/activities/paypal';
import { PayPalClient } from '../../src/paypal/client';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { FAILURE_TYPES } from '../../src/workflows/failure-types';
import { paymentStatus, type PaymentStatus, type PaymentTruth } from '../../src/workflows/order-machine';
import { api, getToken } from '../helpers/simulator-support';

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

  // In an activity context, as the worker runs it (the activity reads its heartbeat timeout from there).
  const capture = async (orderId: string, expectedAmount?: { currency_code: string; value: string }) => {
    calls = [];
    type Capture = typeof activities.captureOrder;
    return new MockActivityEnvironment().run<Parameters<Capture>, PaymentTruth, Capture>(activities.captureOrder, orderId, expectedAmount);
  };

  test('an approved order is captured with one PayPal call', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('10.00') });
    const truth = await capture(orderId);
    assert.deepEqual(calls, ['captureOrder']);
    assert.equal(truth.orderStatus, 'COMPLETED');
    assert.equal(truth.capture?.status, 'COMPLETED');
    assert.deepEqual(truth.capture?.amount, USD('10.00'));
  });

  test('an order of several purchase units is captured, and its truth says how many units (an order of one says nothing)', async () => {
    const created = await api(sim, await getToken(sim), 'POST', '/v2/checkout/orders', {
      body: { intent: 'CAPTURE', purchase_units: [{ reference_id: 'a', amount: USD('30.00') }, { reference_id: 'b', amount: USD('20.00') }, { reference_id: 'c', amount: USD('5.00') }] },
    });
    const orderId = (JSON.parse(created.text) as { id: string }).id;
    await sim.control.approveOrder(orderId);
    const truth = await capture(orderId);
    assert.equal(truth.purchaseUnits, 3);
    assert.deepEqual(truth.capture?.amount, USD('55.00'), 'the payment: what every unit\'s capture took');
    assert.deepEqual(truth.orderAmount, USD('55.00'), 'the order\'s amount: what the buyer approved over every unit');
    const { orderId: single } = await sim.control.checkout({ amount: USD('10.00') });
    assert.equal('purchaseUnits' in (await capture(single)), false, 'absent, so single-unit results are recorded as before');
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

  test('with a registered amount: read first, and captured when PayPal\'s order is for that amount', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('15.00') });
    const truth = await capture(orderId, USD('15.00'));
    assert.deepEqual(calls, ['getOrder', 'captureOrder']);
    assert.equal(truth.capture?.status, 'COMPLETED');
    assert.deepEqual(truth.capture?.amount, USD('15.00'));
  });

  test('with a registered amount: another amount is returned uncaptured, and PayPal holds no capture', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('16.00') });
    const truth = await capture(orderId, USD('15.00'));
    assert.deepEqual(calls, ['getOrder']);
    assert.equal(truth.orderStatus, 'APPROVED');
    assert.equal(truth.capture, undefined);
    assert.deepEqual(truth.orderAmount, USD('16.00'));
    assert.equal((await client.getOrder(orderId)).purchase_units?.[0]?.payments?.captures, undefined);
    const authorizeIntent = await sim.control.checkout({ amount: USD('16.00'), intent: 'AUTHORIZE' });
    assert.equal((await capture(authorizeIntent.orderId, USD('15.00'))).authorization, undefined, 'nor authorized');
    assert.deepEqual(calls, ['getOrder']);
  });

  test('with a registered amount: a capture made already (an attempt that died after it) is replayed, not hidden', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('17.00') });
    const first = await capture(orderId);
    const again = await capture(orderId, USD('15.00'));
    assert.equal(again.capture?.id, first.capture?.id, 'the workflow sees the capture and reviews its amount');
  });

  test('an unknown order is a permanent failure of its own type', async () => {
    const err = await capture('NOSUCHORDER0000001').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, FAILURE_TYPES.paypalOrderNotFound);
    assert.equal(err.nonRetryable, true);
  });
});

describe('poll activities: awaitCaptureSettled, awaitPaymentChange', () => {
  let sim: RunningSimulator;
  let client: PayPalClient;
  let activities: ReturnType<typeof createPayPalActivities>;
  const GAPS = [5_000, 60_000, 3_600_000];

  before(async () => {
    sim = await startSimulator();
    client = new PayPalClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret });
    activities = createPayPalActivities(client);
  });
  after(async () => {
    await sim?.close();
  });

  /** Runs the activity as its `attempt`-th attempt; resolves with the truth or the failure it threw. */
  const poll = (orderId: string, attempt: number): Promise<{ truth?: PaymentTruth; err?: unknown }> =>
    new MockActivityEnvironment({ attempt }).run<[string], PaymentTruth, (id: string) => Promise<PaymentTruth>>((id) => activities.awaitCaptureSettled(id, GAPS), orderId).then(
      (truth) => ({ truth }),
      (err: unknown) => ({ err }),
    );

  test('while PayPal says PENDING it fails retryably (BENIGN) with the schedule\'s next gap; once settled it returns the truth', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('20.00'), captureOutcome: 'PENDING', pendingReason: 'ECHECK' });
    const { order } = await client.captureOrder(orderId, `capture-${orderId}`);
    const captureId = order.purchase_units?.[0]?.payments?.captures?.[0]?.id;
    assert.ok(captureId);
    for (const [attempt, gap] of [[1, 5_000], [2, 60_000], [3, 3_600_000], [7, 3_600_000]] as const) {
      const { err } = await poll(orderId, attempt);
      assert.ok(err instanceof ApplicationFailure, `attempt ${attempt} fails`);
      assert.equal(err.type, FAILURE_TYPES.captureStillPending);
      assert.equal(err.nonRetryable, false);
      assert.equal(err.nextRetryDelay, gap, `attempt ${attempt}: the gap before the next read`);
      assert.equal(err.category, ApplicationFailureCategory.BENIGN);
      assert.match(err.message, /still pending at PayPal \(ECHECK\)/);
    }
    await sim.control.completeCapture(captureId);
    const { truth } = await poll(orderId, 8);
    assert.equal(truth?.capture?.status, 'COMPLETED');
    assert.equal(truth?.capture?.id, captureId);
  });

  test('any answer but PENDING is returned for the machine to decide (a declined capture)', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('21.00'), captureOutcome: 'DECLINED' });
    await client.captureOrder(orderId, `capture-${orderId}`).catch(() => undefined);
    const { truth, err } = await poll(orderId, 1);
    assert.equal(err, undefined);
    assert.equal(truth?.capture?.status, 'DECLINED');
  });

  /** Runs awaitPaymentChange as its `attempt`-th attempt, holding `held`. */
  const pollPayment = (orderId: string, held: PaymentStatus, attempt: number): Promise<{ truth?: PaymentTruth; err?: unknown }> =>
    new MockActivityEnvironment({ attempt }).run<[string], PaymentTruth, (id: string) => Promise<PaymentTruth>>((id) => activities.awaitPaymentChange(id, held, GAPS), orderId).then(
      (truth) => ({ truth }),
      (err: unknown) => ({ err }),
    );

  test('awaitPaymentChange fails retryably (BENIGN) with the next gap while the order is as held; returns it once the buyer approves', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('22.00'), approve: false });
    const held = paymentStatus(toPaymentTruth(await client.getOrder(orderId)));
    assert.deepEqual(held, { orderStatus: 'CREATED' });
    for (const [attempt, gap] of [[1, 5_000], [2, 60_000], [5, 3_600_000]] as const) {
      const { err } = await pollPayment(orderId, held, attempt);
      assert.ok(err instanceof ApplicationFailure, `attempt ${attempt} fails`);
      assert.equal(err.type, FAILURE_TYPES.paymentUnchanged);
      assert.equal(err.nonRetryable, false);
      assert.equal(err.nextRetryDelay, gap, `attempt ${attempt}: the gap before the next read`);
      assert.equal(err.category, ApplicationFailureCategory.BENIGN);
      assert.match(err.message, /still CREATED at PayPal/);
    }
    await sim.control.approveOrder(orderId);
    const { truth, err } = await pollPayment(orderId, held, 6);
    assert.equal(err, undefined);
    assert.equal(truth?.orderStatus, 'APPROVED');
  });

  test('awaitPaymentChange returns any other change too (an approval reversed: VOIDED), and fails for good on an unknown order', async () => {
    const { orderId } = await sim.control.checkout({ amount: USD('23.00') });
    const held = paymentStatus(toPaymentTruth(await client.getOrder(orderId)));
    assert.equal((await pollPayment(orderId, held, 1)).err instanceof ApplicationFailure, true, 'approved, as held');
    await sim.control.reverseApproval(orderId);
    assert.equal((await pollPayment(orderId, held, 2)).truth?.orderStatus, 'VOIDED');
    const { err } = await pollPayment('NOSUCHORDER0000003', held, 1);
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, FAILURE_TYPES.paypalOrderNotFound);
    assert.equal(err.nonRetryable, true);
  });

  test('an unknown order is a permanent failure of its own type, not a pending poll', async () => {
    const { err } = await poll('NOSUCHORDER0000002', 1);
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, FAILURE_TYPES.paypalOrderNotFound);
    assert.equal(err.nonRetryable, true);
  });
});
