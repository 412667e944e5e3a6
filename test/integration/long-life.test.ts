// Paths that need their own setup: review alerts to ALERT_WEBHOOK_URL, the authorize intent, and continue-as-new
// (a dev server that suggests it after a few dozen history events, so a long-lived order rolls over in seconds).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer, type RunningDevServer } from '../../src/temporal/dev-server';
import { orderWorkflowId, paypalEventSignal } from '../../src/workflows/messages';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

describe('alerts, authorize intent, continue-as-new', () => {
  let server: RunningDevServer;
  let h: Harness;
  let alertServer: Server;
  const alerts: Record<string, unknown>[] = [];
  /** Orders whose alerts the chat webhook refuses (503), as when it is down. */
  const alertsFailFor = new Set<string>();

  before(async () => {
    alertServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const alert = JSON.parse(body) as Record<string, unknown>;
        alerts.push(alert);
        if (alertsFailFor.has(String(alert.orderId))) res.writeHead(503).end('down');
        else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => alertServer.listen(0, '127.0.0.1', r));
    server = await startDevServer({
      port: await freePort(),
      namespace: 'default',
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
    });
    h = await startHarness(
      {
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${(alertServer.address() as AddressInfo).port}/slack`,
        RECONCILE_POLL_SCHEDULE: '200ms',
        AWAITING_PAYMENT_DEADLINE: '1h',
        // Room for a refund to wait for its webhook while the service update is re-attempted (polls stay at 1 s).
        PENDING_SERVICE_UPDATE_DEADLINE: '1m',
        REFUND_ANNOUNCEMENT_GRACE: '1m',
      },
      { temporalAddress: server.address },
    );
  });
  after(async () => {
    await h?.stop();
    await server?.stop();
    await new Promise((r) => alertServer?.close(r));
  });

  test('entering review POSTs a Slack-compatible alert with the reason', async () => {
    h.receiver.answers = [422];
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '14.00' } });
    await h.waitForState(orderId, 'needs_review');
    const alert = await waitFor('alert', () => alerts.find((a) => a.orderId === orderId));
    assert.equal(alert.code, 'service_update_failed');
    assert.match(String(alert.text), new RegExp(`PayPal order ${orderId} needs review \\(service_update_failed\\)`));
  });

  test('an alert that cannot be sent never fails the order: it stays in review and support can still act', async () => {
    h.receiver.answers = [422];
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '17.00' } });
    alertsFailFor.add(orderId);
    await h.waitForState(orderId, 'needs_review');
    // The alert's retry policy gives up after five attempts (~15 s of backoff); the order must outlive that.
    const connection = await Connection.connect({ address: h.temporalAddress });
    try {
      const handle = new Client({ connection }).workflow.getHandle(orderWorkflowId(orderId));
      const alertGaveUp = async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'raiseReviewAlert');
        const failedAt = events.findIndex((e) => scheduled && String(e.activityTaskFailedEventAttributes?.scheduledEventId) === String(scheduled.eventId));
        // The failure has been handled once a workflow task completed after it.
        return failedAt >= 0 && events.slice(failedAt).some((e) => e.workflowTaskCompletedEventAttributes) ? true : undefined;
      };
      await waitFor('the alert activity to fail for good, and the run to handle it', alertGaveUp, 60_000);
      assert.equal(alerts.filter((a) => a.orderId === orderId).length, 5, 'five alert attempts, then dropped');
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      assert.equal((await h.status(orderId))?.state, 'needs_review');
    } finally {
      await connection.close();
    }
    const res = await h.admin(`/orders/${orderId}/reject`, { method: 'POST', body: { reason: 'customer cancelled', actor: 'sam' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.state, 'cancelled');
  });

  /** A captured order whose service update is being re-attempted (the caller has the merchant answer 503). */
  const paidOrderAwaitingUpdate = async (value: string) => {
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value } });
    await h.waitForState(orderId, 'pending_service_update');
    return { orderId, captureId: await waitFor('capture', async () => (await h.status(orderId))?.truth?.capture?.id) };
  };

  test('a chargeback read from PayPal while the service update is re-attempted waits for its webhook: order.reversed', async () => {
    h.receiver.defaultStatus = 503;
    try {
      const { orderId, captureId } = await paidOrderAwaitingUpdate('18.00');
      // The chargeback's webhook is lost for now, so the next reconciliation poll reads it from PayPal first, where
      // a reversal looks like any refund.
      await h.simulator.control.setFaults({ webhooks: { dropNext: 1, eventTypes: ['PAYMENT.CAPTURE.REVERSED'] } });
      const reversal = await h.simulator.control.reverseCapture(captureId);
      const waiting = await waitFor('the refund waiting for its webhook', async () => {
        const s = await h.status(orderId);
        return s?.refundsAwaitingAnnouncement?.[String(reversal.id)] ? s : undefined;
      });
      assert.equal(waiting.state, 'pending_service_update');
      assert.deepEqual(h.receiver.forOrder(orderId).filter((u) => u.payload.type !== 'order.paid'), [], 'nothing reported yet');
      h.receiver.defaultStatus = 200;
      const [event] = await h.simulator.control.events({ orderId, eventType: 'PAYMENT.CAPTURE.REVERSED' });
      await h.simulator.control.redeliver(event!.id);
      await h.waitForState(orderId, 'refunded');
      assert.deepEqual(h.receiver.successfulKeys(orderId), [`order.reversed:${orderId}:${String(reversal.id)}`], 'told about the reversal as a reversal');
    } finally {
      h.receiver.defaultStatus = 200;
      await h.simulator.control.clearFaults();
    }
  });

  test('a reversal notice failing while the service update is re-attempted is sent again by the next poll, not reviewed', async () => {
    h.receiver.defaultStatus = 503;
    try {
      const { orderId, captureId } = await paidOrderAwaitingUpdate('19.00');
      const reversal = await h.simulator.control.reverseCapture(captureId);
      const failing = await waitFor('the reversal notice failing', async () => {
        const s = await h.status(orderId);
        return s?.refundNoticesFailing?.[String(reversal.id)] ? s : undefined;
      });
      assert.equal(failing.state, 'pending_service_update', 'not in review: the merchant may just be down');
      h.receiver.defaultStatus = 200;
      const status = await h.waitForState(orderId, 'refunded');
      assert.ok(!status.timeline.some((t) => t.state === 'needs_review'), 'never in review');
      assert.deepEqual(h.receiver.successfulKeys(orderId), [`order.reversed:${orderId}:${String(reversal.id)}`]);
    } finally {
      h.receiver.defaultStatus = 200;
    }
  });

  test('authorize intent: the workflow authorizes, captures the authorization and fulfils once', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '15.00' }, intent: 'AUTHORIZE' });
    const status = await h.waitForState(orderId, 'fulfilled');
    assert.equal(status.truth?.capture?.status, 'COMPLETED');
    assert.ok(status.truth?.authorization?.id, 'the authorization is known');
    assert.equal(h.receiver.forOrder(orderId).length, 1);
  });

  test('a long-lived order continues as new and keeps its state, dedupe memory and behaviour', async () => {
    // Unpaid, and every webhook (a new CHECKOUT.ORDER.SAVED event each time) wakes the run and reads PayPal, so
    // history grows until the server suggests continue-as-new. Its polls would not: they are the retries of one
    // activity (pollAwaitingPaymentByRetries), which write no history event.
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '16.00' }, approve: false });
    assert.equal((await h.admin('/orders', { method: 'POST', body: { orderId, merchantReference: 'long-1' } })).status, 201);
    const connection = await Connection.connect({ address: h.temporalAddress });
    try {
      const client = new Client({ connection });
      const handle = client.workflow.getHandle(orderWorkflowId(orderId));
      const firstRun = (await handle.describe()).runId;
      await handle.signal(paypalEventSignal, { eventId: 'WH-BEFORE-ROLLOVER', eventType: 'CHECKOUT.ORDER.SAVED' });
      let filler = 0;
      await waitFor('a new run', async () => {
        if ((await handle.describe()).runId !== firstRun) return true;
        await handle.signal(paypalEventSignal, { eventId: `WH-FILLER-${++filler}`, eventType: 'CHECKOUT.ORDER.SAVED' });
        return undefined;
      }, 60_000, 300);
      const before = await h.status(orderId);
      assert.equal(before?.state, 'awaiting_payment');
      assert.equal(before?.timeline[0]?.note, 'order workflow started', 'the timeline survived the new run');
      // The same event redelivered after the rollover is still recognised as a duplicate.
      await client.workflow.getHandle(orderWorkflowId(orderId)).signal(paypalEventSignal, { eventId: 'WH-BEFORE-ROLLOVER', eventType: 'CHECKOUT.ORDER.SAVED' });
      await waitFor('duplicate recognised', async () => ((await h.status(orderId))?.duplicateEvents === 1 ? true : undefined));
      // The new run still does its job: the buyer pays, the order is fulfilled exactly once.
      await h.simulator.control.approveOrder(orderId);
      await h.waitForState(orderId, 'fulfilled');
      assert.equal(h.receiver.forOrder(orderId).length, 1);
    } finally {
      await connection.close();
    }
  });
});
