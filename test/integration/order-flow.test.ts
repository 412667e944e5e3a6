// The whole flow against a real Temporal dev server, the PayPal simulator and a test merchant service.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { orderTiming } from '../../src/config';
import { PayPalClient } from '../../src/paypal/client';
import { OrdersClient } from '../../src/temporal/orders-client';
import { orderWorkflowId } from '../../src/workflows/messages';
import { startHarness, type Harness } from '../helpers/harness';
import { api, getToken } from '../helpers/simulator-support';
import { waitFor } from '../helpers/wait';

const USD = (value: string) => ({ currency_code: 'USD', value });

describe('order flow on a real Temporal server', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  test('happy path: buyer approves, workflow captures, exactly one signed service update', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('25.00'), custom_id: 'cust-42', invoice_id: 'inv-42' });
    const status = await h.waitForState(orderId, 'fulfilled');
    const updates = h.receiver.forOrder(orderId);
    assert.equal(updates.length, 1, 'exactly one service update request');
    const [update] = updates;
    assert.equal(update?.signatureValid, true);
    assert.equal(update?.idempotencyKey, `order.paid:${orderId}`);
    assert.equal(update?.payload.type, 'order.paid');
    assert.deepEqual(update?.payload.amount, USD('25.00'));
    assert.equal(update?.payload.customId, 'cust-42');
    assert.equal(update?.payload.invoiceId, 'inv-42');
    assert.ok(update?.payload.captureId, 'the capture ID is sent');
    assert.equal(status.truth?.capture?.status, 'COMPLETED');
    assert.equal(status.truth?.capture?.id, update?.payload.captureId);

    // Readable in the Temporal UI: a summary on the run and on every activity, current details in words.
    const connection = await Connection.connect({ address: h.temporalAddress });
    try {
      const handle = new Client({ connection }).workflow.getHandle(orderWorkflowId(orderId));
      const history = await handle.fetchHistory();
      const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
      // The fewest activities the design allows: the capture (one PayPal call; it reads the order only if PayPal
      // refuses) and the update; the capture's own PAYMENT.CAPTURE.COMPLETED webhook is absorbed without a PayPal read.
      assert.deepEqual(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name), ['captureOrder', 'updateService']);
      // Search attributes: the intake's start already said `capturing` (free); the run upserted only the final
      // state, because the service update succeeded at its first attempt (each upsert is a billable action).
      const stateIn = (fields: Record<string, { data?: Uint8Array | null }> | null | undefined) =>
        fields?.OrderState?.data ? (JSON.parse(Buffer.from(fields.OrderState.data).toString('utf8')) as string) : undefined;
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      assert.equal(stateIn(started?.searchAttributes?.indexedFields), 'capturing');
      // The approval webhook came in the start itself (one billable action, not a signal-with-start's two): the
      // only signal is PayPal's capture-completed webhook.
      const decode = (p: { data?: Uint8Array | null } | undefined) => (p?.data ? (JSON.parse(Buffer.from(p.data).toString('utf8')) as Record<string, unknown>) : undefined);
      const [approval] = await h.simulator.control.events({ orderId, eventType: 'CHECKOUT.ORDER.APPROVED' });
      assert.deepEqual(decode(started?.input?.payloads?.[0])?.firstEvent, { eventId: approval?.id, eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: orderId });
      const signals = (history.events ?? []).flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? [decode(e.workflowExecutionSignaledEventAttributes.input?.payloads?.[0])?.eventType] : []));
      assert.deepEqual(signals, ['PAYMENT.CAPTURE.COMPLETED']);
      const upserts = (history.events ?? []).flatMap((e) => (e.upsertWorkflowSearchAttributesEventAttributes ? [e.upsertWorkflowSearchAttributesEventAttributes] : []));
      assert.deepEqual(upserts.map((u) => stateIn(u.searchAttributes?.indexedFields)), ['fulfilled']);
      const summaries = scheduled.map((e) => (e.userMetadata?.summary?.data ? Buffer.from(e.userMetadata.summary.data).toString('utf8') : ''));
      assert.ok(summaries.every((s) => s.includes(orderId)), `activity summaries: ${summaries.join(' | ')}`);
      const description = await handle.describe();
      assert.match((await description.staticSummary()) ?? '', new RegExp(`PayPal order ${orderId}`));
    } finally {
      await connection.close();
    }
  });

  test('PayPal\'s capture webhook arriving after fulfilment (as it usually does): no re-read, the refund watch\'s timer keeps running', async () => {
    await h.simulator.control.setFaults({ webhooks: { eventTypes: ['PAYMENT.CAPTURE.COMPLETED'], delayMs: 1500 } });
    try {
      const { orderId } = await h.simulator.control.checkout({ amount: USD('26.00') });
      await h.waitForState(orderId, 'fulfilled');
      const delivered = await h.simulator.control.waitForEvent({ orderId, eventType: 'PAYMENT.CAPTURE.COMPLETED', status: 'DELIVERED' }, 10_000);
      assert.ok(delivered);
      await waitFor('the late webhook in the workflow', async () => ((await h.status(orderId))?.eventsSeen ?? 0) >= 2);
      const events = await h.history(orderId);
      const fulfilledAt = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'updateService');
      const signalAt = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes);
      assert.ok(signalAt > fulfilledAt, 'the webhook came after the service update was scheduled');
      // One timer for the whole refund watch: the webhook woke the run but left the watch's end where it was.
      assert.equal(events.filter((e) => e.timerStartedEventAttributes).length, 1, 'the refund watch timer was started once');
      assert.equal(events.filter((e) => e.timerCanceledEventAttributes).length, 0, 'and never cancelled');
      assert.deepEqual(events.flatMap((e) => e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []), ['captureOrder', 'updateService']);
      assert.equal(h.receiver.forOrder(orderId).length, 1);
    } finally {
      await h.simulator.control.clearFaults();
    }
  });

  test('a webhook delivered several times at once is answered 200 every time, recorded once, and changes the order once', async () => {
    await h.simulator.control.setFaults({ webhooks: { duplicates: 4 } });
    let orderId: string;
    try {
      ({ orderId } = await h.simulator.control.checkout({ amount: USD('10.00') }));
      await h.waitForState(orderId, 'fulfilled');
      // Four concurrent copies of the approval and of the capture webhook, every one acknowledged.
      await waitFor('every copy to be answered 200', async () => {
        const attempts = await h.simulator.control.deliveries({ orderId });
        return attempts.length >= 8 && attempts.every((a) => a.statusCode === 200) ? attempts : undefined;
      });
    } finally {
      await h.simulator.control.clearFaults();
    }
    const connection = await Connection.connect({ address: h.temporalAddress });
    try {
      const client = new Client({ connection });
      const history = (await client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory()).events ?? [];
      // The approval is recorded in the run's start, the capture's event as its one signal: no copy was signalled.
      assert.equal(history.filter((e) => e.workflowExecutionSignaledEventAttributes).length, 1, 'one signal, for the capture event');
      assert.equal((await h.status(orderId))?.duplicateEvents, 0, 'no copy reached the workflow');
      assert.equal(h.receiver.forOrder(orderId).length, 1, 'one service update despite duplicates');

      // A copy that another intake replica (its own memory) hands over reaches the workflow, which drops it.
      const orders = new OrdersClient(client, { taskQueue: h.config.TEMPORAL_TASK_QUEUE, autoCapture: true, timing: orderTiming(h.config) });
      const [approval] = await h.simulator.control.events({ orderId, eventType: 'CHECKOUT.ORDER.APPROVED' });
      assert.ok(approval);
      await orders.deliverEvent(orderId, { eventId: approval.id, eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: orderId });
      await waitFor('the workflow to drop the copy', async () => ((await h.status(orderId))?.duplicateEvents === 1 ? true : undefined));
      assert.equal((await h.status(orderId))?.state, 'fulfilled');
      assert.equal(h.receiver.forOrder(orderId).length, 1, 'still one service update');
    } finally {
      await connection.close();
    }
  });

  test('out of order: capture completed arrives before order approved', async () => {
    // The APPROVED webhook is lost for now; the merchant's own checkout captures right after approval.
    await h.simulator.control.setFaults({ webhooks: { eventTypes: ['CHECKOUT.ORDER.APPROVED'], dropNext: 1 } });
    try {
      const { orderId } = await h.simulator.control.checkout({ amount: USD('7.50') });
      const approved = await h.simulator.control.waitForEvent({ orderId, eventType: 'CHECKOUT.ORDER.APPROVED' });
      const merchant = new PayPalClient({ baseUrl: h.simulator.url, clientId: h.simulator.clientId, clientSecret: h.simulator.clientSecret });
      await merchant.captureOrder(orderId, `merchant-checkout-${orderId}`);
      await h.waitForState(orderId, 'fulfilled');
      assert.equal((await h.status(orderId))?.eventsSeen, 1, 'fulfilled on the capture event alone');
      // Now the stale APPROVED arrives late.
      await h.simulator.control.clearFaults();
      await h.simulator.control.redeliver(approved.id);
      await waitFor('late approval to be seen', async () => ((await h.status(orderId))?.eventsSeen ?? 0) >= 2);
      const status = await h.status(orderId);
      assert.equal(status?.state, 'fulfilled', 'a late approval does not move a fulfilled order');
      assert.equal(h.receiver.forOrder(orderId).length, 1);
    } finally {
      await h.simulator.control.clearFaults();
    }
  });

  test('a follow-up webhook reaches its open order by a plain signal; one ahead of any run starts it by signal-with-start', async () => {
    const calls: string[] = [];
    const counting: WorkflowClientInterceptor = {
      start: (input, next) => (calls.push('start'), next(input)),
      signal: (input, next) => (calls.push('signal'), next(input)),
      signalWithStart: (input, next) => (calls.push('signalWithStart'), next(input)),
    };
    const connection = await Connection.connect({ address: h.temporalAddress });
    try {
      const client = new Client({ connection, interceptors: { workflow: [counting] } });
      const orders = new OrdersClient(client, { taskQueue: h.config.TEMPORAL_TASK_QUEUE, autoCapture: true, timing: orderTiming(h.config) });

      const open = await h.simulator.control.checkout({ amount: USD('11.00') });
      const before = await h.waitForState(open.orderId, 'fulfilled');
      await orders.deliverEvent(open.orderId, { eventId: `WH-FOLLOW-UP-${open.orderId}`, eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: before.truth?.capture?.id });
      assert.deepEqual(calls, ['signal'], 'one plain signal to the open run');
      await waitFor('the follow-up event to be seen', async () => ((await h.status(open.orderId))?.eventsSeen ?? 0) > before.eventsSeen);

      calls.length = 0;
      const early = await h.simulator.control.checkout({ amount: USD('12.00'), approve: false });
      assert.equal(await h.status(early.orderId), undefined, 'no run yet');
      await orders.deliverEvent(early.orderId, { eventId: `WH-EARLY-${early.orderId}`, eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAPTURE-NOT-YET' });
      assert.deepEqual(calls, ['signal', 'signalWithStart'], 'the signal found no run, so the event started one');
      assert.equal((await h.status(early.orderId))?.eventsSeen, 1, 'the started run holds the event');
    } finally {
      await connection.close();
    }
  });

  test('service update failing twice then succeeding: retried with the same idempotency key', async () => {
    h.receiver.answers = [500, 503];
    const { orderId } = await h.simulator.control.checkout({ amount: USD('12.00') });
    await h.waitForState(orderId, 'fulfilled');
    const updates = h.receiver.forOrder(orderId);
    assert.deepEqual(updates.map((u) => u.answered), [500, 503, 200]);
    assert.equal(new Set(updates.map((u) => u.idempotencyKey)).size, 1, 'every attempt carries the same key');
    assert.deepEqual(h.receiver.successfulKeys(orderId), [`order.paid:${orderId}`]);
    // The first failure made the order visible as `fulfilling` (ops search for orders waiting on the merchant).
    const states = (await h.history(orderId)).flatMap((e) => {
      const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.OrderState?.data;
      return field ? [JSON.parse(Buffer.from(field).toString('utf8')) as string] : [];
    });
    assert.deepEqual(states, ['fulfilling', 'fulfilled']);
  });

  test('a 4xx from the service is permanent: no retries, straight to review', async () => {
    h.receiver.answers = [422];
    const { orderId } = await h.simulator.control.checkout({ amount: USD('3.00') });
    const status = await h.waitForState(orderId, 'needs_review');
    assert.equal(h.receiver.forOrder(orderId).length, 1, 'a 422 is not retried');
    assert.equal(status.review?.code, 'service_update_failed');
  });

  test('service update exhausted → pending service update, then recovered by a timed re-attempt', async () => {
    h.receiver.defaultStatus = 503;
    try {
      const { orderId } = await h.simulator.control.checkout({ amount: USD('49.00') });
      await h.waitForState(orderId, 'pending_service_update');
      // The retry policy ran out before the state changed (a timed re-attempt may already have followed).
      assert.ok(h.receiver.forOrder(orderId).length >= Number(h.config.FULFILLMENT_MAX_ATTEMPTS), 'the retry policy ran out first');
      h.receiver.defaultStatus = 200;
      await h.waitForState(orderId, 'fulfilled');
      assert.deepEqual(h.receiver.successfulKeys(orderId), [`order.paid:${orderId}`]);
    } finally {
      h.receiver.defaultStatus = 200;
    }
  });

  test('a service update that never succeeds reaches needs review, visible to ops', async () => {
    h.receiver.defaultStatus = 500;
    try {
      const { orderId } = await h.simulator.control.checkout({ amount: USD('99.99') });
      const status = await h.waitForState(orderId, 'needs_review');
      assert.ok(h.receiver.forOrder(orderId).length > Number(h.config.FULFILLMENT_MAX_ATTEMPTS), 'timed re-attempts ran before giving up');
      assert.equal(status.review?.code, 'service_update_failed');
      assert.match(status.review?.message ?? '', /500/);
      assert.deepEqual(h.receiver.successfulKeys(orderId), []);
      // Ops find it in Temporal visibility by search attribute, and the merchant's team by its review reason.
      type Listed = { orders: { orderId: string; reviewReason?: string }[] };
      const listed = await waitFor('order in visibility as needs_review', async () => {
        const res = await h.admin('/orders?state=needs_review&reason=service_update_failed');
        return (res.body as unknown as Listed).orders.find((o) => o.orderId === orderId);
      });
      assert.equal(listed.reviewReason, 'service_update_failed');
      const otherQueue = (await h.admin('/orders?reason=amount_mismatch')).body as unknown as Listed;
      assert.ok(!otherQueue.orders.some((o) => o.orderId === orderId), 'not in another reason\'s queue');
    } finally {
      h.receiver.defaultStatus = 200;
    }
  });

  test('support approves an order in review: the service update runs again and the decision is recorded', async () => {
    h.receiver.answers = [400];
    const { orderId } = await h.simulator.control.checkout({ amount: USD('5.00') });
    await h.waitForState(orderId, 'needs_review');
    const early = await h.admin(`/orders/${orderId}/reject`, { method: 'POST', body: {} });
    assert.equal(early.status, 400, 'a decision without a reason is refused');
    const res = await h.admin(`/orders/${orderId}/approve`, { method: 'POST', body: { reason: 'merchant confirmed by phone', actor: 'ana@support' } });
    assert.equal(res.status, 200);
    const status = await h.waitForState(orderId, 'fulfilled');
    assert.deepEqual(
      status.decisions.map((d) => [d.decision, d.actor, d.reason]),
      [['approve', 'ana@support', 'merchant confirmed by phone']],
    );
    const again = await h.admin(`/orders/${orderId}/approve`, { method: 'POST', body: { reason: 'twice' } });
    assert.equal(again.status, 409, 'approve is not allowed once fulfilled');
    assert.match(again.body.message ?? '', /not allowed in state fulfilled/);
    // Refused from the order's state at once, as an Update's validator did: nothing written to its history.
    const decisions = (await h.history(orderId)).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'approve');
    assert.equal(decisions.length, 1, 'only the approve that was taken is in history');
  });

  test('a decision sent again with the same Idempotency-Key answers the first outcome and is recorded once', async () => {
    h.receiver.answers = [400];
    const { orderId } = await h.simulator.control.checkout({ amount: USD('5.50') });
    await h.waitForState(orderId, 'needs_review');
    const decide = (reason: string, headers?: Record<string, string>) => h.admin(`/orders/${orderId}/reject`, { method: 'POST', body: { reason, actor: 'ana@support' }, headers });
    const first = await decide('customer cancelled', { 'Idempotency-Key': 'ticket-4711' });
    assert.equal(first.status, 200);
    assert.equal(first.body.state, 'cancelled');
    // The caller lost that answer and sends the same request again.
    const repeat = await decide('customer cancelled', { 'Idempotency-Key': 'ticket-4711' });
    assert.equal(repeat.status, 200, JSON.stringify(repeat.body));
    assert.equal(repeat.body.state, 'cancelled');
    const withoutKey = await decide('customer cancelled');
    assert.equal(withoutKey.status, 409, 'without the key it is a new decision, refused in state cancelled');
    assert.equal((await decide('x', { 'Idempotency-Key': 'no spaces allowed' })).status, 400);
    assert.deepEqual(
      (await h.status(orderId))?.decisions.map((d) => [d.decision, d.reason]),
      [['reject', 'customer cancelled']],
    );
  });

  test('an order of two purchase units (a multi-seller payment) is captured, then waits for support instead of being fulfilled on its first unit', async () => {
    const created = await api(h.simulator, await getToken(h.simulator), 'POST', '/v2/checkout/orders', {
      body: { intent: 'CAPTURE', purchase_units: [{ reference_id: 'seller-a', amount: USD('30.00') }, { reference_id: 'seller-b', amount: USD('20.00') }] },
    });
    assert.equal(created.status, 201, created.text);
    const orderId = (JSON.parse(created.text) as { id: string }).id;
    await h.simulator.control.approveOrder(orderId);
    const status = await h.waitForState(orderId, 'needs_review');
    assert.equal(status.review?.code, 'multiple_purchase_units');
    assert.match(status.review?.message ?? '', /^PayPal's order has 2 purchase units \(a multi-seller payment\), captured at PayPal \(50\.00 USD in all, payment COMPLETED, first capture \S+\)\./);
    const captures = (await h.simulator.control.events({ orderId })).filter((e) => e.event.event_type === 'PAYMENT.CAPTURE.COMPLETED');
    assert.equal(captures.length, 2, 'both units captured at PayPal');
    assert.equal(h.receiver.forOrder(orderId).length, 0, 'nothing delivered');

    const approved = await h.admin(`/orders/${orderId}/approve`, { method: 'POST', body: { reason: 'both sellers confirmed', actor: 'ana@support' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await h.waitForState(orderId, 'fulfilled');
    const paid = h.receiver.forOrder(orderId);
    assert.equal(paid.length, 1);
    assert.equal(paid[0]?.payload.override, true, 'delivered as support\'s override');
    assert.deepEqual(paid[0]?.payload.amount, USD('50.00'), 'what the buyer paid both sellers');

    // The refund watch covers every seller: the second seller's refund is reported and leaves the order fulfilled
    // (the first seller's part is still paid); the first seller's refund then revokes it.
    const [first, second] = captures.map((e) => e.event.resource.id as string);
    const secondRefund = await h.simulator.control.reverseCapture(second!);
    await waitFor('the second seller\'s reversal reported', () => h.receiver.forOrder(orderId).find((u) => u.payload.refundId === secondRefund.id));
    assert.equal((await waitFor('reversal recorded', async () => {
      const s = await h.status(orderId);
      return s?.refundsNotified.includes(secondRefund.id) ? s : undefined;
    })).state, 'fulfilled');
    await h.simulator.control.reverseCapture(first!);
    await h.waitForState(orderId, 'revoked');
  });

  test('ops endpoints: ready, and webhook / service update metrics counted', async () => {
    const ready = await h.admin('/readyz', { token: null });
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    const res = await fetch(`${h.product.adminUrl}/metrics`);
    const text = await res.text();
    assert.match(text, /paypal_webhooks_total\{event_type="CHECKOUT\.ORDER\.APPROVED",outcome="accepted"\} [1-9]/);
    assert.match(text, /service_update_attempts_total\{type="order\.paid",outcome="success"\} [1-9]/);
    assert.match(text, /orders_entering_review_total\{reason="service_update_failed"\} [1-9]/);
    assert.match(text, /paypal_webhook_intake_seconds_bucket/);
  });

  test('admin API: 401 without the token, 404 for an unknown order', async () => {
    assert.equal((await h.admin('/orders/UNKNOWN123', { token: null })).status, 401);
    assert.equal((await h.admin('/orders/UNKNOWN123', { token: 'wrong' })).status, 401);
    const res = await h.admin('/orders/UNKNOWN123');
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'not_found');
  });
});
