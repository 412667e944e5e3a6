import { randomUUID } from 'node:crypto';
import { type Client, type WithWorkflowArgs, type WorkflowSignalWithStartOptions } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import {
  decisionSignals,
  ORDER_WORKFLOW_TYPE,
  ORDER_WORKFLOW_TYPE_CLAUSE,
  orderWorkflowId,
  paypalEventSignal,
  statusQuery,
  type DecisionInput,
  type OrderStatusView,
  type PayPalEventHint,
} from '../workflows/messages';
import { decisionRefusal } from '../workflows/decision-requests';
import { TRACED_MEMO_KEY } from '../workflows/interceptors';
import { initialSearchAttributes } from '../workflows/presentation';
import type { OrderWorkflowInput, orderWorkflowV4 } from '../workflows/order';
import type { Amount, OrderState, ReviewDecisionKind } from '../workflows/order-machine';
import { OrderStateKey, PayPalCaptureId, PayPalOrderId, ReviewReason } from '../workflows/search-attributes';
import type { OrderTiming } from '../workflows/timing';

/** Settings every new order workflow starts with. */
export interface OrderDefaults {
  taskQueue: string;
  autoCapture: boolean;
  timing: OrderTiming;
  /** Upper bound for recording one webhook; past it the intake answers 503 and PayPal redelivers. */
  recordTimeoutMs?: number;
  /** Tracing is on: started workflows carry the TRACED_MEMO_KEY memo, so their runs record spans. */
  traced?: boolean;
  /** How long a support decision waits for its outcome before DecisionOutcomeUnknownError (default DECISION_WAIT_MS). */
  decisionWaitMs?: number;
}

/** A decision's outcome is awaited this long: a worker restarting after a crash is back well within it. */
export const DECISION_WAIT_MS = 30_000;

/** A support decision that the workflow refused (wrong state, bad input). */
export class DecisionRejectedError extends Error {
  override readonly name = 'DecisionRejectedError';
  constructor(
    message: string,
    readonly type: string | undefined,
  ) {
    super(message);
  }
}

/**
 * A support decision was sent but its outcome was not seen before the call's deadline: it may still be applied.
 * Sending it again with the same request key returns its outcome instead of deciding twice.
 */
export class DecisionOutcomeUnknownError extends Error {
  override readonly name = 'DecisionOutcomeUnknownError';
}

/** An event for an order whose workflow has completed: authentic, but too late to change anything. */
export class OrderClosedError extends Error {
  override readonly name = 'OrderClosedError';
}

/**
 * Event types that open an order: their delivery usually finds no workflow yet, so it starts one with the event
 * in its input. Other events usually find a running workflow, which a plain signal reaches most cheaply.
 */
const OPENS_ORDER: ReadonlySet<string> = new Set(['CHECKOUT.ORDER.APPROVED']);

/** Thrown when an order is registered twice while its workflow is running. */
export class OrderAlreadyRegisteredError extends Error {
  override readonly name = 'OrderAlreadyRegisteredError';
}

/** What an order's latest run publishes about it (OrdersClient.publishedOrder). */
export interface PublishedOrder {
  running: boolean;
  /** The OrderState search attribute (an OrderState value). */
  state?: string;
  /** The PayPalCaptureId search attribute, once PayPal reported a capture. */
  captureId?: string;
}

/** Summary row of an order listing (from Temporal visibility). */
export interface OrderListItem {
  orderId: string;
  workflowId: string;
  state: string | undefined;
  /** Why it waits for a human, while it does (`needs_review`). */
  reviewReason?: string;
  status: string;
  startTime: string;
}

/**
 * Everything the intake, the admin API and the CLI do with order workflows, in one place, so they cannot
 * disagree on IDs, start options or message names.
 */
export class OrdersClient {
  constructor(
    private readonly client: Client,
    private readonly defaults: OrderDefaults,
  ) {}

  /**
   * Records a verified webhook durably and resolves only once Temporal has persisted it, so the intake may answer
   * 2xx; needs no running worker. An order's first webhook (CHECKOUT.ORDER.APPROVED) starts its workflow with the
   * event in the start's input: one billable action, where a signal-with-start costs two (start and signal). Every
   * other event is signalled to the order's open run, or, when it has none, goes by signal-with-start. Throws
   * {@link OrderClosedError} when the order's workflow has completed (its watch window is over).
   */
  async deliverEvent(orderId: string, hint: PayPalEventHint): Promise<{ workflowId: string }> {
    const deadline = Date.now() + (this.defaults.recordTimeoutMs ?? 5_000);
    try {
      await this.client.withDeadline(deadline, async () => {
        if (OPENS_ORDER.has(hint.eventType)) await this.startWithEvent(orderId, hint);
        else await this.signalOrStart(orderId, hint);
      });
    } catch (err) {
      // A completed run refuses the start (ALLOW_DUPLICATE_FAILED_ONLY), and a signal finds no open run.
      if (err instanceof WorkflowExecutionAlreadyStartedError || err instanceof WorkflowNotFoundError) throw new OrderClosedError(`order ${orderId} is closed`, { cause: err });
      throw err;
    }
    return { workflowId: orderWorkflowId(orderId) };
  }

