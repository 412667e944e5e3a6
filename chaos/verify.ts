import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import type { SimulatorControlClient } from '../src/simulator';
import type { DeliveryAttempt } from '../src/simulator/events';
import { parseDeliveryId, serviceUpdateIdempotencyKey, type ServiceUpdatePayload } from '../src/service-update/contract';
import { GRPC_STATUS, grpcStatus } from '../src/temporal/grpc-status';
import { orderWorkflowId, statusQuery, type OrderStatusView, type PayPalEventHint } from '../src/workflows/messages';
import type { OrderWorkflowInput } from '../src/workflows/order';
import type { ChaosMerchant, MerchantRequest } from './merchant';
import { unreplayableHistories } from './replay-check';
import { EXPECTED, type ChaosOrder } from './scenarios';

/** One broken promise of the product, with the order it concerns. */
export interface Violation {
  check: 'closed_workflow_restarted' | 'order_not_created' | 'lost_order' | 'wrong_final_state' | 'unreplayable_history' | 'missing_update' | 'unexpected_update' | 'duplicate_update' | 'bad_signature' | 'acked_not_recorded' | 'charged_unexpectedly';
  orderId: string;
  detail: string;
}

/** An order as Temporal visibility lists it: its newest run's state, and whether a closed run preceded it. */
export interface OrderVisibility {
  state?: string;
  reason?: string;
  runs?: number;
  /** Run IDs, oldest first. */
  runIds?: string[];
  /** Set when a run had closed (not continue-as-new) and a new one started for the same order afterwards. */
  restartedAfter?: string;
}

/** What Temporal durably holds for one order, read from its workflow history. */
export interface RecordedOrder {
  status: OrderStatusView | undefined;
  /** Why the status query failed (undefined when it answered): e.g. a history no worker can replay. */
  statusError?: string;
  /** PayPal event IDs the workflow received (signals, an approval in the start input, IDs carried over a continue-as-new). */
  eventIds: Set<string>;
  signals: number;
  /** Idempotency key → the first completed service update with that key: when, and which activity attempt. */
  updateCompleted: Map<string, CompletedUpdate>;
  /** Each run's history, oldest first (for the replay check). */
  histories: temporal.api.history.v1.IHistory[];
}

/** A service update the workflow recorded as done, and the attempt that did it. */
export interface CompletedUpdate {
  at: number;
  activityId: string;
  attempt: number;
}

/**
 * The orders PayPal captured although their scenario says the buyer must never be charged (a registered amount
 * the buyer did not approve): any PAYMENT.CAPTURE event PayPal (the simulator) created for them.
 */
export function capturedAgainstExpectation(orders: Pick<ChaosOrder, 'kind' | 'orderId'>[], events: { eventType: string; orderId?: string }[]): Pick<ChaosOrder, 'kind' | 'orderId'>[] {
  const captured = new Set(events.filter((e) => e.eventType.startsWith('PAYMENT.CAPTURE.')).map((e) => e.orderId));
  return orders.filter((o) => EXPECTED[o.kind].neverCaptured && captured.has(o.orderId));
}

