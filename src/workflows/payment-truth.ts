/**
 * What PayPal says about an order, as the activities normalise it (PaymentTruth), and the predicates over it: its
 * amounts, its payment status, and whether it is an order the product fulfils by itself. Pure data and functions,
 * no I/O; order-model.ts re-exports all of it.
 */

/** A PayPal amount. */
export interface Amount {
  value: string;
  currency_code: string;
}

/** What PayPal says about the order right now, normalised by the verifyPayment/captureOrder activities. */
export interface PaymentTruth {
  /** Orders v2 status: CREATED, SAVED, APPROVED, VOIDED, COMPLETED, PAYER_ACTION_REQUIRED, or anything new. */
  orderStatus: string;
  /**
   * The capture that stands for the payment: the only one, or, when there are several (an authorization the
   * merchant captured in parts, a multi-seller payment's units), the first that took money, with the amount they
   * took together and the status of the whole payment (activities' paymentCapture).
   */
  capture?: {
    id: string;
    /** COMPLETED, PENDING, DECLINED, FAILED, REFUNDED, PARTIALLY_REFUNDED, or anything new. */
    status: string;
    reason?: string;
    amount?: Amount;
  };
  /** Authorize flow only: the order's authorization (CREATED, CAPTURED, VOIDED, EXPIRED, ...). */
  authorization?: { id: string; status: string };
  /** Refunds and reversals of the payment's captures, as PayPal lists them on the order. */
  refunds?: { id: string; status: string; amount?: Amount }[];
  /** What the buyer approved: the order's amount, over every purchase unit when there are several. */
  orderAmount?: Amount;
  customId?: string;
  invoiceId?: string;
  /**
   * How many purchase units PayPal's order has, when more than one (PayPal's multi-seller payments, each unit a
   * payment to its own payee). The order's references (custom and invoice IDs) then describe the first unit; its
   * amount, the capture and the refunds are every unit's. Absent for an order of one unit.
   */
  purchaseUnits?: number;
}

/**
 * True while PayPal still holds the order's capture as PENDING: the one answer that leaves a `payment_pending`
 * order where it is, so a poll that reads it has learnt nothing. The poll activity fails on it (and is retried on
 * the poll schedule); any other answer goes to the machine.
 */
export function captureStillPending(truth: PaymentTruth): boolean {
  return truth.capture?.status === 'PENDING';
}

/**
 * What a read of PayPal must differ in for an `awaiting_payment` order to move: the order's status and its
 * capture's and authorization's IDs and statuses. Every read in that state went through the machine and left the
 * order there, so a read with the same status leaves it there too; any difference goes to the machine.
 */
export interface PaymentStatus {
  orderStatus: string;
  capture?: string;
  authorization?: string;
}

/** The payment status of a read (see PaymentStatus). */
export function paymentStatus(truth: PaymentTruth): PaymentStatus {
  const { orderStatus, capture, authorization } = truth;
  return {
    orderStatus,
    ...(capture ? { capture: `${capture.id} ${capture.status}` } : {}),
    ...(authorization ? { authorization: `${authorization.id} ${authorization.status}` } : {}),
  };
}

/** True when `truth` has the payment status `held` (null: nothing read yet, so any read is news). */
export function paymentUnchanged(held: PaymentStatus | null, truth: PaymentTruth): boolean {
  if (!held) return false;
  const read = paymentStatus(truth);
  return read.orderStatus === held.orderStatus && read.capture === held.capture && read.authorization === held.authorization;
}

/** The amount the order may be captured for: the one support accepted, else the registered one (none: any). */
export function amountToCapture(data: { expectedAmount?: Amount; acceptedAmount?: Amount }): Amount | undefined {
  return data.acceptedAmount ?? data.expectedAmount;
}

/** True when PayPal's amount is known and equals `expected` (same currency, same value). */
export function sameAmount(expected: Amount, actual: Amount | undefined): boolean {
  return !!actual && expected.currency_code === actual.currency_code && Number(expected.value) === Number(actual.value);
}

/**
 * True when a capture of the order as PayPal shows it would charge another amount than the registered `expected`
 * one: nothing captured yet, and the order's amount differs (or is unknown). The capture activity and the machine
 * both ask it, so the one leaves uncaptured exactly what the other sends to review.
 */
export function uncapturedAmountDiffers(expected: Amount, truth: PaymentTruth): boolean {
  return !truth.capture && !sameAmount(expected, truth.orderAmount);
}

/** An amount as people read it: `12.00 USD`. */
export function formatAmount(a: Amount): string {
  return `${a.value} ${a.currency_code}`;
}

/**
 * True when PayPal's order has more than one purchase unit (a multi-seller payment). The product fulfils an order
 * as one payment, so it sends such an order to review once PayPal has captured it, instead of fulfilling it on the
 * first unit's capture (reviewMultiUnitOrders).
 */
export function hasSeveralPurchaseUnits(truth: PaymentTruth): boolean {
  return (truth.purchaseUnits ?? 1) > 1;
}
