// The webhook sweep against a real Temporal dev server: orders whose webhooks PayPal never delivered (and that
// nobody registered) are found through PayPal's webhooks-events listing, exactly once; plus the schedule and
// `ppf setup` on an existing cluster.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { orderWorkflowId } from '../../src/workflows/messages';
import { ensureSweepSchedule, pauseSweepSchedule, SWEEP_DISABLED_NOTE, sweepScheduleId } from '../../src/temporal/schedules';
import type { webhookSweepWorkflow, WebhookSweepResult } from '../../src/workflows/sweep';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startProduct, type RunningProduct } from '../../src/runtime';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

const USD = (value: string) => ({ currency_code: 'USD', value });
const HOUR = 60 * 60 * 1000;

describe('webhook sweep on a real Temporal server', () => {
  let h: Harness;
  let connection: Connection;
  let client: Client;
  const schedules: string[] = [];

  before(async () => {
    h = await startHarness();
    connection = await Connection.connect({ address: h.temporalAddress });
    client = new Client({ connection, namespace: h.config.TEMPORAL_NAMESPACE });
    // PayPal generates every event but delivers none of them: only the sweep can find these orders.
    await h.simulator.control.setFaults({ webhooks: { dropNext: 1000 } });
  });
  after(async () => {
    for (const id of schedules) await client.schedule.getHandle(id).delete().catch(() => undefined);
    await connection?.close();
    await h?.stop();
  });

  const sweep = (): Promise<WebhookSweepResult> =>
    client.workflow.execute<typeof webhookSweepWorkflow>('webhookSweepWorkflow', {
      taskQueue: h.config.TEMPORAL_TASK_QUEUE,
      workflowId: `sweep-test-${randomUUID()}`,
      args: [{ lookbackMs: HOUR }],
    });
  const paidUpdates = (orderId: string) => h.receiver.forOrder(orderId).filter((u) => u.payload.type === 'order.paid');
  const signals = (orderId: string) => signalCount(client, orderId);

  test('a paid order whose webhooks were all lost is fulfilled by the sweep, once; re-sweeping signals nothing already recorded or reflected', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('19.99') });
    await h.simulator.control.waitForEvent({ orderId, eventType: 'CHECKOUT.ORDER.APPROVED' });
    assert.equal((await h.simulator.control.events({ orderId }))[0]?.status, 'DROPPED');
    assert.equal(await h.status(orderId), undefined, 'no webhook arrived, so no workflow exists yet');

    const first = await sweep();
    assert.ok(first.listed >= 1 && first.delivered >= 1, JSON.stringify(first));
    assert.equal(first.failed, 0);
    const span = Date.parse(first.endTime) - Date.parse(first.startTime);
    assert.ok(span >= HOUR && span < HOUR + 60_000, `the window runs from lookback before the run began to when it listed (${span} ms)`);
    const fulfilled = await h.waitForState(orderId, 'fulfilled');
    assert.ok(fulfilled.eventsSeen >= 1);
    assert.equal(paidUpdates(orderId).length, 1, 'exactly one service update');

    // Sweeping again hands over nothing: the APPROVED event this process recorded is remembered, and the capture's
    // event (also never delivered) tells the fulfilled order holding that capture nothing new. A third sweep finds
    // both in the router's memory (of recorded events, and of events found reflected).
    const signalsBefore = await signals(orderId);
    const second = await sweep();
    assert.equal(second.delivered, 0, JSON.stringify(second));
    assert.ok(second.alreadyRecorded >= 1 && second.alreadyReflected >= 1, JSON.stringify(second));
    const third = await sweep();
    assert.equal(third.delivered, 0, JSON.stringify(third));
    assert.ok(third.alreadyRecorded >= 1 && third.alreadyReflected >= 1, JSON.stringify(third));
    assert.equal(await signals(orderId), signalsBefore, 'no signal for events already recorded or reflected');
    const after = await h.status(orderId);
    assert.equal(after?.state, 'fulfilled');
    assert.equal(after?.eventsSeen, 1, 'only the approval, which the first sweep delivered');
    assert.equal(after?.duplicateEvents, 0, 'no duplicate reached the workflow');
    assert.equal(paidUpdates(orderId).length, 1, 'still exactly one service update');

    // PayPal delivering that capture event at last, to this same process: found reflected is not recorded, so the
    // intake records it before its 2xx (a signal), rather than answering from the sweep's memory.
    const capture = await h.simulator.control.waitForEvent({ orderId, eventType: 'PAYMENT.CAPTURE.COMPLETED' });
    await h.simulator.control.clearFaults();
    try {
      await h.simulator.control.redeliver(capture.id);
      await h.simulator.control.waitForEvent({ orderId, eventType: 'PAYMENT.CAPTURE.COMPLETED', status: 'DELIVERED' });
    } finally {
      await h.simulator.control.setFaults({ webhooks: { dropNext: 1000 } });
    }
    assert.equal((await h.status(orderId))?.eventsSeen, 2, 'the delivered event is in the workflow');
    assert.equal(await signals(orderId), signalsBefore + 1);
  });

  test('a reversal whose webhook was lost is routed through its capture (the intake’s lookup) and revokes the order', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('21.00') });
    await h.simulator.control.waitForEvent({ orderId, eventType: 'CHECKOUT.ORDER.APPROVED' });
    await sweep();
    const fulfilled = await h.waitForState(orderId, 'fulfilled');
    const captureId = fulfilled.truth?.capture?.id;
    assert.ok(captureId);
    await h.simulator.control.reverseCapture(captureId);
    await h.simulator.control.waitForEvent({ orderId, eventType: 'PAYMENT.CAPTURE.REVERSED' });
    await sweep();
    await h.waitForState(orderId, 'revoked');
    assert.equal(paidUpdates(orderId).length, 1);
  });

  test('a reversal whose capture lookup failed is swept again by the same run, whose window still holds it', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('22.00') });
    await h.simulator.control.waitForEvent({ orderId, eventType: 'CHECKOUT.ORDER.APPROVED' });
    await sweep();
    const fulfilled = await h.waitForState(orderId, 'fulfilled');
    await h.simulator.control.reverseCapture(fulfilled.truth!.capture!.id);
    await h.simulator.control.waitForEvent({ orderId, eventType: 'PAYMENT.CAPTURE.REVERSED' });
    // PayPal fails the capture lookup once: the first pass counts the event failed, the run sweeps its window again.
    await h.simulator.control.setFaults({ api: { pathPrefix: '/v2/payments/captures', method: 'GET', failNext: 1, status: 500 } });
    const workflowId = `sweep-test-${randomUUID()}`;
    const result = await client.workflow.execute<typeof webhookSweepWorkflow>('webhookSweepWorkflow', {
      taskQueue: h.config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{ lookbackMs: HOUR, resweepAfterMs: 200 }],
    });
    assert.equal(result.failed, 0, JSON.stringify(result));
    const passes = ((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).length;
    assert.equal(passes, 2, 'the first pass, and one more after the failed lookup');
    await h.waitForState(orderId, 'revoked');
  });

  test('ensureSweepSchedule is idempotent, keeps an operator pause, and its action runs a sweep', async () => {
    const taskQueue = h.config.TEMPORAL_TASK_QUEUE;
    // Long intervals: the schedule must not fire by itself during the test; it is triggered by hand below.
    const first = await ensureSweepSchedule(client, { taskQueue, every: 24 * HOUR, lookbackMs: 48 * HOUR });
    schedules.push(first.scheduleId);
    assert.equal(first.created, true);
    const second = await ensureSweepSchedule(client, { taskQueue, every: 12 * HOUR, lookbackMs: 36 * HOUR });
    assert.deepEqual(second, { scheduleId: first.scheduleId, created: false });

    const handle = client.schedule.getHandle(first.scheduleId);
    const described = await handle.describe();
    assert.deepEqual(described.spec.intervals?.map((i) => i.every), [12 * HOUR], 'the second call updated the spec');
    assert.equal(described.policies.overlap, 'SKIP');
    assert.equal(described.action.workflowType, 'webhookSweepWorkflow');
    assert.equal(described.action.taskQueue, taskQueue);
    assert.deepEqual(described.action.args, [{ lookbackMs: 36 * HOUR }]);
    assert.equal(described.state.paused, false);
    const ours = await waitFor('the schedule in the listing', async () => {
      const found: string[] = [];
      for await (const s of client.schedule.list()) if (s.scheduleId === first.scheduleId) found.push(s.scheduleId);
      return found.length > 0 ? found : undefined;
    }, 15_000, 250);
    assert.equal(ours.length, 1, 'one schedule');

    // "off" pauses it with our note; turning the sweep on again resumes it.
    assert.equal(await pauseSweepSchedule(client, taskQueue), true);
    assert.equal((await handle.describe()).state.note, SWEEP_DISABLED_NOTE);
    await ensureSweepSchedule(client, { taskQueue, every: 12 * HOUR, lookbackMs: 36 * HOUR });
    assert.equal((await handle.describe()).state.paused, false);
    // An operator's pause is theirs: ensure leaves it.
    await handle.pause('maintenance');
    await ensureSweepSchedule(client, { taskQueue, every: 12 * HOUR, lookbackMs: 36 * HOUR });
    assert.equal((await handle.describe()).state.paused, true);
    await handle.unpause();

    const { orderId } = await h.simulator.control.checkout({ amount: USD('23.00') });
    await h.simulator.control.waitForEvent({ orderId, eventType: 'CHECKOUT.ORDER.APPROVED' });
    await handle.trigger();
    const run = await waitFor('the triggered sweep to start', async () => (await handle.describe()).info.recentActions[0]?.action.workflow);
    const result = await client.workflow.getHandle<typeof webhookSweepWorkflow>(run.workflowId, run.firstExecutionRunId).result();
    assert.ok(result.delivered >= 1, JSON.stringify(result));
    await h.waitForState(orderId, 'fulfilled');
    assert.equal(paidUpdates(orderId).length, 1);
  });

  test('`ppf setup` against the cluster exits 0, twice (search attributes already present, schedule up to date)', async () => {
    const taskQueue = `setup-test-${randomUUID()}`;
    schedules.push(`webhook-sweep-${taskQueue}`);
    const runSetup = () =>
      runCli(['--json', 'setup'], {
        TEMPORAL_ADDRESS: h.temporalAddress,
        TEMPORAL_NAMESPACE: h.config.TEMPORAL_NAMESPACE,
        TEMPORAL_TASK_QUEUE: taskQueue, // no worker polls it, so nothing runs even if the schedule fires
        WEBHOOK_SWEEP_INTERVAL: '24h',
        WEBHOOK_SWEEP_LOOKBACK: '48h',
      });
    const first = await runSetup();
    assert.equal(first.code, 0, first.output);
    const one = JSON.parse(first.stdout) as { searchAttributes: { added: string[]; existing: string[] }; schedule: { created: boolean; scheduleId: string } };
    assert.equal(one.searchAttributes.added.length + one.searchAttributes.existing.length, ALL_SEARCH_ATTRIBUTES.length);
    assert.equal(one.schedule.created, true);
    const second = await runSetup();
    assert.equal(second.code, 0, second.output);
    const two = JSON.parse(second.stdout) as typeof one;
    assert.deepEqual(two.searchAttributes.added, []);
    assert.equal(two.searchAttributes.existing.length, ALL_SEARCH_ATTRIBUTES.length);
    assert.equal(two.schedule.created, false);
    assert.equal((await client.schedule.getHandle(one.schedule.scheduleId).describe()).action.taskQueue, taskQueue);
  });

  test('`ppf setup --no-schedule` registers missing search attributes in a fresh namespace', async () => {
    const namespace = `setup-ns-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const env = { TEMPORAL_ADDRESS: h.temporalAddress, TEMPORAL_NAMESPACE: namespace };
    // A new namespace takes a moment to reach every server component; retry until setup sees it.
    const first = await waitFor('setup in the new namespace', async () => {
      const r = await runCli(['--json', 'setup', '--no-schedule'], env);
      return r.code === 0 ? r : undefined;
    }, 30_000, 1000);
    const added = (JSON.parse(first.stdout) as { searchAttributes: { added: string[] } }).searchAttributes.added;
    assert.deepEqual([...added].sort(), ALL_SEARCH_ATTRIBUTES.map((k) => k.name).sort());
    const second = await runCli(['--json', 'setup', '--no-schedule'], env);
    assert.equal(second.code, 0, second.output);
    assert.deepEqual((JSON.parse(second.stdout) as { searchAttributes: { added: string[] } }).searchAttributes.added, []);
  });
});

describe('the sweep in a worker process of its own (the docker-compose layout)', () => {
  let h: Harness;
  let apart: RunningProduct;
  let connection: Connection;
  let client: Client;
  const apartQueue = `test-apart-${randomUUID()}`;
  before(async () => {
    h = await startHarness(); // intake and worker in one process; webhooks delivered
    // A worker-role process of its own, on its own task queue for the sweep: its router recorded none of the webhooks.
    const config = loadConfig({ PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: apartQueue, TEMPORAL_SDK_METRICS_PORT: '0', WEBHOOK_SWEEP_INTERVAL: 'off', PAYPAL_ENV: 'simulator', FULFILLMENT_URL: h.receiver.url, FULFILLMENT_SECRET: h.receiver.secret });
    apart = await startProduct({ config, logger: createLogger('silent'), temporalAddress: h.temporalAddress, simulator: h.simulator, role: 'worker' });
    connection = await Connection.connect({ address: h.temporalAddress });
    client = new Client({ connection, namespace: h.config.TEMPORAL_NAMESPACE });
  });
  after(async () => {
    await connection?.close();
    await apart?.stop();
    await h?.stop();
  });
  const sweepApart = (): Promise<WebhookSweepResult> =>
    client.workflow.execute<typeof webhookSweepWorkflow>('webhookSweepWorkflow', { taskQueue: apartQueue, workflowId: `sweep-apart-${randomUUID()}`, args: [{ lookbackMs: HOUR }] });

  test('hands a fulfilled order\'s delivered webhooks over no more (no signal), but a reversal whose webhook was lost, yes', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('26.00') });
    const fulfilled = await h.waitForState(orderId, 'fulfilled');
    await waitFor('the capture webhook to be recorded', async () => ((await h.status(orderId))?.eventsSeen ?? 0) >= 2 || undefined);
    const signalsBefore = await signalCount(client, orderId);
    const first = await sweepApart();
    assert.equal(first.delivered, 0, JSON.stringify(first));
    assert.equal(first.alreadyReflected, 2, `the approval and the capture's completion: ${JSON.stringify(first)}`);
    const second = await sweepApart();
    assert.deepEqual([second.delivered, second.alreadyReflected, second.alreadyRecorded], [0, 2, 0], JSON.stringify(second));
    assert.equal(await signalCount(client, orderId), signalsBefore, 'no signal from either sweep');

    // News is still handed over: a reversal PayPal never delivered reaches the order through the sweep apart.
    await h.simulator.control.setFaults({ webhooks: { dropNext: 1 } });
    await h.simulator.control.reverseCapture(fulfilled.truth!.capture!.id);
    await h.simulator.control.waitForEvent({ orderId, eventType: 'PAYMENT.CAPTURE.REVERSED' });
    const third = await sweepApart();
    assert.equal(third.delivered, 1, JSON.stringify(third));
    await h.waitForState(orderId, 'revoked');
  });
});

