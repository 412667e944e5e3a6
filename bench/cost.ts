// Cost per order, counted from real histories (fetchHistory): history events and billable Temporal Cloud actions
// of a happy-path order, of an order whose capture stays PENDING for k reconciliation polls before PayPal
// completes it, of a registered order its buyer approves only after k polls (k = 1, 3, 5; RECONCILE_POLL_SCHEDULE
// short), and of a happy order that webhook sweeps re-offer during its refund watch, from the intake's process and
// from a worker process of its own. Orders run to completion (short refund watch), so the counts cover the whole
// life of the workflow.
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startProduct } from '../src/runtime';
import { GRPC_STATUS, grpcStatus } from '../src/temporal/grpc-status';
import { workflowBundleOptions } from '../src/temporal/worker';
import { startSimulator } from '../src/simulator';
import { orderWorkflowId } from '../src/workflows/messages';
import { markdownTable, progress, type BenchModule, type BenchReport } from './harness';
import { FastReceiver } from './receiver';
import { bundleToFile } from './temporal';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const POLL = process.env.COST_POLL ?? '1s';
const KS = (process.env.COST_KS ?? '1,3,5').split(',').map(Number);
const HAPPY_ORDERS = 3;
/** How late the late-webhook scenario's PAYMENT.CAPTURE.COMPLETED arrives (within the refund watch). */
const LATE_WEBHOOK_MS = 2000;
/** The refund watch of every order here: long enough for the sweep scenarios' sweeps to land inside it. */
const WATCH = '10s';
/** Sweeps per sweep scenario, each over the last minute (the product's default would be every 15 min over 6 h). */
const SWEEPS = 3;

/** Event type name without the EVENT_TYPE_ prefix, e.g. ACTIVITY_TASK_SCHEDULED. */
function typeName(e: HistoryEvent): string {
  return temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType);
}

/**
 * Billable actions by kind (Temporal Cloud "Actions" page); queries are billed too but leave no history event.
 * `attemptsNotInHistory`: attempts of an activity cancelled while it waited for a retry, which leaves no
 * ActivityTaskStarted event (read from describe() before the cancellation).
 */
export function countActions(events: HistoryEvent[], attemptsNotInHistory = 0): Record<string, number> {
  const n = { start: 0, signals: 0, activities: attemptsNotInHistory, timers: 0, upserts: 0, updates: 0 };
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes || e.workflowExecutionContinuedAsNewEventAttributes) n.start++;
    else if (e.workflowExecutionSignaledEventAttributes) n.signals++;
    else if (e.activityTaskStartedEventAttributes) n.activities += e.activityTaskStartedEventAttributes.attempt ?? 1; // every attempt
    else if (e.timerStartedEventAttributes) n.timers++;
    else if (e.upsertWorkflowSearchAttributesEventAttributes) n.upserts++;
    else if (e.workflowExecutionUpdateAcceptedEventAttributes) n.updates++;
  }
  return n;
}

/** Events per type, in order of first appearance. */
function histogram(events: HistoryEvent[]): Map<string, number> {
  const h = new Map<string, number>();
  for (const e of events) h.set(typeName(e), (h.get(typeName(e)) ?? 0) + 1);
  return h;
}

