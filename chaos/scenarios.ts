import { addAmounts } from '../src/paypal/money';
import type { SimulatorControlClient } from '../src/simulator';
import type { ReviewReasonCode } from '../src/workflows/order-machine';
import type { ChaosMerchant } from './merchant';

/** What a simulated buyer and merchant do with one order, and how it must end. */
export type ScenarioKind = 'plain' | 'registered' | 'mismatch' | 'pending' | 'declined' | 'reversed' | 'rejected' | 'multiSeller';

/** Share of orders per scenario (the rest of the run's orders are `plain`). */
export const SCENARIO_WEIGHTS: Record<ScenarioKind, number> = {
  plain: 0.52,
  registered: 0.1,
  mismatch: 0.05,
  pending: 0.08,
  declined: 0.05,
  reversed: 0.12,
  rejected: 0.05,
  multiSeller: 0.03,
};

/** The correct end of an order. */
export interface Expectation {
  state: 'fulfilled' | 'needs_review' | 'cancelled' | 'revoked';
  /**
   * Another acceptable end, when the workflow cannot know which applies. The `updates` check still holds, so the
   * merchant must have been told everything either way.
   */
  orState?: 'refunded';
  reviewReason?: ReviewReasonCode;
  /** Kinds of service update the merchant must have applied exactly once (refund keys are per refund ID). */
  updates: ('order.paid' | 'order.reversed')[];
  /** PayPal must never have captured it: the buyer was not charged. */
  neverCaptured?: true;
}

/** The expected end of each scenario. */
export const EXPECTED: Record<ScenarioKind, Expectation> = {
  plain: { state: 'fulfilled', updates: ['order.paid'] },
  registered: { state: 'fulfilled', updates: ['order.paid'] },
  // The buyer approved another amount than the merchant registered: never captured, so never charged. Support
  // looks at the mismatch and rejects the order (e.g. fraud): it must stay cancelled, unpaid.
  mismatch: { state: 'cancelled', updates: [], neverCaptured: true },
  pending: { state: 'fulfilled', updates: ['order.paid'] },
  declined: { state: 'cancelled', updates: [] },
  // The chargeback comes once the merchant applied order.paid. If every answer to that update was lost (timeouts
  // under load), the workflow is still re-attempting it when the capture is reversed: it tells the merchant about
  // the reversal and ends as `refunded`, since it never saw the update succeed.
  reversed: { state: 'revoked', orState: 'refunded', updates: ['order.paid', 'order.reversed'] },
  rejected: { state: 'needs_review', reviewReason: 'service_update_failed', updates: [] },
  // Two purchase units (a multi-seller payment): both captured, then left to support, never delivered on the first
  // unit alone, whatever its two capture webhooks do. Every other one is registered first, for the order's total.
  multiSeller: { state: 'needs_review', reviewReason: 'multiple_purchase_units', updates: [] },
};

/** One simulated order as the chaos engine tracks it. */
export interface ChaosOrder {
  index: number;
  kind: ScenarioKind;
  orderId?: string;
  amount: string;
  /** Follow-up done (pending capture settled, capture reversed, a late buyer's approval), or not needed. */
  followUpDone: boolean;
  /** Registered orders whose buyer approves late (every other one): not before this time (ms since the epoch). */
  approveAt?: number;
  /** Support's reject was sent (mismatch orders); it is sent again, with the same Idempotency-Key, until answered 200. */
  rejectSent?: boolean;
  refundId?: string;
  /** Last error of the driver for this order (creation or follow-up), for the report. */
  driverError?: string;
}

/** Deterministic pseudo-random numbers (mulberry32), so a seed reproduces a run's scenario mix and faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks each order's scenario from the weights. */
export function planOrders(count: number, random: () => number): ChaosOrder[] {
  const kinds = Object.entries(SCENARIO_WEIGHTS) as [ScenarioKind, number][];
  return Array.from({ length: count }, (_, index) => {
    let roll = random();
    let kind: ScenarioKind = 'plain';
    for (const [k, w] of kinds) {
      if (roll < w) {
        kind = k;
        break;
      }
      roll -= w;
    }
    const amount = `${10 + Math.floor(random() * 490)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`;
    return { index, kind, amount, followUpDone: kind !== 'pending' && kind !== 'reversed' && kind !== 'mismatch' && !lateBuyer(kind, index) };
  });
}

/**
 * Every other registered order's buyer approves only LATE_APPROVAL_MS after the registration, so that its order
 * polls PayPal first (the chaos schedule's first poll is 5 s after the registration's read): the approval's webhook
 * then cancels the running poll, or, dropped, is found by the poll's next read.
 */
const LATE_APPROVAL_MS = 8_000;
function lateBuyer(kind: ScenarioKind, index: number): boolean {
  return kind === 'registered' && index % 2 === 1;
}

