import type { Money } from '../../paypal/money';

/** How the buyer's funding behaves when the merchant captures; chosen at approval (control API). */
export type CaptureOutcome = 'COMPLETED' | 'PENDING' | 'DECLINED';

/** Order statuses the simulator uses (a subset of PayPal's `order_status`). */
export type OrderStatus = 'CREATED' | 'APPROVED' | 'VOIDED' | 'COMPLETED';

/** Capture statuses, exactly PayPal's `capture_status` enum. */
export type CaptureStatus = 'COMPLETED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'FAILED';

/** Authorization statuses (subset of PayPal's). */
export type AuthorizationStatus = 'CREATED' | 'PARTIALLY_CAPTURED' | 'CAPTURED' | 'VOIDED';

/** A purchase unit as the merchant created it. */
export interface PurchaseUnitRecord {
  referenceId: string;
  amount: Money;
  customId?: string;
  invoiceId?: string;
  description?: string;
}

/** The fake buyer attached at approval. */
export interface PayerRecord {
  payerId: string;
  email: string;
  givenName: string;
  surname: string;
  countryCode: string;
}

/** An order in memory. */
export interface OrderRecord {
  id: string;
  intent: 'CAPTURE' | 'AUTHORIZE';
  status: OrderStatus;
  purchaseUnits: PurchaseUnitRecord[];
  createTime: string;
  updateTime: string;
  payer?: PayerRecord;
  captureOutcome: CaptureOutcome;
  pendingReason: string;
  /** Captures per purchase unit index (PayPal captures every unit of an order in one call). */
  captureIds: string[];
  authorizationIds: string[];
}

/** A captured payment. */
export interface CaptureRecord {
  id: string;
  orderId: string;
  authorizationId?: string;
  referenceId: string;
  amount: Money;
  status: CaptureStatus;
  /** `status_details.reason` (PENDING reason, or why it was declined/refunded). */
  statusReason?: string;
  customId?: string;
  invoiceId?: string;
  createTime: string;
  updateTime: string;
  refundIds: string[];
}

/** A refund or a reversal (PayPal represents chargeback reversals as refund resources too). */
export interface RefundRecord {
  id: string;
  captureId: string;
  orderId: string;
  amount: Money;
  /** Sum refunded on the capture including this refund (minor units), for `total_refunded_amount`. */
  totalRefundedMinor: bigint;
  reversal: boolean;
  invoiceId?: string;
  customId?: string;
  noteToPayer?: string;
  createTime: string;
  updateTime: string;
}

/** An authorization (AUTHORIZE intent). */
export interface AuthorizationRecord {
  id: string;
  orderId: string;
  referenceId: string;
  amount: Money;
  status: AuthorizationStatus;
  customId?: string;
  invoiceId?: string;
  createTime: string;
  updateTime: string;
  expirationTime: string;
  captureIds: string[];
}

/** A stored answer for a `PayPal-Request-Id`, replayed verbatim on retry. */
export interface IdempotentAnswer {
  statusCode: number;
  body: string;
}

/**
 * All simulator state, in memory. Plain maps on purpose: the simulator is single-process and a restart is a
 * clean slate, which is what demos and tests want.
 */
export class SimulatorStore {
  readonly orders = new Map<string, OrderRecord>();
  readonly captures = new Map<string, CaptureRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly authorizations = new Map<string, AuthorizationRecord>();
  /** Access token → expiry (epoch ms). */
  readonly tokens = new Map<string, number>();
  private readonly idempotent = new Map<string, IdempotentAnswer>();

  /** Looks up an earlier answer for the same operation, resource and `PayPal-Request-Id`. */
  idempotentAnswer(operation: string, resourceId: string, requestId: string | undefined): IdempotentAnswer | undefined {
    return requestId ? this.idempotent.get(`${operation}|${resourceId}|${requestId}`) : undefined;
  }

  /** Remembers an answer so a retry with the same `PayPal-Request-Id` replays it. */
  rememberAnswer(operation: string, resourceId: string, requestId: string | undefined, answer: IdempotentAnswer): void {
    if (requestId) this.idempotent.set(`${operation}|${resourceId}|${requestId}`, answer);
  }
}
