import {
  type ActivityOptions,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import { DecisionInbox } from './decision-inbox';
import type { DecisionOutcome } from './decision-requests';
import { FAILURE_TYPES } from './failure-types';
import { paypalEventSignal, statusQuery, type OrderStatusView, type PayPalEventHint } from './messages';
import {
  formatAmount,
  isFinal,
  newOrder,
  transition,
  type Amount,
  type Command,
  type MachineInput,
  type OrderData,
  type PaymentTruth,
  type WebhookHint,
  paymentStatus,
  webhooksReceived,
} from './order-machine';
import { CURRENT_BEHAVIOUR, type OrderBehaviour } from './order-behaviour';
import { failureMessage, failureType, gaveUpAtDeadline, nowIso, paypalFailure } from './order-inputs';
import { changedSearchAttributes, describeOrder, orderSearchAttributes } from './presentation';
import { OrderStateKey } from './search-attributes';
import type { OrderTiming } from './timing';
import { nextWait, retryGaps, stateDeadlineMs, type NextWait } from './waits';

/** Start arguments of an order workflow. */
export interface OrderWorkflowInput {
  orderId: string;
  autoCapture: boolean;
  timing: OrderTiming;
  /** Set when the merchant registered the order: a captured amount that differs goes to review. */
  expectedAmount?: Amount;
  merchantReference?: string;
  /** Registered orders (no webhook yet) ask PayPal at once instead of waiting for a hint. */
  verifyOnStart?: boolean;
  /**
   * The webhook whose delivery started this run, recorded in the start itself (one billable action) instead of a
   * signal-with-start (two). Received before any signal, exactly as a signal-with-start's signal would be.
   */
  firstEvent?: PayPalEventHint;
  /** State handed over by continue-as-new. */
  carried?: { data: OrderData; seenEventIds: string[]; duplicateEvents: number; decisionRequests?: [string, DecisionOutcome][] };
}

/** Event IDs remembered for dedupe across continue-as-new; PayPal redelivers within days, not thousands of events. */
const MAX_REMEMBERED_EVENTS = 500;

/**
 * One PayPal order, from first hint to fulfilment (and refunds after it). The single writer for the order: every
 * webhook, poll and support decision goes through here, one at a time. Clients start this type for new orders.
 */
export async function orderWorkflowV4(input: OrderWorkflowInput): Promise<OrderStatusView> {
  // Polls while awaiting payment became retried activities after V4 shipped: a patch, recorded (with its
  // search-attribute upsert) only by the orders that poll in that state, such as abandoned registered orders.
  return runOrder(input, {
    ...CURRENT_BEHAVIOUR,
    pollAwaitingPaymentByRetries: () => patched('awaiting-payment-polled-by-retries'),
    // A registered order's amount was checked only after its capture until 2026-11-30: recorded only by the runs
    // that find an approved, uncaptured order for another amount.
    checkAmountBeforeCapture: () => patched('amount-checked-before-capture'),
    // Orders of several purchase units were fulfilled on their first unit until 2026-11-30: recorded only by runs
    // that capture such an order.
    reviewMultiUnitOrders: () => patched('multi-unit-orders-reviewed'),
    // Decisions without a request ID were judged on arrival until 2026-11-30: recorded only by runs that take one.
    judgeUnrequestedDecisionsWhenTaken: () => patched('decisions-judged-when-taken'),
  });
}

/**
 * Runs one order with the behaviour of its workflow type: orderWorkflowV4 here, the types of orders started by
 * earlier versions in order-legacy.ts.
 */
export async function runOrder(input: OrderWorkflowInput, behaviour: OrderBehaviour): Promise<OrderStatusView> {
  const { orderId, timing } = input;
  // An attempt whose worker died is retried after the heartbeat timeout, not the 1-2 minute start-to-close.
  const heartbeatTimeout = timing.activityHeartbeatTimeoutMs;
  const paypalOptions: ActivityOptions = {
    startToCloseTimeout: '1 minute',
    heartbeatTimeout,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  };
  const paypal = proxyActivities<OrderActivities>(paypalOptions);
  const serviceOptions: ActivityOptions = {
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout,
    retry: {
      initialInterval: timing.serviceUpdate.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: timing.serviceUpdate.maxIntervalMs,
      maximumAttempts: timing.serviceUpdate.maxAttempts,
      nonRetryableErrorTypes: [FAILURE_TYPES.serviceUpdateRejected],
    },
  };
  const service = proxyActivities<OrderActivities>(serviceOptions);
  const alerts = proxyActivities<OrderActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

  let data = input.carried?.data ?? newOrder(orderId, { autoCapture: input.autoCapture, expectedAmount: input.expectedAmount, now: nowIso() });
  const seenEventIds = new Set(input.carried?.seenEventIds ?? []);
  let duplicateEvents = input.carried?.duplicateEvents ?? 0;
  const pendingHints: WebhookHint[] = [];
  const inbox = new DecisionInbox(orderId, behaviour, () => data, input.carried?.decisionRequests);
  const hasWork = () => pendingHints.length > 0 || inbox.waiting;
  /** Reconciliation polls made in the current state (the index into the poll schedule). */
  let pollIndex = 0;
  /** Executed commands so far: an input that ran none and kept the state changed nothing a wait depends on. */
  let commandsRun = 0;

  const view = (): OrderStatusView => ({
    ...data,
    workflowId: workflowInfo().workflowId,
    eventsSeen: seenEventIds.size,
    duplicateEvents,
    decisionRequests: inbox.requests.view(),
  });

  const receiveEvent = (hint: PayPalEventHint): void => {
    if (seenEventIds.has(hint.eventId)) {
      duplicateEvents++;
      return;
    }
    seenEventIds.add(hint.eventId);
    pendingHints.push({ eventType: hint.eventType, resourceId: hint.resourceId });
  };
  setHandler(statusQuery, view);
  // Before the signal handler, which takes the signals that arrived before this first task: the start came first.
  if (input.firstEvent && !input.carried) receiveEvent(input.firstEvent);
  setHandler(paypalEventSignal, receiveEvent);
  inbox.listen();

  /** Applies one input, publishes the new state, then executes the resulting commands (feeding results back). */
  async function apply(machineInput: MachineInput): Promise<void> {
    const previous = data;
    const result = transition(data, machineInput, nowIso(), behaviour);
    data = result.data;
    if (machineInput.type === 'decision') inbox.settled(machineInput.decision, previous, data);
    if (data.state !== previous.state) log.info('order state changed', { orderId, from: previous.state, to: data.state });
    publish();
    for (const command of result.commands) await execute(command);
  }

  async function execute(command: Command): Promise<void> {
    commandsRun++;
    switch (command.type) {
      case 'verify_payment':
        return apply(await paypalCall(() => paypal.verifyPayment.executeWithOptions({ ...paypalOptions, summary: `Re-read order ${orderId} at PayPal` }, [orderId])));
      case 'await_capture_settled':
      case 'await_payment_change': {
        const moved = await pollUntilPaymentMoves(command.type);
        return moved ? apply(moved) : undefined;
      }
      case 'capture_order': {
        const { expectedAmount } = command;
        const only = expectedAmount ? `, only for ${formatAmount(expectedAmount)}` : '';
        const summary = `Capture order ${orderId} (PayPal-Request-Id capture-${orderId}${only})`;
        return apply(await paypalCall(() => paypal.captureOrder.executeWithOptions({ ...paypalOptions, summary }, expectedAmount ? [orderId, expectedAmount] : [orderId])));
      }
      case 'update_service':
        try {
          await updateServicePaid({
            type: 'order.paid',
            orderId,
            captureId: data.truth?.capture?.id ?? null,
            amount: data.truth?.capture?.amount ?? data.truth?.orderAmount ?? null,
            customId: data.truth?.customId ?? null,
            invoiceId: data.truth?.invoiceId ?? null,
            override: command.override || undefined,
          });
          return apply({ type: 'service_update_succeeded' });
        } catch (err) {
          return apply({ type: 'service_update_failed', message: failureMessage(err), permanent: failureType(err) === FAILURE_TYPES.serviceUpdateRejected });
        }
      case 'notify_refund':
        try {
          await service.updateService.executeWithOptions({ ...serviceOptions, summary: `Service update ${command.kind} (refund ${command.refundId})` }, [{
            type: command.kind,
            orderId,
            refundId: command.refundId,
            captureId: data.truth?.capture?.id ?? null,
            amount: command.amount ?? null,
            customId: data.truth?.customId ?? null,
            invoiceId: data.truth?.invoiceId ?? null,
          }]);
          return apply({ type: 'refund_notified', refundId: command.refundId });
        } catch (err) {
          return apply({
            type: 'refund_notification_failed',
            refundId: command.refundId,
            message: failureMessage(err),
            permanent: failureType(err) === FAILURE_TYPES.serviceUpdateRejected,
          });
        }
      case 'alert_review':
        try {
          await alerts.raiseReviewAlert({ orderId, workflowId: workflowInfo().workflowId, code: command.code, message: command.message });
        } catch (err) {
          // Alerting must never fail the order (a failed run could no longer take support's decision): the order
          // stays in review, where the Temporal UI and the admin API show it.
          log.error('review alert could not be sent; the order stays in review', { orderId, code: command.code, error: failureMessage(err) });
        }
        return;
    }
  }

  /**
   * The order.paid update under the service retry policy. With publishFulfillingOnFailure the first attempt runs
   * alone; if it fails retryably, `fulfilling` is published, and after the policy's first backoff the remaining
   * attempts run as one more activity (same payload, same idempotency key).
   */
  async function updateServicePaid(payload: Parameters<OrderActivities['updateService']>[0]): Promise<void> {
    const options = { ...serviceOptions, summary: `Service update order.paid for ${orderId}` };
    if (!behaviour.publishFulfillingOnFailure) {
      await service.updateService.executeWithOptions(options, [payload]);
      return;
    }
    const { initialIntervalMs, maxAttempts } = timing.serviceUpdate;
    try {
      await service.updateService.executeWithOptions({ ...options, retry: { ...options.retry, maximumAttempts: 1 } }, [payload]);
      return;
    } catch (err) {
      if (maxAttempts === 1 || failureType(err) === FAILURE_TYPES.serviceUpdateRejected) throw err;
    }
    fulfillingDeferred = false;
    publish();
    await sleep(initialIntervalMs);
    await service.updateService.executeWithOptions({ ...options, retry: { ...options.retry, initialInterval: initialIntervalMs * 2, maximumAttempts: maxAttempts - 1 } }, [payload]);
  }

  /** The running wait's timer (keepTimersAcrossInputs): kept while the wait's end stays where it was. */
  let timer: { endsAt: number; fired: boolean; scope: CancellationScope } | undefined;

  /** Waits until work arrives (true) or `wait` ends (false). */
  async function waitForWork(wait: NextWait): Promise<boolean> {
    const { ms } = wait;
    if (!behaviour.keepTimersAcrossInputs) return condition(hasWork, ms);
    const endsAt = ms === undefined ? undefined : Date.now() + ms;
    if (timer && timer.endsAt !== endsAt) {
      if (!timer.fired) timer.scope.cancel();
      timer = undefined;
    }
    if (!timer && ms !== undefined) {
      const started = { endsAt: Date.now() + ms, fired: false, scope: new CancellationScope() };
      started.scope.run(() => sleep(ms)).then(() => (started.fired = true), () => undefined);
      timer = started;
    }
    await condition(() => hasWork() || timer?.fired === true);
    if (hasWork()) return true;
    timer = undefined;
    return false;
  }

  /** Turns permanent PayPal failures into machine inputs; retryable ones are retried by Temporal until they pass. */
  async function paypalCall(call: () => Promise<PaymentTruth>): Promise<MachineInput> {
    try {
      return { type: 'truth', truth: await call() };
    } catch (err) {
      return paypalFailure(err);
    }
  }

  /**
   * Polls PayPal with one activity whose retries space the reads on the poll schedule, from the gap after the
   * timer that just fired: until a pending capture settles (await_capture_settled, pollPendingCaptureByRetries)
   * or an order awaiting payment moves (await_payment_change, pollAwaitingPaymentByRetries). Returns PayPal's
   * answer; undefined when a webhook or a decision came first (the poll is cancelled and the loop handles that
   * input) or the deadline stopped the retries (the loop's next wait ends at the deadline).
   */
  async function pollUntilPaymentMoves(kind: 'await_capture_settled' | 'await_payment_change'): Promise<MachineInput | undefined> {
    const untilDeadline = Date.parse(data.stateSince) + stateDeadlineMs(data.state, timing) - Date.now();
    if (untilDeadline <= 0) return undefined;
    const gaps = retryGaps(timing.pollScheduleMs, pollIndex);
    const options = { ...paypalOptions, scheduleToCloseTimeout: untilDeadline };
    const read = kind === 'await_capture_settled'
      ? () => paypal.awaitCaptureSettled.executeWithOptions({ ...options, summary: `Poll order ${orderId} at PayPal until its capture settles` }, [orderId, gaps])
      : () => paypal.awaitPaymentChange.executeWithOptions({ ...options, summary: `Poll order ${orderId} at PayPal until its payment moves` }, [orderId, data.truth ? paymentStatus(data.truth) : null, gaps]);
    const scope = new CancellationScope();
    let finished = false;
    const poll = scope.run(() => read().finally(() => (finished = true)));
    await condition(() => finished || hasWork());
    if (!finished) scope.cancel();
    try {
      return { type: 'truth', truth: await poll };
    } catch (err) {
      if (isCancellation(err) || gaveUpAtDeadline(err)) return undefined;
      return paypalFailure(err);
    }
  }

  let publishedAttributes = '';
  // While true, `fulfilling` is not upserted (publishFulfillingOnFailure): set again whenever an update starts.
  let fulfillingDeferred = behaviour.publishFulfillingOnFailure;
  function publish(opts: { upsert: boolean } = { upsert: true }): void {
    setCurrentDetails(describeOrder(data));
    if (data.state !== 'fulfilling') fulfillingDeferred = behaviour.publishFulfillingOnFailure;
    if (!opts.upsert || (fulfillingDeferred && data.state === 'fulfilling')) return;
    const attributes = orderSearchAttributes(data, input.merchantReference);
    if (behaviour.upsertChangesOnly) {
      const changed = changedSearchAttributes(attributes, workflowInfo().typedSearchAttributes);
      if (changed.length > 0) upsertSearchAttributes(changed);
    } else {
      const key = JSON.stringify(attributes.map((a) => a.value));
      if (key !== publishedAttributes) {
        upsertSearchAttributes(attributes);
        publishedAttributes = key;
      }
    }
  }

  // A client that set the start attributes (initialSearchAttributes) set what the run publishes after its first
  // input, computed with this machine, so orderWorkflowV2 to V4 do not publish before that input; had they been wrong,
  // its first change overwrites them. A run started without them, or continued, publishes what it has, as always.
  const clientSetAttributes = workflowInfo().typedSearchAttributes.get(OrderStateKey) !== undefined;
  publish({ upsert: !behaviour.upsertChangesOnly || input.carried !== undefined || !clientSetAttributes });
  if (input.verifyOnStart && !input.carried) await apply({ type: 'poll_due' });
  let pollState = data.state;
  // With keepTimersAcrossInputs, polls are timed from here: the last poll, read or state change.
  let pollFrom = Date.now();
  for (;;) {
    if (isFinal(data.state) && !behaviour.watchEndedOrders()) break;
    if (pollState !== data.state) {
      pollState = data.state;
      pollIndex = 0;
    }
    const enteredAt = Date.parse(data.stateSince);
    const wait = nextWait(data, timing, pollIndex, enteredAt, behaviour.keepTimersAcrossInputs ? pollFrom : undefined);
    const woken = (behaviour.checkWorkBeforeWaiting && hasWork()) || (await waitForWork(wait));
    const before = { state: data.state, commandsRun };
    if (inbox.waiting) {
      const decision = inbox.take();
      if (decision) await apply({ type: 'decision', decision });
    } else if (pendingHints.length > 0) {
      await apply(webhooksReceived(pendingHints.splice(0)));
    } else if (!woken) {
      if (wait.then === 'watch_over') break;
      pollIndex++;
      await apply({ type: wait.then });
    }
    // A fired timer, a read or a state change restarts the poll clock; an input that changed nothing does not.
    if (!woken || data.state !== before.state || commandsRun !== before.commandsRun) pollFrom = Date.now();
    if (workflowInfo().continueAsNewSuggested && pendingHints.length === 0 && !inbox.waiting) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof orderWorkflowV4>({
        ...input,
        carried: { data, seenEventIds: [...seenEventIds].slice(-MAX_REMEMBERED_EVENTS), duplicateEvents, decisionRequests: inbox.requests.carry() },
      });
    }
  }
  await condition(allHandlersFinished);
  return view();
}