  /** Starts the order's workflow with the event in its input; if a run is open already, signals the event to it. */
  private async startWithEvent(orderId: string, hint: PayPalEventHint): Promise<void> {
    const args: [OrderWorkflowInput] = [{ ...this.startInput(orderId), firstEvent: hint }];
    try {
      await this.client.workflow.start(ORDER_WORKFLOW_TYPE, { ...this.eventStartOptions(orderId, hint), args, workflowIdConflictPolicy: 'FAIL' });
      return;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    // Refused: a run is open (a registered order, a redelivery), or completed (then the signal finds no open run).
    await this.client.workflow.getHandle(orderWorkflowId(orderId)).signal(paypalEventSignal, hint);
  }

  /**
   * Signals the event to the order's open run, which nearly every event after the approval finds; only when there
   * is none (an event ahead of its approval, or a closed order) does it make the signal-with-start, which starts the
   * order or, for a completed one, is refused. A plain signal costs the server about a third less CPU than a
   * signal-with-start to the same open run, and carries no start options (docs/benchmarks.md).
   */
  private async signalOrStart(orderId: string, hint: PayPalEventHint): Promise<void> {
    try {
      await this.client.workflow.getHandle(orderWorkflowId(orderId)).signal(paypalEventSignal, hint);
      return;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    await this.client.workflow.signalWithStart(ORDER_WORKFLOW_TYPE, this.deliverEventOptions(orderId, hint));
  }

  /** The signal-with-start deliverEvent makes for events that find no open run (public for the intake benchmark). */
  deliverEventOptions(orderId: string, hint: PayPalEventHint): WithWorkflowArgs<typeof orderWorkflowV4, WorkflowSignalWithStartOptions<[PayPalEventHint]>> {
    return { ...this.eventStartOptions(orderId, hint), args: [this.startInput(orderId)], signal: paypalEventSignal, signalArgs: [hint] };
  }

  /** What a start for a webhook sets besides its input, whether a plain start (approval) or a signal-with-start. */
  private eventStartOptions(orderId: string, hint: PayPalEventHint) {
    return {
      workflowId: orderWorkflowId(orderId),
      taskQueue: this.defaults.taskQueue,
      // A completed order stays completed: its run absorbed late events during its watch window, and a fresh run
      // would have forgotten its decisions (a rejected order must never be fulfilled by a redelivery). Only a run
      // that failed or was terminated may be restarted by a new event.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const,
      typedSearchAttributes: initialSearchAttributes(orderId, { autoCapture: this.defaults.autoCapture, firstHint: hint }),
      staticSummary: `PayPal order ${orderId}`,
      ...this.memo(),
    };
  }

  /**
   * Registers an order before payment (the merchant knows the PayPal order ID at checkout): starts its workflow,
   * which polls PayPal on its own schedule, so a paid order is found even if no webhook ever arrives. With
   * `expectedAmount` only that amount is captured: an order approved for another goes to review uncaptured.
   */
  async registerOrder(orderId: string, opts: { expectedAmount?: Amount; merchantReference?: string } = {}): Promise<{ workflowId: string }> {
    const workflowId = orderWorkflowId(orderId);
    try {
      await this.client.workflow.start(ORDER_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.defaults.taskQueue,
        args: [{ ...this.startInput(orderId), ...opts, verifyOnStart: true } satisfies OrderWorkflowInput],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        typedSearchAttributes: initialSearchAttributes(orderId, { ...opts, autoCapture: this.defaults.autoCapture }),
        staticSummary: `PayPal order ${orderId} (registered)`,
        ...this.memo(),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new OrderAlreadyRegisteredError(`PayPal order ${orderId} already has a running workflow`);
      throw err;
    }
    return { workflowId };
  }

  /**
   * The order as its latest run publishes it in search attributes (state, capture), read with a describe: unlike
   * the status query, not a billable action, and answered by the server without a worker. Undefined when the order
   * has no workflow.
   */
  async publishedOrder(orderId: string): Promise<PublishedOrder | undefined> {
    const deadline = Date.now() + (this.defaults.recordTimeoutMs ?? 5_000);
    try {
      const run = await this.client.withDeadline(deadline, () => this.client.workflow.getHandle(orderWorkflowId(orderId)).describe());
      const attributes = run.typedSearchAttributes;
      return { running: run.status.name === 'RUNNING', state: attributes.get(OrderStateKey), captureId: attributes.get(PayPalCaptureId) };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** The order's current state, or undefined when no workflow exists for it. */
  async getStatus(orderId: string): Promise<OrderStatusView | undefined> {
    try {
      return await this.client.workflow.getHandle(orderWorkflowId(orderId)).query(statusQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * Applies a support decision: refuses at once what the order's current state does not allow, else signals it to
   * the order's workflow with a request ID and reads its outcome from the status query. A signal, not an Update,
   * and judged by the order when it takes it: on SDK 1.24, decisions next to other events while a worker was
   * replaced left histories no worker could replay (docs/decisions.md).
   * With a `requestKey`, the request ID is derived from it: the workflow does not apply a repeat of the same
   * decision and key again, and its outcome is the first one's, so a caller whose answer was lost can retry.
   * Throws DecisionRejectedError when the workflow refuses it, DecisionOutcomeUnknownError when its outcome was
   * not seen in time, WorkflowNotFoundError for an unknown order.
   */
  async decide(orderId: string, kind: ReviewDecisionKind, input: DecisionInput, requestKey?: string): Promise<{ state: OrderState }> {
    const requestId = `${kind}:${requestKey ?? randomUUID()}`;
    const request: DecisionInput = { ...input, requestId };
    const handle = this.client.workflow.getHandle(orderWorkflowId(orderId));
    const deadline = Date.now() + (this.defaults.decisionWaitMs ?? DECISION_WAIT_MS);
    // A status read that no worker answered yet (one may be restarting) is undefined: the caller asks again.
    let lastError: unknown;
    const readStatus = () =>
      this.client.withDeadline(Math.min(deadline, Date.now() + 5_000), () => handle.query(statusQuery)).catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) throw err;
        lastError = err;
        return undefined;
      });
    // What the order would refuse in its current state is refused at once, without a signal (it judges again when
    // it takes the request). A repeat whose request the order already has is answered from it. If no worker answers
    // the query, the request is sent anyway: the order judges it.
    let status = await readStatus();
    if (status?.decisionRequests?.[requestId] === undefined) {
      const refusal = status && decisionRefusal(kind, request, status);
      if (refusal) throw new DecisionRejectedError(refusal.message, refusal.type);
      await handle.signal(decisionSignals[kind], request);
      status = undefined; // read before the signal
    }
    for (let pause = 50; ; pause = Math.min(pause * 2, 1_000)) {
      const outcome = status?.decisionRequests?.[requestId];
      if (outcome?.status === 'applied') return { state: outcome.state };
      if (outcome?.status === 'refused') throw new DecisionRejectedError(outcome.message, outcome.type);
      if (Date.now() + pause >= deadline) {
        const why = lastError instanceof Error ? `: ${lastError.message}` : '';
        throw new DecisionOutcomeUnknownError(`decision ${requestId} was sent to order ${orderId} but its outcome was not seen in time${why}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      status = await readStatus();
    }
  }

  /** Orders by state via Temporal visibility (eventually consistent, newest first). */
  async listOrders(filter: { state?: string; reason?: string; limit?: number } = {}): Promise<OrderListItem[]> {
    const clauses = [ORDER_WORKFLOW_TYPE_CLAUSE];
    if (filter.state) clauses.push(`OrderState = "${filter.state.replace(/[^a-z_]/g, '')}"`);
    if (filter.reason) clauses.push(`ReviewReason = "${filter.reason.replace(/[^a-z_]/g, '')}"`);
    const items: OrderListItem[] = [];
    for await (const wf of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      const reviewReason = wf.typedSearchAttributes.get(ReviewReason); // '' once out of review
      items.push({
        orderId: wf.typedSearchAttributes.get(PayPalOrderId) ?? wf.workflowId.replace(/^paypal-order-/, ''),
        workflowId: wf.workflowId,
        state: wf.typedSearchAttributes.get(OrderStateKey),
        ...(reviewReason ? { reviewReason } : {}),
        status: wf.status.name,
        startTime: wf.startTime.toISOString(),
      });
      if (items.length >= (filter.limit ?? 100)) break;
    }
    return items;
  }

  /** Start options that mark a run as traced (see TRACED_MEMO_KEY); none when tracing is off. */
  private memo(): { memo?: Record<string, unknown> } {
    return this.defaults.traced ? { memo: { [TRACED_MEMO_KEY]: true } } : {};
  }

  private startInput(orderId: string): OrderWorkflowInput {
    return { orderId, autoCapture: this.defaults.autoCapture, timing: this.defaults.timing };
  }
}