/** Reads one order's workflow: its status (query) and, from history, every recorded event and service update. */
export async function readRecordedOrder(client: Client, orderId: string, runIds: string[] = []): Promise<RecordedOrder | undefined> {
  const handle = client.workflow.getHandle(orderWorkflowId(orderId));
  const histories = [];
  try {
    // Every run (oldest first), so events recorded by a run that has since closed still count as recorded.
    for (const runId of runIds.length > 0 ? runIds : [undefined]) {
      histories.push(await client.workflow.getHandle(orderWorkflowId(orderId), runId).fetchHistory());
    }
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || grpcStatus(err) === GRPC_STATUS.NOT_FOUND) return undefined;
    throw err;
  }
  const eventIds = new Set<string>();
  const scheduled = new Map<string, { key: string; activityId: string }>();
  const attempts = new Map<string, number>(); // started event ID → attempt
  const updateCompleted = new Map<string, CompletedUpdate>();
  let signals = 0;
  const decode = <T>(payloads: { data?: Uint8Array | null }[] | null | undefined): T | undefined =>
    payloads?.[0] ? defaultPayloadConverter.fromPayload<T>(payloads[0]) : undefined;
  for (const e of histories.flatMap((h) => h.events ?? [])) {
    const started = e.workflowExecutionStartedEventAttributes;
    if (started) {
      const input = decode<OrderWorkflowInput>(started.input?.payloads);
      for (const id of input?.carried?.seenEventIds ?? []) eventIds.add(id);
      if (input?.firstEvent) eventIds.add(input.firstEvent.eventId); // an approval recorded in the start itself
    }
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName === 'paypalEvent') {
      const hint = decode<PayPalEventHint>(signal.input?.payloads);
      if (hint) eventIds.add(hint.eventId);
      signals++;
    }
    const act = e.activityTaskScheduledEventAttributes;
    if (act?.activityType?.name === 'updateService') {
      const p = decode<ServiceUpdatePayload>(act.input?.payloads);
      if (p) scheduled.set(String(e.eventId), { key: serviceUpdateIdempotencyKey(p.type, p.orderId, p.refundId), activityId: act.activityId ?? '' });
    }
    const attemptStarted = e.activityTaskStartedEventAttributes;
    if (attemptStarted) attempts.set(String(e.eventId), attemptStarted.attempt ?? 1);
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const update = scheduled.get(String(done.scheduledEventId));
      if (update && !updateCompleted.has(update.key)) {
        updateCompleted.set(update.key, { at: tsToMs(e.eventTime), activityId: update.activityId, attempt: attempts.get(String(done.startedEventId)) ?? 1 });
      }
    }
  }
  try {
    return { status: await handle.query(statusQuery), eventIds, signals, updateCompleted, histories };
  } catch (err) {
    return { status: undefined, statusError: err instanceof Error ? err.message : String(err), eventIds, signals, updateCompleted, histories };
  }
}

/** How one delivery attempt ended, as the report counts it. */
export function deliveryOutcome(d: Pick<DeliveryAttempt, 'statusCode' | 'injected'>): string {
  if (d.injected) return 'injected';
  return d.statusCode === undefined ? 'no answer' : String(d.statusCode);
}

/** Delivery attempts by outcome, and how many of the 503s started while Temporal was down (`temporalDown`, epoch ms). */
export function countDeliveryOutcomes(
  deliveries: readonly Pick<DeliveryAttempt, 'statusCode' | 'injected' | 'startedAt'>[],
  temporalDown: readonly { from: number; to: number }[],
): Pick<VerifyStats, 'deliveryOutcomes' | 'unavailableWhileTemporalDown'> {
  const deliveryOutcomes: Record<string, number> = {};
  let unavailableWhileTemporalDown = 0;
  for (const d of deliveries) {
    const outcome = deliveryOutcome(d);
    deliveryOutcomes[outcome] = (deliveryOutcomes[outcome] ?? 0) + 1;
    const at = Date.parse(d.startedAt);
    if (outcome === '503' && temporalDown.some((w) => at >= w.from && at <= w.to)) unavailableWhileTemporalDown++;
  }
  return { deliveryOutcomes, unavailableWhileTemporalDown };
}

/** Figures the final report prints next to the violations. */
export interface VerifyStats {
  ordersChecked: number;
  finalStates: Record<string, number>;
  eventsGenerated: number;
  eventsAcked: number;
  deliveryAttempts: number;
  deliveries2xx: number;
  /** Delivery attempts by outcome: the intake's status code, `injected` (a fault the simulator forced) or `no answer`. */
  deliveryOutcomes: Record<string, number>;
  /** Attempts counted as `503` in deliveryOutcomes that started while the Temporal dev server was down. */
  unavailableWhileTemporalDown: number;
  signalsRecorded: number;
  eventsNeverRecorded: number;
  resendsBeforeRecorded: number;
  /** Requests of earlier attempts that reached the merchant after a later attempt was recorded done (409). */
  lateArrivals: number;
}

