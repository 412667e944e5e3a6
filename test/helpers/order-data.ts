// Order data for the state machine's unit tests: a fixed clock, a captured payment, an order in a given state.
import { newOrder, type MachineInput, type OrderData, type OrderState, type PaymentTruth, type ReviewDecisionKind } from '../../src/workflows/order-machine';

/** The machine reads no clock; every test transition happens at this instant. */
export const NOW = '2026-01-01T00:00:00.000Z';

/** PayPal's truth for a completed order whose capture CAP1 (10.00 USD) has `status`. */
export const captured = (status: string, extra: Partial<NonNullable<PaymentTruth['capture']>> = {}): PaymentTruth => ({
  orderStatus: 'COMPLETED',
  capture: { id: 'CAP1', status, amount: { value: '10.00', currency_code: 'USD' }, ...extra },
});

/** A new auto-capture order ORDER1, put in `state` with `patch` applied. */
export function at(state: OrderState, patch: Partial<OrderData> = {}): OrderData {
  return { ...newOrder('ORDER1', { autoCapture: true, now: NOW }), state, ...patch };
}

/** Support's decision as a machine input, taken by ana@support at NOW. */
export function supportDecision(decision: ReviewDecisionKind, reason: string): MachineInput {
  return { type: 'decision', decision: { decision, actor: 'ana@support', reason, at: NOW } };
}