/** What driving orders needs: the simulator (as buyer), the merchant's records and the admin API (as support). */
export interface DriverDeps {
  control: SimulatorControlClient;
  merchant: ChaosMerchant;
  /** Calls the admin API (`POST` when `body` is given); resolves with the status and parsed body. */
  admin(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Retries a call that may meet injected faults or outages, for up to `ms`. */
async function persist<T>(ms: number, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (let delay = 200; ; delay = Math.min(delay * 2, 3000)) {
    try {
      return await call();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** The second seller's unit of a multiSeller order. */
const OTHER_UNIT = { currency_code: 'USD', value: '5.00' };
/** What the merchant registers above the buyer's amount for a mismatch order. */
const MISMATCH_EXTRA = { currency_code: 'USD', value: '1.00' };

/**
 * Creates the order at the simulator the way its scenario says: a plain checkout (approved at once), one of two
 * purchase units, a capture that will be pending or declined, or a merchant registration (`POST /orders`, with the
 * right or a wrong amount; a multi-seller order's total) before the buyer approves (at once, or for every other
 * registered order LATE_APPROVAL_MS later, in followUp).
 */
export async function createOrder(order: ChaosOrder, deps: DriverDeps): Promise<void> {
  const amount = { currency_code: 'USD', value: order.amount };
  const customId = `${order.kind === 'rejected' ? 'reject' : 'chaos'}-${order.index}`;
  const registerFirst = order.kind === 'registered' || order.kind === 'mismatch' || (order.kind === 'multiSeller' && order.index % 2 === 1);
  const captureOutcome = order.kind === 'pending' ? 'PENDING' : order.kind === 'declined' ? 'DECLINED' : 'COMPLETED';
  const created = await persist(60_000, () =>
    deps.control.checkout({
      amount,
      custom_id: customId,
      invoice_id: `inv-${order.index}`,
      captureOutcome,
      approve: !registerFirst,
      ...(order.kind === 'multiSeller' ? { otherUnits: [OTHER_UNIT] } : {}),
    }),
  );
  order.orderId = created.orderId;
  if (!registerFirst) return;
  // The merchant registers the buyer's amount, a dollar more for a mismatch, or both sellers' units for a multiSeller.
  const extra = order.kind === 'mismatch' ? MISMATCH_EXTRA : order.kind === 'multiSeller' ? OTHER_UNIT : undefined;
  const registered = extra ? addAmounts([amount, extra])! : amount;
  await persist(120_000, async () => {
    const { status } = await deps.admin('/orders', { orderId: created.orderId, amount: registered });
    // 409: an earlier attempt did register it (its answer was lost to an outage).
    if (status !== 201 && status !== 409) throw new Error(`POST /orders answered ${status}`);
  });
  if (lateBuyer(order.kind, order.index)) {
    order.approveAt = Date.now() + LATE_APPROVAL_MS;
    return;
  }
  await persist(60_000, () => deps.control.approveOrder(created.orderId, { captureOutcome }));
}

/**
 * The second act of scenarios that have one, called repeatedly until it reports done: settle a pending capture
 * once it exists; reverse a fulfilled order's capture (a chargeback) once the merchant applied `order.paid`;
 * reject an order in review for an amount mismatch, as support would (`POST /orders/:id/reject`); approve a late
 * buyer's registered order once its time has come.
 */
export async function followUp(order: ChaosOrder, deps: DriverDeps): Promise<void> {
  if (order.followUpDone || !order.orderId) return;
  if (order.kind === 'registered') {
    if (Date.now() < (order.approveAt ?? 0)) return;
    try {
      await deps.control.approveOrder(order.orderId, { captureOutcome: 'COMPLETED' });
    } catch (err) {
      // An earlier call may have approved it and lost its answer: done if PayPal (the simulator) says approved.
      if ((await deps.control.events({ orderId: order.orderId, eventType: 'CHECKOUT.ORDER.APPROVED' })).length === 0) throw err;
    }
    order.followUpDone = true;
  } else if (order.kind === 'pending') {
    const events = await deps.control.events({ orderId: order.orderId, eventType: 'PAYMENT.CAPTURE.PENDING' });
    const captureId = events[0]?.event.resource.id;
    if (typeof captureId !== 'string') return; // not captured yet
    await deps.control.completeCapture(captureId);
    order.followUpDone = true;
  } else if (order.kind === 'reversed') {
    const paid = deps.merchant.applied.get(`order.paid:${order.orderId}`);
    if (!paid?.payload.captureId) return; // not fulfilled yet
    const refund = await deps.control.reverseCapture(paid.payload.captureId);
    order.refundId = refund.id;
    order.followUpDone = true;
  } else if (order.kind === 'mismatch') {
    if (!order.rejectSent) {
      const { body } = await deps.admin(`/orders/${order.orderId}`);
      if (body.state !== 'needs_review') return;
      order.rejectSent = true;
    }
    // One key per order: a reject whose answer was lost (Temporal slow or restarting) is sent again and answered with
    // its outcome, where a new reject of the now-cancelled order would be refused.
    const { status } = await deps.admin(`/orders/${order.orderId}/reject`, { reason: 'amount mismatch: fraud confirmed', actor: 'chaos-support' }, { 'idempotency-key': `chaos-reject-${order.orderId}` });
    if (status === 200) order.followUpDone = true;
  }
}