describe('the worker schedules the sweep at start (WEBHOOK_SWEEP_INTERVAL set)', () => {
  let h: Harness;
  let connection: Connection;
  before(async () => {
    h = await startHarness({ WEBHOOK_SWEEP_INTERVAL: '1s', WEBHOOK_SWEEP_LOOKBACK: '10m' });
    connection = await Connection.connect({ address: h.temporalAddress });
    await h.simulator.control.setFaults({ webhooks: { dropNext: 1000 } });
  });
  after(async () => {
    // Schedules outlive the process by design; this one would keep firing at a task queue nobody polls.
    await new Client({ connection, namespace: h.config.TEMPORAL_NAMESPACE }).schedule.getHandle(sweepScheduleId(h.config.TEMPORAL_TASK_QUEUE)).delete().catch(() => undefined);
    await connection?.close();
    await h?.stop();
  });

  test('an order with no delivered webhook is fulfilled with nobody triggering anything', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('24.00') });
    await h.waitForState(orderId, 'fulfilled');
    assert.equal(h.receiver.forOrder(orderId).filter((u) => u.payload.type === 'order.paid').length, 1);
  });
});

/** Signals in the order's history (each one a billable action). */
async function signalCount(client: Client, orderId: string): Promise<number> {
  return ((await client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

/** Runs the `ppf` CLI from source as a child process (as `npx ppf` would) and collects its output. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; output: string }> {
  const root = join(__dirname, '..', '..');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, output: `${stdout}\n${stderr}` }));
  });
}