/**
 * Sorts the merchant's 409 answers ("key already applied"). Before the workflow recorded the key done they are
 * resends (at-least-once). After it, a request from an earlier attempt is a late arrival (it was on the wire, or
 * queued at the merchant, when a later attempt succeeded); one from an attempt *started* after the successful one
 * (a later attempt or a later activity for the same key, or another run) is a bug. Fulfillment-Delivery-Id names
 * the attempt; a request without one counts as started later.
 */
export function classifyRepeats(
  requests: readonly MerchantRequest[],
  completed: (orderId: string, key: string) => CompletedUpdate | undefined,
): { resendsBeforeRecorded: number; lateArrivals: number; startedAfterDone: { request: MerchantRequest; done: CompletedUpdate }[] } {
  const winners = new Map<string, string>(); // key → run ID of the attempt the workflow recorded as done
  for (const req of requests) {
    const done = completed(req.payload.orderId, req.key);
    const sent = parseDeliveryId(req.deliveryId);
    // The successful attempt's request reached the merchant before the workflow could record its answer.
    if (done && sent && req.at <= done.at && sent.activityId === done.activityId && sent.attempt === done.attempt && !winners.has(req.key)) winners.set(req.key, sent.runId);
  }
  const out = { resendsBeforeRecorded: 0, lateArrivals: 0, startedAfterDone: [] as { request: MerchantRequest; done: CompletedUpdate }[] };
  for (const req of requests) {
    if (req.outcome !== 'repeat') continue;
    const done = completed(req.payload.orderId, req.key);
    if (done === undefined || req.at <= done.at) {
      out.resendsBeforeRecorded++;
      continue;
    }
    const sent = parseDeliveryId(req.deliveryId);
    const startedLater = !sent || sent.runId !== winners.get(req.key) || Number(sent.activityId) > Number(done.activityId)
      || (sent.activityId === done.activityId && sent.attempt > done.attempt);
    if (startedLater) out.startedAfterDone.push({ request: req, done });
    else out.lateArrivals++;
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

/**
 * The end-of-run checks. Every order must exist and be in its scenario's final state; the merchant must have
 * applied exactly the expected updates (by Idempotency-Key) and never received one again after the workflow had
 * recorded it done; every event the intake answered 2xx for (the simulator's delivery log) must be in its
 * order's workflow history.
 */
export async function verifyRun(deps: {
  client: Client;
  control: SimulatorControlClient;
  merchant: ChaosMerchant;
  orders: ChaosOrder[];
  visibility: Map<string, OrderVisibility>;
  /** When the Temporal dev server was down (epoch ms, from stop to ready again). */
  temporalDown?: { from: number; to: number }[];
  /** The workflow bundle the worker ran: every order's history is replayed with it. */
  replayBundlePath?: string;
}): Promise<{ violations: Violation[]; stats: VerifyStats }> {
  const { orders, merchant } = deps;
  const violations: Violation[] = [];
  const add = (check: Violation['check'], orderId: string, detail: string) => violations.push({ check, orderId, detail });
  const recorded = new Map<string, RecordedOrder>();
  const finalStates: Record<string, number> = {};

  const created = orders.filter((o) => {
    if (o.driverError) add('order_not_created', o.orderId ?? `#${o.index}`, `the driver could not set it up: ${o.driverError}`);
    return o.orderId !== undefined && !o.driverError;
  });
  // PayPal's side first: an event acknowledged by now was recorded before its 2xx, so it must be in the histories
  // read next. Read the other way round, a webhook acknowledged while the histories were being read (a run that
  // did not converge is still busy) was reported as acknowledged but not recorded.
  const [events, deliveries] = await Promise.all([deps.control.events(), deps.control.deliveries()]);
  const reads = await mapLimit(created, 8, (o) => readRecordedOrder(deps.client, o.orderId!, deps.visibility.get(o.orderId!)?.runIds));
  created.forEach((o, i) => {
    const r = reads[i];
    const id = o.orderId!;
    if (!r) return add('lost_order', id, `no workflow ${orderWorkflowId(id)} (${o.kind})`);
    const restarted = deps.visibility.get(id)?.restartedAfter;
    if (restarted) add('closed_workflow_restarted', id, `${o.kind}: a new run started after a run had closed (${restarted}); the new run forgot the order's history`);
    recorded.set(id, r);
    const state = r.status?.state ?? 'unknown';
    finalStates[state] = (finalStates[state] ?? 0) + 1;
    const expected = EXPECTED[o.kind];
    if ((state !== expected.state && state !== expected.orState) || (expected.reviewReason && r.status?.review?.code !== expected.reviewReason)) {
      const got = r.statusError ? `no answer to the status query (${r.statusError.slice(0, 200)})` : `${state}${r.status?.review ? `/${r.status.review.code}` : ''}`;
      add('wrong_final_state', id, `${o.kind}: expected ${expected.state}${expected.reviewReason ? `/${expected.reviewReason}` : ''}, got ${got}`);
    }
  });

  if (deps.replayBundlePath) {
    const histories = [...recorded].flatMap(([orderId, r]) => r.histories.map((history) => ({ orderId, history })));
    for (const { orderId, error } of await unreplayableHistories(deps.replayBundlePath, histories)) add('unreplayable_history', orderId, error.slice(0, 300));
  }

  // Service updates, counted at the merchant by Idempotency-Key.
  const byOrder = new Map<string, string[]>();
  for (const key of merchant.applied.keys()) {
    const orderId = key.split(':')[1]!;
    byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), key]);
  }
  for (const o of created) {
    const id = o.orderId!;
    // A reversal's update carries its refund ID (the key's discriminator), as the workflow's payload does.
    const want = new Set(EXPECTED[o.kind].updates.map((t) => serviceUpdateIdempotencyKey(t, id, t === 'order.reversed' ? (o.refundId ?? '?') : undefined)));
    const got = byOrder.get(id) ?? [];
    for (const key of want) if (!got.includes(key)) add('missing_update', id, `${o.kind}: merchant never applied ${key}`);
    for (const key of got) if (!want.has(key)) add('unexpected_update', id, `${o.kind}: merchant applied ${key}`);
  }
  for (const req of merchant.requests) {
    if (!req.signatureValid) add('bad_signature', req.payload.orderId, `request for ${req.key} had an invalid signature`);
  }
  const repeats = classifyRepeats(merchant.requests, (orderId, key) => recorded.get(orderId)?.updateCompleted.get(key));
  for (const { request: req, done } of repeats.startedAfterDone) {
    add('duplicate_update', req.payload.orderId, `${req.key} sent by ${req.deliveryId || 'an unnamed attempt'}, started after attempt ${done.activityId}/${done.attempt} was recorded done`);
  }
  const { resendsBeforeRecorded, lateArrivals } = repeats;

  // Webhooks: every event the intake acknowledged must be in its order's history. (In a run still busy, a signal
  // that arrived during a workflow task in flight is durable but joins the history only when that task completes.)
  const acked = new Set(deliveries.filter((d) => d.statusCode !== undefined && d.statusCode >= 200 && d.statusCode < 300).map((d) => d.eventId));
  let eventsNeverRecorded = 0;
  for (const e of events) {
    const r = e.orderId ? recorded.get(e.orderId) : undefined;
    const isRecorded = r?.eventIds.has(e.id) ?? false;
    if (!isRecorded) eventsNeverRecorded++;
    if ((acked.has(e.id) || e.status === 'DELIVERED') && !isRecorded) {
      add('acked_not_recorded', e.orderId ?? '?', `${e.eventType} ${e.id} (${e.status}) answered 2xx but not in the workflow history`);
    }
  }
  for (const o of capturedAgainstExpectation(created, events)) add('charged_unexpectedly', o.orderId!, `${o.kind}: PayPal captured it`);
  return {
    violations,
    stats: {
      ordersChecked: created.length,
      finalStates,
      eventsGenerated: events.length,
      eventsAcked: acked.size,
      deliveryAttempts: deliveries.length,
      deliveries2xx: deliveries.filter((d) => d.statusCode !== undefined && d.statusCode < 300).length,
      ...countDeliveryOutcomes(deliveries, deps.temporalDown ?? []),
      signalsRecorded: [...recorded.values()].reduce((n, r) => n + r.signals, 0),
      eventsNeverRecorded,
      resendsBeforeRecorded,
      lateArrivals,
    },
  };
}