/** The cost bench. */
export const costBench: BenchModule = {
  name: 'cost',
  async run(ctx): Promise<BenchReport> {
    const { address } = await ctx.temporal();
    const bundle = await bundleToFile(workflowBundleOptions());
    const receiver = await new FastReceiver().start();
    const simulator = await startSimulator({ logger: false });
    const previousBundle = process.env.WORKFLOW_BUNDLE_PATH;
    process.env.WORKFLOW_BUNDLE_PATH = bundle.path;
    const env = {
      PORT: '0', HOST: '127.0.0.1', ADMIN_PORT: '0', ADMIN_TOKEN: randomBytes(16).toString('hex'), LOG_LEVEL: 'silent',
      TEMPORAL_TASK_QUEUE: `bench-cost-${randomUUID().slice(0, 8)}`, TEMPORAL_SDK_METRICS_PORT: '0', WEBHOOK_SWEEP_INTERVAL: 'off',
      PAYPAL_ENV: 'simulator', FULFILLMENT_URL: receiver.url, FULFILLMENT_SECRET: 'bench-fulfillment-secret',
      RECONCILE_POLL_SCHEDULE: POLL, WATCH_AFTER_FULFILMENT: WATCH,
    };
    const product = await startProduct({ config: loadConfig(env), logger: createLogger('silent'), temporalAddress: address, simulator });
    // The docker-compose layout: a worker process apart, whose sweep routes with its own router (its own memory).
    const apartQueue = `bench-cost-apart-${randomUUID().slice(0, 8)}`;
    const apart = await startProduct({ config: loadConfig({ ...env, TEMPORAL_TASK_QUEUE: apartQueue }), logger: createLogger('silent'), temporalAddress: address, simulator, role: 'worker' });
    if (previousBundle === undefined) delete process.env.WORKFLOW_BUNDLE_PATH;
    else process.env.WORKFLOW_BUNDLE_PATH = previousBundle;
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    // The workflow exists once the simulator's first webhook went through the intake; until then: NOT_FOUND.
    const history = async (orderId: string): Promise<HistoryEvent[]> => {
      for (let tries = 0; ; tries++) {
        try {
          return (await client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory()).events ?? [];
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError || grpcStatus(err) === GRPC_STATUS.NOT_FOUND) || tries > 200) throw err;
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    };
    const fulfilled = async (orderId: string) => {
      await history(orderId);
      while ((await product.orders.getStatus(orderId))?.state !== 'fulfilled') await new Promise((r) => setTimeout(r, 25));
    };
    const finished = async (orderId: string) => {
      await history(orderId);
      await client.workflow.getHandle(orderWorkflowId(orderId)).result();
      return history(orderId);
    };

    /**
     * Waits until the order's retried poll (one `activity`, after the schedule's first gap, a timer) has made k
     * reads: attempt k has failed ("nothing new") and attempt k + 1 waits for its retry.
     */
    const afterPolls = async (orderId: string, activity: string, k: number): Promise<void> => {
      const handle = client.workflow.getHandle(orderWorkflowId(orderId));
      await history(orderId); // waits until the workflow exists
      for (;;) {
        const poll = (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === activity);
        const attempt = poll?.attempt ?? 0;
        if (attempt > k + 1) throw new Error(`cost: missed the window after poll ${k} (order ${orderId})`);
        if (attempt === k + 1 && poll?.lastFailure && poll.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED) return;
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    /**
     * The webhook that settles the order cancels the poll while it waits for attempt k + 1: its k attempts are
     * billed but, the activity never having completed, no ActivityTaskStarted event records them. (Had attempt
     * k + 1 found the news first, its ActivityTaskStarted event would hold the count.)
     */
    const unrecordedAttempts = (events: HistoryEvent[], activity: string, k: number): number => {
      const poll = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity);
      const recorded = events.some((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(poll?.eventId));
      return poll && !recorded ? k : 0;
    };

    const scenarios: { name: string; events: HistoryEvent[]; attemptsNotInHistory?: number }[] = [];
    try {
      progress(`cost: ${HAPPY_ORDERS} happy-path orders, pending captures and registered orders settled after k = ${KS.join(', ')} polls (poll every ${POLL})…`);
      const happy = Array.from({ length: HAPPY_ORDERS }, async () => {
        const { orderId } = await simulator.control.checkout({ amount: { currency_code: 'USD', value: '25.00' } });
        return finished(orderId);
      });
      const pending = KS.map(async (k) => {
        const { orderId } = await simulator.control.checkout({ amount: { currency_code: 'USD', value: '25.00' }, captureOutcome: 'PENDING', pendingReason: 'ECHECK' });
        await afterPolls(orderId, 'awaitCaptureSettled', k);
        const captureId = (await product.orders.getStatus(orderId))?.truth?.capture?.id;
        if (!captureId) throw new Error(`cost: no capture for ${orderId}`);
        await simulator.control.completeCapture(captureId);
        const events = await finished(orderId);
        return { k, events, attemptsNotInHistory: unrecordedAttempts(events, 'awaitCaptureSettled', k) };
      });
      // A merchant registers an order at checkout; its buyer approves only after k polls (or never: an abandoned
      // checkout polls the same way until the 3-day deadline).
      const awaiting = KS.map(async (k) => {
        const { orderId } = await simulator.control.checkout({ amount: { currency_code: 'USD', value: '25.00' }, approve: false });
        await product.orders.registerOrder(orderId);
        await afterPolls(orderId, 'awaitPaymentChange', k);
        await simulator.control.approveOrder(orderId);
        const events = await finished(orderId);
        return { k, events, attemptsNotInHistory: unrecordedAttempts(events, 'awaitPaymentChange', k) };
      });
      const [happyDone, pendingDone, awaitingDone] = await Promise.all([Promise.all(happy), Promise.all(pending), Promise.all(awaiting)]);
      for (const [i, events] of happyDone.entries()) scenarios.push({ name: `happy path (order ${i + 1})`, events });
      // PayPal delivers its capture webhook seconds after the capture, usually after the merchant's update: the
      // simulator's comes within milliseconds, so the happy rows above mostly see it while the capture runs.
      progress(`cost: a happy-path order whose PAYMENT.CAPTURE.COMPLETED arrives ${LATE_WEBHOOK_MS} ms after the capture…`);
      await simulator.control.setFaults({ webhooks: { eventTypes: ['PAYMENT.CAPTURE.COMPLETED'], delayMs: LATE_WEBHOOK_MS } });
      try {
        const { orderId } = await simulator.control.checkout({ amount: { currency_code: 'USD', value: '25.00' } });
        scenarios.push({ name: `happy path, capture webhook ${LATE_WEBHOOK_MS / 1000} s late (after fulfilment)`, events: await finished(orderId) });
      } finally {
        await simulator.control.clearFaults();
      }
      // Sweeps list every event of their window: they run only now, each scenario alone, once every order above
      // has completed (a closed order takes no signal), so they re-offer no other scenario's open order.
      for (const [where, taskQueue] of [['in the intake\'s process', env.TEMPORAL_TASK_QUEUE], ['in a worker process of its own', apartQueue]] as const) {
        progress(`cost: a happy-path order re-offered by ${SWEEPS} webhook sweeps ${where}…`);
        const { orderId } = await simulator.control.checkout({ amount: { currency_code: 'USD', value: '25.00' } });
        await fulfilled(orderId);
        for (let i = 0; i < SWEEPS; i++) {
          await client.workflow.execute('webhookSweepWorkflow', { taskQueue, workflowId: `bench-cost-sweep-${randomUUID()}`, args: [{ lookbackMs: 60_000 }] });
        }
        const sweptAt = Date.now();
        const events = await finished(orderId);
        const closed = events.at(-1)?.eventTime;
        // A sweep that landed after the order closed would have added nothing: the count would be too low.
        if (!closed || tsToMs(closed) < sweptAt) throw new Error(`cost: the sweeps outlasted the ${WATCH} refund watch of ${orderId}`);
        scenarios.push({ name: `happy path, ${SWEEPS} sweeps ${where} during its refund watch`, events });
      }
      for (const { k, events, attemptsNotInHistory } of pendingDone) {
        scenarios.push({ name: `capture PENDING, completed after ${k} poll${k === 1 ? '' : 's'}`, events, attemptsNotInHistory });
      }
      for (const { k, events, attemptsNotInHistory } of awaitingDone) {
        scenarios.push({ name: `registered order, approved after ${k} poll${k === 1 ? '' : 's'}`, events, attemptsNotInHistory });
      }
    } finally {
      await connection.close();
      await apart.stop();
      await product.stop();
      await simulator.close();
      await receiver.close();
      bundle.remove();
    }

    const rows = scenarios.map(({ name, events, attemptsNotInHistory }) => {
      const a = countActions(events, attemptsNotInHistory);
      const total = Object.values(a).reduce((s, v) => s + v, 0);
      return [name, events.length, total, a.start!, a.signals!, a.activities!, a.timers!, a.upserts!, a.updates!];
    });
    /** Growth per extra poll of column `col` over the rows named `prefix` (k = KS[0] to the last k). */
    const slope = (prefix: string, col: number): number => {
      const polled = rows.filter((r) => String(r[0]).startsWith(prefix));
      const first = polled[0];
      const last = polled.at(-1);
      return first && last && KS.length > 1 ? (Number(last[col]) - Number(first[col])) / (KS.at(-1)! - KS[0]!) : Number.NaN;
    };
    const happyEvents = scenarios[0]?.events ?? [];
    return {
      name: 'cost',
      title: 'Cost per order: history events and billable actions',
      params: { happyOrders: HAPPY_ORDERS, pollSchedule: POLL, k: KS.join(', '), WATCH_AFTER_FULFILMENT: `${WATCH} (so each workflow completes)`, sweeps: `${SWEEPS} per sweep scenario, lookback 1 min` },
      rows: [],
      tables: [
        {
          heading: 'Per order, whole workflow life (counted from fetchHistory):',
          markdown: markdownTable(['scenario', 'history events', 'billable actions', 'start', 'signals', 'activity attempts', 'timers', 'SA upserts', 'updates'], rows.map((r) => r.map((v, i) => (i === 0 ? v : String(v))))),
        },
        {
          heading: 'Growth per extra poll:',
          markdown: markdownTable(['per poll, k → k + 1', 'history events', 'billable actions'], [
            ['capture PENDING', slope('capture PENDING', 1), slope('capture PENDING', 2)],
            ['registered order awaiting approval', slope('registered order', 1), slope('registered order', 2)],
          ]),
        },
        {
          heading: 'Happy-path history by event type (order 1):',
          markdown: markdownTable(['event type', 'count'], [...histogram(happyEvents)].map(([t, c]) => [t.replace(/^EVENT_TYPE_/, ''), String(c)])),
        },
      ],
      notes: [
        'Billable actions follow Temporal Cloud\'s list: workflow start (incl. the start of a signal-with-start and continue-as-new), every signal, every activity attempt, every timer started (including the implicit timer of `condition(fn, timeout)`), every search-attribute upsert command, every accepted/rejected update. Queries are billed too (the admin API\'s status reads) but do not appear in histories, so they are not in these counts.',
        'The product sets its search attributes at start (free); upserts after that are billed.',
        `Pending scenario: the simulator answers the capture with PENDING (ECHECK); the workflow polls PayPal every ${POLL} (a timer for the first gap, then the attempts of one awaitCaptureSettled activity, retried by Temporal); after the k-th poll finished the bench completes the capture at the simulator, whose PAYMENT.CAPTURE.COMPLETED webhook wakes the workflow, which cancels the poll and reads the order.`,
        `Registered-order scenario: the merchant registers a CREATED order (POST /orders; the workflow reads PayPal once), the buyer approves after k polls (every ${POLL}: a timer for the first gap, then the attempts of one awaitPaymentChange activity, which fails while the order is still CREATED); the CHECKOUT.ORDER.APPROVED webhook cancels the poll and the order is captured and fulfilled. The first such poll records the patch that switched orderWorkflowV4 to retried polls (a marker and its TemporalChangeVersion upsert). A checkout never approved polls the same way until AWAITING_PAYMENT_DEADLINE (3 days: ~7 polls on the default schedule).`,
        `Sweep scenarios: once a happy order is fulfilled, ${SWEEPS} webhookSweepWorkflow runs (each listing the last minute of PayPal events) re-offer its two events, run first by the product's own worker, whose router is the intake's (one process, \`npm start\`), then by a worker-role process of its own (the docker-compose layout), whose router has not seen the webhooks. A router hands an event to Temporal only if it has no memory of recording it (WEBHOOK_EVENT_MEMORY), and a sweep only if the order's run does not already show it (a fulfilled order's approval and capture, read with a describe, which is not billed): neither sweep hands anything over. Before the memory, every sweep signalled every listed event (${SWEEPS} sweeps, ${2 * SWEEPS} more signals); with the memory alone, the first sweep apart handed each event over once (2 more signals and 5 more history events; the workflow dropped them as duplicates).`,
        'The cancelled poll\'s k attempts are billed but leave no ActivityTaskStarted event (an activity cancelled while it waits for a retry records only its scheduling and the cancellation): the bench adds them, as read from describe() (pending activity attempt k + 1, waiting for its retry) right before it completes the capture or approves the order.',
      ],
    };
  },
};
