import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionOutcome } from './decision-requests';
import type { OrderData, OrderState, ReviewDecisionKind } from './order-machine';

/**
 * The order workflow's public messages, shared by the workflow and every client (intake, admin API, CLI), so a
 * name or payload can never drift between sender and receiver.
 */

/** What the intake tells the workflow about a verified webhook. Only a hint: the workflow re-reads PayPal. */
export interface PayPalEventHint {
  eventId: string;
  eventType: string;
  /** The event's resource ID (the refund, for refund and reversal events). */
  resourceId?: string;
}

/** Delivered once per received webhook (PayPal redelivers; the workflow dedupes by `eventId`). */
export const paypalEventSignal = defineSignal<[PayPalEventHint]>('paypalEvent');

/** The order as ops and support see it. */
export interface OrderStatusView extends OrderData {
  workflowId: string;
  eventsSeen: number;
  duplicateEvents: number;
  /** What became of the decision requests (signals with a requestId) by ID: how the admin API hears back. */
  decisionRequests?: Record<string, DecisionOutcome>;
}

/** Current state, timeline, decisions. */
export const statusQuery = defineQuery<OrderStatusView>('status');

/** A support decision's input: who decided and why (both required, both recorded in history). */
export interface DecisionInput {
  actor: string;
  reason: string;
  /**
   * Set by the admin API (`<decision>:<Idempotency-Key or a UUID>`): the decision's outcome is kept under it in the
   * status query, and a repeat with the same ID is not applied again.
   */
  requestId?: string;
}

/** The result of a decision: the state the order moved to. */
export interface DecisionResult {
  state: OrderState;
}

/**
 * Support decisions as Updates, validated synchronously. The product no longer sends them (the admin API signals,
 * see OrdersClient.decide): a worker killed while an Update and a signal waited for the same order once wrote a
 * history no worker could replay (docs/decisions.md). The handlers stay, for runs whose histories hold Updates.
 */
export const decisionUpdates: Record<ReviewDecisionKind, ReturnType<typeof defineUpdate<DecisionResult, [DecisionInput]>>> = {
  approve: defineUpdate<DecisionResult, [DecisionInput]>('approve'),
  retry: defineUpdate<DecisionResult, [DecisionInput]>('retry'),
  reject: defineUpdate<DecisionResult, [DecisionInput]>('reject'),
};

/**
 * Support decisions as Signals: sent by the admin API with a `requestId` (its outcome then shows in the status
 * query), and from the Temporal UI or `temporal workflow signal` without one.
 */
export const decisionSignals: Record<ReviewDecisionKind, ReturnType<typeof defineSignal<[DecisionInput]>>> = {
  approve: defineSignal<[DecisionInput]>('approve'),
  retry: defineSignal<[DecisionInput]>('retry'),
  reject: defineSignal<[DecisionInput]>('reject'),
};

/** The workflow type clients start for new orders (`orderWorkflowV4` in src/workflows/order.ts). */
export const ORDER_WORKFLOW_TYPE = 'orderWorkflowV4';

/**
 * Every order workflow type that may still have runs: listings and visibility queries must cover all of them
 * (`orderWorkflow`, `orderWorkflowV2` and `orderWorkflowV3` hold orders started by earlier versions).
 */
export const ORDER_WORKFLOW_TYPES = ['orderWorkflow', 'orderWorkflowV2', 'orderWorkflowV3', ORDER_WORKFLOW_TYPE] as const;

/** Visibility clause matching every order workflow type. */
export const ORDER_WORKFLOW_TYPE_CLAUSE = `WorkflowType IN (${ORDER_WORKFLOW_TYPES.map((t) => `"${t}"`).join(', ')})`;

/** The workflow ID for a PayPal order: one workflow per order, the single writer for it. */
export function orderWorkflowId(orderId: string): string {
  return `paypal-order-${orderId}`;
}
