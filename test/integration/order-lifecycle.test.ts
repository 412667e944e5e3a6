// Every timed and human path of an order, on a real Temporal server with short configured durations.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { decisionSignals, orderWorkflowId } from '../../src/workflows/messages';
import { startHarness, type Harness } from '../helpers/harness';
import { api, getToken } from '../helpers/simulator-support';
import { waitFor } from '../helpers/wait';

const USD = (value: string) => ({ currency_code: 'USD', value });

describe('order lifecycle: pending payments, reconciliation, review, refunds', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      RECONCILE_POLL_SCHEDULE: '300ms,600ms',
      AWAITING_PAYMENT_DEADLINE: '5s',
      // Long enough for a few polls: the dev server fires short timers and retries up to ~0.6 s late.
      PAYMENT_PENDING_DEADLINE: '8s',
      WATCH_AFTER_CLOSE: '3s',
    });
  });
  after(async () => {
    await h?.stop();
  });

  const captureIdOf = async (orderId: string) =>
    waitFor(`capture of ${orderId}`, async () => (await h.status(orderId))?.truth?.capture?.id);

  /** Runs `fn` with a Temporal client of its own (the product's is not exposed). */
  const withClient = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
    const connection = await Connection.connect({ address: h.temporalAddress });
    try {
      return await fn(new Client({ connection }));
    } finally {
      await connection.close();
    }
  };
  /**
   * Waits until the order's poll (one awaitCaptureSettled activity for a pending capture, one awaitPaymentChange
   * for an order awaiting payment) has read PayPal `reads` times.
   */
  const pollAfterReads = (orderId: string, reads: number, poll: 'awaitCaptureSettled' | 'awaitPaymentChange' = 'awaitCaptureSettled') =>
    withClient((client) => waitFor(`${reads} reads by the poll of ${orderId}`, async () => {
      const { raw } = await client.workflow.getHandle(orderWorkflowId(orderId)).describe();
      // While an attempt waits for its retry, `attempt` is the next one: `reads` reads have failed ("nothing new").
      return raw.pendingActivities?.find((a) => a.activityType?.name === poll && (a.attempt ?? 0) > reads);
    }));
  const scheduledAs = (e: temporal.api.history.v1.IHistoryEvent) => e.activityTaskScheduledEventAttributes?.activityType?.name;

  test('pending capture, then completed: fulfilled once PayPal settles it', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('30.00'), captureOutcome: 'PENDING', pendingReason: 'ECHECK' });
    const pending = await h.waitForState(orderId, 'payment_pending');
    assert.equal(pending.truth?.capture?.reason, 'ECHECK');
    assert.equal(h.receiver.forOrder(orderId).length, 0, 'nothing delivered while pending');
    await h.simulator.control.completeCapture(await captureIdOf(orderId));
    await h.waitForState(orderId, 'fulfilled');
    assert.equal(h.receiver.forOrder(orderId).length, 1);
  });

  test('pending capture settled while its webhook is lost: reconciliation polling finds it', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('31.00'), captureOutcome: 'PENDING' });
    await h.waitForState(orderId, 'payment_pending');
    await pollAfterReads(orderId, 2);
    await h.simulator.control.setFaults({ webhooks: { dropNext: 1000 } });
    try {
      await h.simulator.control.completeCapture(await captureIdOf(orderId));
      await h.waitForState(orderId, 'fulfilled');
      const completion = await h.simulator.control.waitForEvent({ orderId, eventType: 'PAYMENT.CAPTURE.COMPLETED' });
      assert.equal(completion.status, 'DROPPED', 'the completion webhook never arrived');
    } finally {
      await h.simulator.control.clearFaults();
    }
    assert.equal(h.receiver.forOrder(orderId).length, 1);
    // Every read was an attempt of one activity, retried by Temporal: no timer and no activity per read.
    const events = await h.history(orderId);
    const completed = events.find((e) => e.activityTaskCompletedEventAttributes
      && scheduledAs(events.find((s) => Number(s.eventId) === Number(e.activityTaskCompletedEventAttributes!.scheduledEventId))!) === 'awaitCaptureSettled');
    assert.ok(completed, 'the poll activity returned the settled capture');
    const scheduledId = Number(completed.activityTaskCompletedEventAttributes!.scheduledEventId);
    const started = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === scheduledId);
    assert.ok((started?.activityTaskStartedEventAttributes?.attempt ?? 0) >= 3, 'found by the third read or a later one');
    const between = events.filter((e) => Number(e.eventId) > scheduledId && Number(e.eventId) < Number(completed.eventId));
    assert.deepEqual(between.filter((e) => e.timerStartedEventAttributes || scheduledAs(e)), [], 'no timer or other activity between the reads');
  });

  test('a decision while the pending capture is polled cancels the poll and is applied at once', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('35.00'), captureOutcome: 'PENDING' });
    await h.waitForState(orderId, 'payment_pending');
    await pollAfterReads(orderId, 1);
    const res = await h.admin(`/orders/${orderId}/reject`, { method: 'POST', body: { reason: 'buyer asked to cancel', actor: 'sam' } });
    assert.equal(res.status, 200);
    assert.equal((await h.status(orderId))?.state, 'cancelled');
    const events = await h.history(orderId);
    const poll = events.find((e) => scheduledAs(e) === 'awaitCaptureSettled');
    assert.ok(poll, 'the capture was being polled');
    assert.ok(
      events.some((e) => Number(e.activityTaskCancelRequestedEventAttributes?.scheduledEventId) === Number(poll.eventId)),
      'the poll was cancelled when the decision arrived',
    );
    assert.equal(h.receiver.forOrder(orderId).length, 0);
  });

  test('pending capture, then denied: cancelled, nothing delivered', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('32.00'), captureOutcome: 'PENDING' });
    await h.waitForState(orderId, 'payment_pending');
    await h.simulator.control.denyCapture(await captureIdOf(orderId));
    await h.waitForState(orderId, 'cancelled');
    assert.equal(h.receiver.forOrder(orderId).length, 0);
  });

  test('pending capture past its deadline goes to review with the reason', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('33.00'), captureOutcome: 'PENDING' });
    const status = await h.waitForState(orderId, 'needs_review', 20_000);
    assert.equal(status.review?.code, 'payment_pending_too_long');
    const since = (state: string) => Date.parse(status.timeline.find((t) => t.state === state)?.at ?? '');
    assert.ok(since('needs_review') - since('payment_pending') >= 8_000, 'not before the deadline, though the poll\'s retries stop at it');
    assert.equal(h.receiver.forOrder(orderId).length, 0);
  });

  test('review → retry: the failed service update runs again and succeeds', async () => {
    h.receiver.answers = [422];
    const { orderId } = await h.simulator.control.checkout({ amount: USD('34.00') });
    await h.waitForState(orderId, 'needs_review');
    const res = await h.admin(`/orders/${orderId}/retry`, { method: 'POST', body: { reason: 'merchant fixed the SKU mapping', actor: 'sam' } });
    assert.equal(res.status, 200);
    const status = await h.waitForState(orderId, 'fulfilled');
    assert.deepEqual(status.decisions.map((d) => d.decision), ['retry']);
    assert.deepEqual(h.receiver.forOrder(orderId).map((u) => u.answered), [422, 200]);
  });

  test('review → reject: closed without fulfilment, decision recorded', async () => {
    h.receiver.answers = [422];
    const { orderId } = await h.simulator.control.checkout({ amount: USD('35.00') });
    await h.waitForState(orderId, 'needs_review');
    const res = await h.admin(`/orders/${orderId}/reject`, { method: 'POST', body: { reason: 'fraud confirmed', actor: 'sam' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.state, 'cancelled');
    const status = await h.status(orderId);
    assert.equal(status?.decisions[0]?.reason, 'fraud confirmed');
    assert.deepEqual(h.receiver.successfulKeys(orderId), []);
  });

  test('review → approve sent as a Signal (Temporal UI / temporal workflow signal): applied and recorded', async () => {
    h.receiver.answers = [422];
    const { orderId } = await h.simulator.control.checkout({ amount: USD('37.00') });
    await h.waitForState(orderId, 'needs_review');
    await withClient((client) => client.workflow.getHandle(orderWorkflowId(orderId)).signal(decisionSignals.approve, { actor: 'ops@ui', reason: 'paid by wire' }));
    const status = await h.waitForState(orderId, 'fulfilled');
    assert.deepEqual(status.decisions.map((d) => [d.decision, d.actor]), [['approve', 'ops@ui']]);
    assert.equal(h.receiver.forOrder(orderId).at(-1)?.payload.override, true, 'delivered as a human override');
  });

  test('a Signal decision the order\'s state does not allow is refused when the order takes it: nothing changes', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('38.00') });
    await h.waitForState(orderId, 'fulfilled');
    const history = await withClient(async (client) => {
      const handle = client.workflow.getHandle(orderWorkflowId(orderId));
      await handle.signal(decisionSignals.reject, { actor: 'ops@ui', reason: 'wrong order' });
      // The loop took it: a run taking a decision without a request ID records the patch that judges it there.
      return waitFor('the decision taken', async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        return events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch') ? events : undefined;
      });
    });
    assert.ok(history.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'reject'));
    const status = await h.status(orderId);
    assert.equal(status?.state, 'fulfilled', 'a reject is not allowed once fulfilled');
    assert.deepEqual(status?.decisions, [], 'nothing recorded');
    assert.equal(h.receiver.forOrder(orderId).length, 1, 'the merchant heard of the payment only');
  });

  test('refund after fulfilment (full reversal): merchant told once with its own key, order revoked', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('36.00') });
    await h.waitForState(orderId, 'fulfilled');
    const refund = await h.simulator.control.reverseCapture(await captureIdOf(orderId));
    await h.waitForState(orderId, 'revoked');
    const reversal = h.receiver.forOrder(orderId).filter((u) => u.payload.type === 'order.reversed');
    assert.equal(reversal.length, 1);
    assert.equal(reversal[0]?.idempotencyKey, `order.reversed:${orderId}:${refund.id}`);
    assert.deepEqual(reversal[0]?.payload.amount, USD('36.00'));
  });

  test('partial reversal after fulfilment: reported with its amount, order stays fulfilled', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('40.00') });
    await h.waitForState(orderId, 'fulfilled');
    await h.simulator.control.reverseCapture(await captureIdOf(orderId), USD('15.00'));
    const update = await waitFor('partial reversal update', () => h.receiver.forOrder(orderId).find((u) => u.payload.type === 'order.reversed'));
    assert.deepEqual(update.payload.amount, USD('15.00'));
    const status = await waitFor('refund recorded', async () => {
      const s = await h.status(orderId);
      return s && s.refundsNotified.length === 1 ? s : undefined;
    });
    assert.equal(status.state, 'fulfilled');
  });

  test('merchant down when a reversal is reported: the notice is re-attempted, never reviewed, then the order is revoked', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('37.00') });
    await h.waitForState(orderId, 'fulfilled');
    h.receiver.answers = [503, 503, 503, 503]; // FULFILLMENT_MAX_ATTEMPTS = 4: the whole retry policy fails
    const refund = await h.simulator.control.reverseCapture(await captureIdOf(orderId));
    const down = await waitFor('notice failing', async () => {
      const s = await h.status(orderId);
      return s?.refundNoticesFailing?.[refund.id] ? s : undefined;
    });
    assert.equal(down.state, 'fulfilled', 'still fulfilled while the notice waits for its re-attempt');
    const status = await h.waitForState(orderId, 'revoked'); // PENDING_SERVICE_UPDATE_INTERVAL = 1s
    assert.ok(!status.timeline.some((t) => t.state === 'needs_review'), 'never in review');
    const notices = h.receiver.forOrder(orderId).filter((u) => u.payload.type === 'order.reversed');
    assert.deepEqual(notices.map((u) => u.answered), [503, 503, 503, 503, 200]);
    assert.deepEqual([...new Set(notices.map((u) => u.idempotencyKey))], [`order.reversed:${orderId}:${refund.id}`], 'one idempotency key throughout');
  });

  test('merchant down past the re-attempt deadline: the refund notice goes to review', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('38.00') });
    await h.waitForState(orderId, 'fulfilled');
    h.receiver.defaultStatus = 503;
    try {
      await h.simulator.control.reverseCapture(await captureIdOf(orderId));
      const status = await h.waitForState(orderId, 'needs_review'); // PENDING_SERVICE_UPDATE_DEADLINE = 4s
      assert.equal(status.review?.code, 'refund_notification_failed');
      assert.equal(status.review?.from, 'fulfilled');
    } finally {
      h.receiver.defaultStatus = 200;
    }
  });

  test('registered order, every webhook lost: the workflow polls PayPal, captures and fulfils', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('41.00'), approve: false });
    const reg = await h.admin('/orders', { method: 'POST', body: { orderId, amount: USD('41.00'), merchantReference: 'shop-1041' } });
    assert.equal(reg.status, 201);
    assert.equal((await h.admin('/orders', { method: 'POST', body: { orderId } })).status, 409, 'registering twice is refused');
    await h.simulator.control.setFaults({ webhooks: { dropNext: 1000 } });
    try {
      await pollAfterReads(orderId, 2, 'awaitPaymentChange');
      await h.simulator.control.approveOrder(orderId);
      const status = await h.waitForState(orderId, 'fulfilled');
      assert.equal(status.eventsSeen, 0, 'no webhook was involved');
      assert.equal(h.receiver.forOrder(orderId).length, 1);
    } finally {
      await h.simulator.control.clearFaults();
    }
    // One plain read at registration; after it, every read was an attempt of one activity, which returned the approval.
    const events = await h.history(orderId);
    assert.equal(events.filter((e) => scheduledAs(e) === 'verifyPayment').length, 1);
    const polls = events.filter((e) => scheduledAs(e) === 'awaitPaymentChange');
    assert.equal(polls.length, 1, 'one poll activity');
    const started = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(polls[0]!.eventId));
    assert.ok((started?.activityTaskStartedEventAttributes?.attempt ?? 0) >= 3, 'the approval found by the third read or a later one');
  });

  /** Asserts that PayPal (the simulator) holds no capture of the order and sent no capture event. */
  const assertNotCaptured = async (orderId: string) => {
    const order = await h.simulator.control.events({ orderId });
    assert.deepEqual(order.filter((e) => e.event.event_type.startsWith('PAYMENT.CAPTURE')).map((e) => e.event.event_type), [], 'nothing captured at PayPal');
  };

  /** A registered order (10.00 USD) whose buyer approved 12.00, once it is in review. */
  const mismatchInReview = async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('12.00'), approve: false });
    assert.equal((await h.admin('/orders', { method: 'POST', body: { orderId, amount: USD('10.00') } })).status, 201);
    await h.simulator.control.approveOrder(orderId);
    return { orderId, status: await h.waitForState(orderId, 'needs_review') };
  };
  /** The merchant received exactly one service update for the order: that one. */
  const onlyUpdate = (orderId: string) => {
    const [update, ...more] = h.receiver.forOrder(orderId);
    assert.deepEqual(more, [], 'one service update');
    return update;
  };

  test('registered order approved for another amount: review, not captured; support\'s approve captures that amount and delivers it as an override', async () => {
    const { orderId, status } = await mismatchInReview();
    assert.equal(status.review?.code, 'amount_mismatch');
    assert.equal(status.review?.message, 'expected 10.00 USD, the buyer approved 12.00 USD; not captured');
    assert.equal(status.truth?.capture, undefined);
    await assertNotCaptured(orderId);
    assert.equal(h.receiver.forOrder(orderId).length, 0);

    const approved = await h.admin(`/orders/${orderId}/approve`, { method: 'POST', body: { reason: 'buyer added gift wrap', actor: 'ana@support' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const fulfilled = await h.waitForState(orderId, 'fulfilled');
    assert.deepEqual(fulfilled.truth?.capture?.amount, USD('12.00'));
    assert.deepEqual([fulfilled.expectedAmount, fulfilled.acceptedAmount], [USD('10.00'), USD('12.00')], 'registered and accepted amounts both kept');
    const update = onlyUpdate(orderId);
    assert.deepEqual(update?.payload.amount, USD('12.00'));
    assert.equal(update?.payload.override, true, 'delivered as support\'s override');
  });

  test('registered order approved for another amount, then corrected at PayPal by the merchant: support\'s retry captures the registered amount', async () => {
    const { orderId } = await mismatchInReview();
    // The merchant's site patches the order at PayPal (allowed until it is captured).
    const patched = await api(h.simulator, await getToken(h.simulator), 'PATCH', `/v2/checkout/orders/${orderId}`, {
      body: [{ op: 'replace', path: "/purchase_units/@reference_id=='default'/amount", value: USD('10.00') }],
    });
    assert.equal(patched.status, 204, patched.text);
    const retried = await h.admin(`/orders/${orderId}/retry`, { method: 'POST', body: { reason: 'amount corrected at PayPal', actor: 'ana@support' } });
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    const fulfilled = await h.waitForState(orderId, 'fulfilled');
    assert.deepEqual(fulfilled.truth?.capture?.amount, USD('10.00'));
    assert.equal(fulfilled.acceptedAmount, undefined, 'nothing for support to accept: PayPal now holds the registered amount');
    const update = onlyUpdate(orderId);
    assert.deepEqual(update?.payload.amount, USD('10.00'));
    assert.notEqual(update?.payload.override, true, 'not an override');
  });

  test('registered order approved for another amount, every webhook lost: the poll finds it, and it is not captured', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('12.00'), approve: false });
    assert.equal((await h.admin('/orders', { method: 'POST', body: { orderId, amount: USD('10.00') } })).status, 201);
    await h.simulator.control.setFaults({ webhooks: { dropNext: 1000 } });
    try {
      await pollAfterReads(orderId, 1, 'awaitPaymentChange');
      await h.simulator.control.approveOrder(orderId);
      const status = await h.waitForState(orderId, 'needs_review');
      assert.equal(status.review?.code, 'amount_mismatch');
      assert.equal(status.eventsSeen, 0, 'no webhook was involved');
    } finally {
      await h.simulator.control.clearFaults();
    }
    await assertNotCaptured(orderId);
    const events = await h.history(orderId);
    assert.ok(!events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'captureOrder'), 'no capture attempted');
  });

  test('registered multi-seller order for its total: captured, then in review as multi-seller, not as an amount mismatch', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('30.00'), otherUnits: [USD('20.00')], approve: false });
    assert.equal((await h.admin('/orders', { method: 'POST', body: { orderId, amount: USD('50.00') } })).status, 201);
    await h.simulator.control.approveOrder(orderId);
    const status = await h.waitForState(orderId, 'needs_review');
    assert.equal(status.review?.code, 'multiple_purchase_units', status.review?.message);
    assert.deepEqual(status.truth?.capture?.amount, USD('50.00'), 'both sellers captured');
    assert.deepEqual(h.receiver.forOrder(orderId), [], 'nothing delivered before support decides');
  });

  test('a rejected order is never fulfilled by a late or redelivered webhook', async () => {
    const { orderId } = await mismatchInReview();
    assert.equal((await h.admin(`/orders/${orderId}/reject`, { method: 'POST', body: { reason: 'amount mismatch, refunding' } })).status, 200);
    for (const e of await h.simulator.control.events({ orderId })) await h.simulator.control.redeliver(e.id);
    await waitFor('redeliveries answered', async () => {
      const attempts = await h.simulator.control.deliveries({ orderId });
      return attempts.filter((a) => a.ok).length >= 2 * (await h.simulator.control.events({ orderId })).length ? true : undefined;
    });
    // Long after the watch window too: the closed order answers "ignored" (2xx), never starts a fresh run.
    await new Promise((r) => setTimeout(r, 3500));
    for (const e of await h.simulator.control.events({ orderId })) await h.simulator.control.redeliver(e.id);
    await waitFor('redeliveries to the closed order answered', async () => {
      const attempts = await h.simulator.control.deliveries({ orderId });
      return attempts.filter((a) => a.ok).length >= 3 * (await h.simulator.control.events({ orderId })).length ? true : undefined;
    });
    assert.deepEqual(h.receiver.forOrder(orderId), [], 'no service update, ever');
    await assertNotCaptured(orderId);
    const runs = await withClient(async (client) => {
      const names: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId = "${orderWorkflowId(orderId)}"` })) names.push(wf.status.name);
      return names;
    });
    assert.deepEqual(runs, ['COMPLETED'], 'one run, completed after its watch window');
  });

  test('registered order never paid: cancelled at the deadline', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('9.00'), approve: false });
    assert.equal((await h.admin('/orders', { method: 'POST', body: { orderId } })).status, 201);
    const status = await h.waitForState(orderId, 'cancelled', 20_000);
    assert.match(status.timeline.at(-1)?.note ?? '', /no payment before the deadline/);
    const since = (state: string) => Date.parse(status.timeline.find((t) => t.state === state)?.at ?? '');
    assert.ok(since('cancelled') - since('awaiting_payment') >= 5_000, 'not before the deadline, though the poll\'s retries stop at it');
    // Polled all along (every 600 ms after the first 300 ms) by the retries of one activity: no timer per poll.
    const events = await h.history(orderId);
    assert.equal(events.filter((e) => scheduledAs(e) === 'awaitPaymentChange').length, 1, 'one poll activity');
    assert.equal(events.filter((e) => scheduledAs(e) === 'verifyPayment').length, 1, 'and one plain read, at registration');
    assert.ok(events.filter((e) => e.timerStartedEventAttributes).length <= 3, 'the first gap, the deadline and the watch: no timer per poll');
  });
});
