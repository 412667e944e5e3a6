// A worker that dies mid-activity (SIGKILL: no drain, no failure reported) must not hold an order until the
// activity's start-to-close timeout (1 minute for PayPal calls): its attempt stops heartbeating, and Temporal retries
// it once ACTIVITY_HEARTBEAT_TIMEOUT passes. And a live attempt slower than that timeout is not cut short: it
// heartbeats. Support decisions sent while the worker is dead are applied once it is back, exactly once, in a history
// that replays. The worker here is a child process (the docker-compose worker command), so it can really be killed.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { simulatorWorkerEnv, WorkerProcess } from '../../chaos/processes';
import { orderTiming } from '../../src/config';
import { DecisionOutcomeUnknownError, OrdersClient } from '../../src/temporal/orders-client';
import { DISCARD_WORKFLOW_SPANS } from '../../src/temporal/worker';
import { decisionSignals, orderWorkflowId, paypalEventSignal } from '../../src/workflows/messages';
import { startHarness, TEST_ADMIN_TOKEN, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

const USD = (value: string) => ({ currency_code: 'USD', value });
const { TimeoutType, PendingActivityState } = temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

describe('a worker killed mid-activity', () => {
  let h: Harness;
  let worker: WorkerProcess;
  let connection: Connection;
  let client: Client;

  before(async () => {
    h = await startHarness({ ACTIVITY_HEARTBEAT_TIMEOUT: '4s' }, { role: 'api' });
    connection = await Connection.connect({ address: h.temporalAddress });
    client = new Client({ connection });
    const logDir = mkdtempSync(join(tmpdir(), 'worker-crash-'));
    const shared = {
      TEMPORAL_TASK_QUEUE: h.config.TEMPORAL_TASK_QUEUE,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      FULFILLMENT_URL: h.receiver.url,
      FULFILLMENT_SECRET: h.receiver.secret,
      TEMPORAL_SDK_METRICS_PORT: '0',
      WEBHOOK_SWEEP_INTERVAL: 'off',
    };
    const env = simulatorWorkerEnv(h.simulator, { temporalAddress: h.temporalAddress, bundlePath: process.env.WORKFLOW_BUNDLE_PATH, shared });
    worker = new WorkerProcess(env, join(logDir, 'worker.log'));
    await worker.start();
  });
  after(async () => {
    await worker?.stop();
    await connection?.close();
    await h?.stop();
  });

  /**
   * An approved order whose capture activity's first PayPal call PayPal (the simulator) answers only after
   * `latencyMs` (none: at once): the capture, or for a registered order the read before it. With
   * `registeredAmount`, the merchant registered it first for that amount: a different one puts it in review.
   */
  const approvedOrder = async (amount: string, opts: { latencyMs?: number; registeredAmount?: string } = {}): Promise<string> => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD(amount), approve: false });
    if (opts.registeredAmount) {
      assert.equal((await h.admin('/orders', { method: 'POST', body: { orderId, amount: USD(opts.registeredAmount) } })).status, 201);
      await waitFor('the registration\'s read of PayPal', async () => (await h.status(orderId))?.truth);
    }
    const firstCall = opts.registeredAmount ? { pathPrefix: `/v2/checkout/orders/${orderId}`, method: 'GET' } : { pathPrefix: `/v2/checkout/orders/${orderId}/capture`, method: 'POST' };
    if (opts.latencyMs) await h.simulator.control.setFaults({ api: { ...firstCall, latencyMs: opts.latencyMs } });
    await h.simulator.control.approveOrder(orderId);
    return orderId;
  };
  /** An order in review: approved for 2.00 more than the merchant registered (left uncaptured). */
  const orderInReview = async (amount: string) => {
    const orderId = await approvedOrder(amount, { registeredAmount: (Number(amount) - 2).toFixed(2) });
    return { orderId, status: await h.waitForState(orderId, 'needs_review', 60_000) };
  };
  const captureOrderActivity = async (orderId: string) => {
    const { raw } = await client.workflow.getHandle(orderWorkflowId(orderId)).describe();
    return raw.pendingActivities?.find((a) => a.activityType?.name === 'captureOrder');
  };
  const captureInFlight = (orderId: string) =>
    waitFor('the capture in flight on the worker', async () => {
      const capture = await captureOrderActivity(orderId);
      return capture?.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED ? capture : undefined;
    });
  /** Replays a history with the bundle the worker runs; rejects on nondeterminism. */
  const replay = (history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>) =>
    Worker.runReplayHistory({ workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! }, sinks: DISCARD_WORKFLOW_SPANS }, history);
  /** The captureOrder attempt that completed, from the order's history. */
  const completedCapture = async (orderId: string) => {
    const events: HistoryEvent[] = (await client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory()).events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'captureOrder');
    assert.ok(scheduled, 'captureOrder was scheduled');
    const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId));
    const completed = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled.eventId));
    assert.ok(started && completed, 'captureOrder completed');
    return { scheduled: scheduled.activityTaskScheduledEventAttributes!, started: started.activityTaskStartedEventAttributes! };
  };

  test('a live attempt slower than the heartbeat timeout completes in its first attempt: it heartbeats', async () => {
    const orderId = await approvedOrder('40.00', { latencyMs: 10_000 });
    try {
      await h.waitForState(orderId, 'fulfilled', 60_000);
    } finally {
      await h.simulator.control.clearFaults();
    }
    const { scheduled, started } = await completedCapture(orderId);
    assert.equal(Number(scheduled.heartbeatTimeout?.seconds), 4, 'the capture runs with ACTIVITY_HEARTBEAT_TIMEOUT');
    assert.equal(started.attempt, 1, 'ten seconds of PayPal latency did not time out a 4 s heartbeat timeout');
    assert.equal(h.receiver.successfulKeys(orderId).length, 1);
  });

  test('SIGKILL mid-capture: the attempt is retried once its heartbeat timeout passes, long before its 1-minute start-to-close', async () => {
    const orderId = await approvedOrder('41.00', { latencyMs: 15_000 });
    await captureInFlight(orderId);
    await worker.kill();
    await h.simulator.control.clearFaults();
    // No worker runs now: only the heartbeat timeout can end the attempt. 20 s is a third of the start-to-close.
    const timedOut = await waitFor('the killed attempt to time out on its heartbeat', async () => {
      const capture = await captureOrderActivity(orderId);
      return capture?.lastFailure?.timeoutFailureInfo?.timeoutType === TimeoutType.TIMEOUT_TYPE_HEARTBEAT ? capture : undefined;
    }, 20_000);
    assert.equal(timedOut.attempt, 2, 'the next attempt is scheduled');

    await worker.start();
    await h.waitForState(orderId, 'fulfilled', 60_000);
    const { started } = await completedCapture(orderId);
    assert.equal(started.attempt, 2);
    assert.equal(started.lastFailure?.timeoutFailureInfo?.timeoutType, TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    assert.deepEqual(h.receiver.successfulKeys(orderId), [`order.paid:${orderId}`], 'one service update');
    const captures = (await h.simulator.control.events({ orderId, eventType: 'PAYMENT.CAPTURE.COMPLETED' })).length;
    assert.equal(captures, 1, 'the retried capture replayed the first (same PayPal-Request-Id): one capture at PayPal');
  });

  test('a support decision and a webhook that reach an order while its worker is dead leave a history that replays', async () => {
    // What a 3000-order chaos run hit when decisions were Updates: a worker SIGKILLed, then a webhook and support's
    // reject for the same order in review before a new worker took over (the dead worker's sticky task timing out
    // in between). The new worker wrote the webhook's activity before the Update's acceptance, and every later
    // replay put the acceptance first (TMPRL1100): the order was stuck from its next event on. A decision is now a
    // signal, ordered in history like the webhook's.
    const { orderId, status: inReview } = await orderInReview('42.00');
    assert.equal(inReview.review?.code, 'amount_mismatch');
    const handle = client.workflow.getHandle(orderWorkflowId(orderId));

    await worker.kill();
    await handle.signal(paypalEventSignal, { eventId: `WH-CRASH-${orderId}`, eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: orderId });
    const rejected = h.admin(`/orders/${orderId}/reject`, { method: 'POST', body: { reason: 'amount mismatch', actor: 'test' }, headers: { 'idempotency-key': `crash-${orderId}` } });
    await worker.start();
    const answer = await rejected;
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.state, 'cancelled');

    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    assert.ok(events.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'reject'), 'the decision is a signal in history');
    assert.ok(!events.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes), 'no Update in history');
    await assert.doesNotReject(replay(history));
  });

  test('a decision no worker answers: its outcome is unknown, and the same key once a worker is back answers it, applied once', async () => {
    const { orderId } = await orderInReview('43.00');
    const orders = new OrdersClient(client, { taskQueue: h.config.TEMPORAL_TASK_QUEUE, autoCapture: true, timing: orderTiming(h.config), decisionWaitMs: 2_000 });

    await worker.kill();
    const input = { actor: 'ana@support', reason: 'amount mismatch confirmed' };
    await assert.rejects(orders.decide(orderId, 'reject', input, 'ticket-77'), DecisionOutcomeUnknownError);
    await worker.start();
    // The dead worker's sticky task times out first (10 s): well within the admin API's 30 s wait.
    const again = await h.admin(`/orders/${orderId}/reject`, { method: 'POST', body: input, headers: { 'idempotency-key': 'ticket-77' } });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.state, 'cancelled');
    const status = await h.status(orderId);
    assert.deepEqual(status?.decisions.map((d) => [d.decision, d.requestId]), [['reject', 'reject:ticket-77']], 'applied once');
    assert.deepEqual(status?.decisionRequests?.['reject:ticket-77'], { status: 'applied', state: 'cancelled' });
  });

  /**
   * What a chaos run (2000 orders, 16 worker kills) hit: the capture retried on a new worker completed while the
   * workflow task it woke waited on the dead worker's sticky queue; the new worker answered a status query by
   * applying that completion (needs_review), and support's decision arrived next. The worker then took the decision
   * in that later state, while a replay meets the decision and the completion in one task, the decision first.
   * Returns the order, reviewed by a query that the new worker answered with the task still waiting.
   */
  const reviewSeenWhileTaskWaits = async (amount: string) => {
    const orderId = await approvedOrder(amount, { latencyMs: 6_000, registeredAmount: '40.00' });
    await captureInFlight(orderId);
    await worker.kill();
    await h.simulator.control.clearFaults();
    await worker.start(); // retries the capture once its heartbeat timeout passes
    const handle = client.workflow.getHandle(orderWorkflowId(orderId));
    await waitFor('the retried capture completed', async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const capture = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'captureOrder');
      return events.some((e) => capture && String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(capture.eventId)) || undefined;
    }, 30_000);
    // The task the completion woke still waits on the dead worker's sticky queue (10 s), yet the query answers with
    // the completion applied: the new worker applied it to answer.
    const looked = await h.admin(`/orders/${orderId}`);
    assert.equal(looked.body.state, 'needs_review');
    return { orderId, handle };
  };

  test('a status query answered while the order\'s task waited for a dead worker, then a decision: the history replays', async () => {
    const { orderId, handle } = await reviewSeenWhileTaskWaits('44.00');
    const rejected = await h.admin(`/orders/${orderId}/reject`, { method: 'POST', body: { reason: 'amount mismatch', actor: 'test' }, headers: { 'idempotency-key': `query-${orderId}` } });
    assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    assert.equal(rejected.body.state, 'cancelled');
    await assert.doesNotReject(replay(await handle.fetchHistory()));
  });

  test('the same with the decision signalled from the Temporal UI (no request ID): taken in review, and the history replays', async () => {
    // Until decisions without a request ID were judged when taken (the decisions-judged-when-taken patch), the
    // handler took this reject live (needs_review) and refused it in every replay (capturing): TMPRL1100.
    const { orderId, handle } = await reviewSeenWhileTaskWaits('45.00');
    await handle.signal(decisionSignals.reject, { actor: 'ops@temporal-ui', reason: 'amount mismatch' });
    const status = await h.waitForState(orderId, 'cancelled', 30_000);
    assert.deepEqual(status.decisions.map((d) => [d.decision, d.actor, d.requestId]), [['reject', 'ops@temporal-ui', undefined]]);
    await assert.doesNotReject(replay(await handle.fetchHistory()));
  });
});
