import type { OrderStatusView } from '../workflows/messages';
import { formatAmount } from '../workflows/order-model';

/**
 * The order's amount as PayPal shows it, captured or not (a multi-seller payment's: captured over all its units),
 * and the amount the merchant registered: support compares them for an `amount_mismatch`. Undefined when neither
 * is known.
 */
function amountLine(o: OrderStatusView): string | undefined {
  const captured = o.truth?.capture?.amount;
  const atPayPal = captured ?? o.truth?.orderAmount;
  const registered = o.expectedAmount && `registered ${formatAmount(o.expectedAmount)}`;
  const accepted = o.acceptedAmount && `${formatAmount(o.acceptedAmount)} accepted by support`;
  // A multi-seller payment: captured over several purchase units, so say so.
  const units = o.truth?.purchaseUnits ? ` over ${o.truth.purchaseUnits} purchase units` : '';
  const paypal = atPayPal && `${formatAmount(atPayPal)}${units} at PayPal${captured ? ', captured' : ', not captured'}`;
  const parts = [paypal, registered, accepted].filter(Boolean);
  return parts.length > 0 ? `Amount     ${parts.join(' · ')}` : undefined;
}

/** Human-readable rendering of `GET /orders/:id`. */
export function printOrder(body: Record<string, unknown>): void {
  const o = body as unknown as OrderStatusView;
  const capture = o.truth?.capture;
  const lines = [
    `Order      ${o.orderId}   (${o.workflowId})`,
    `State      ${o.state}`,
    `PayPal     order ${o.truth?.orderStatus ?? '?'}${capture ? `, capture ${capture.id} ${capture.status}${capture.reason ? ` (${capture.reason})` : ''}` : ''}`,
    amountLine(o),
    o.review && `Review     ${o.review.code}: ${o.review.message} (since ${o.review.since})`,
    o.lastError && `Last error ${o.lastError}`,
    `Webhooks   ${o.eventsSeen} seen, ${o.duplicateEvents} duplicates ignored`,
    o.decisions.length > 0 && 'Decisions',
    ...o.decisions.map((d) => `  ${d.at}  ${d.decision} by ${d.actor}: ${d.reason}`),
    'Timeline',
    ...o.timeline.map((t) => `  ${t.at}  ${t.state.padEnd(18)} ${t.note}`),
  ];
  console.log(lines.filter(Boolean).join('\n'));
}

/** Human-readable rendering of `GET /orders`. */
export function printOrderList(body: Record<string, unknown>): void {
  const orders = (body.orders ?? []) as { orderId: string; state?: string; reviewReason?: string; status: string; startTime: string }[];
  if (orders.length === 0) return console.log('no orders');
  for (const o of orders) {
    const reason = o.reviewReason ? `  ${o.reviewReason}` : '';
    console.log(`${o.orderId.padEnd(20)} ${(o.state ?? '?').padEnd(18)} ${o.status.padEnd(10)} ${o.startTime}${reason}`);
  }
}
