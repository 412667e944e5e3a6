import type { SearchAttributePair, SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
import { CURRENT_MACHINE_OPTIONS, formatAmount, newOrder, transition, webhooksReceived, type Amount, type OrderData, type WebhookHint } from './order-machine';
import {
  MerchantReference,
  NeedsReview,
  OrderAmount,
  OrderCurrency,
  OrderStateKey,
  PayPalCaptureId,
  PayPalOrderId,
  ReviewReason,
} from './search-attributes';

/** The search attributes that describe an order right now (all keys, so stale values are overwritten). */
export function orderSearchAttributes(data: OrderData, merchantReference?: string): SearchAttributeUpdatePair[] {
  const amount = data.truth?.capture?.amount ?? data.truth?.orderAmount ?? data.expectedAmount;
  const reference = merchantReference ?? data.truth?.customId ?? data.truth?.invoiceId;
  const pairs: SearchAttributeUpdatePair[] = [
    { key: PayPalOrderId, value: data.orderId },
    { key: OrderStateKey, value: data.state },
    { key: NeedsReview, value: data.state === 'needs_review' },
    { key: ReviewReason, value: data.review?.code ?? '' },
  ];
  if (data.truth?.capture?.id) pairs.push({ key: PayPalCaptureId, value: data.truth.capture.id });
  if (amount && Number.isFinite(Number(amount.value))) {
    pairs.push({ key: OrderAmount, value: Number(amount.value) }, { key: OrderCurrency, value: amount.currency_code });
  }
  if (reference) pairs.push({ key: MerchantReference, value: reference });
  return pairs;
}

/**
 * The search attributes a client sets when it starts an order's workflow (free, unlike an upsert): what the run
 * publishes after its first input, computed with the same machine and options as orderWorkflowV4, so a new order
 * costs no upsert until its state changes again. `firstHint` is the webhook the start comes with, if any: an
 * approval starts an auto-capture order in `capturing`, anything else leaves it `awaiting_payment`.
 */
export function initialSearchAttributes(
  orderId: string,
  opts: { expectedAmount?: Amount; merchantReference?: string; autoCapture?: boolean; firstHint?: WebhookHint } = {},
): SearchAttributePair[] {
  const now = new Date(0).toISOString(); // the machine's timestamps do not reach search attributes
  let data = newOrder(orderId, { autoCapture: opts.autoCapture ?? true, expectedAmount: opts.expectedAmount, now });
  if (opts.firstHint) data = transition(data, webhooksReceived([opts.firstHint]), now, CURRENT_MACHINE_OPTIONS).data;
  const start = orderSearchAttributes(data, opts.merchantReference);
  return start.filter((pair): pair is SearchAttributePair => pair.value !== null && pair.value !== '');
}

/** The pairs of `desired` whose value the run does not have yet; an empty keyword counts as unset. */
export function changedSearchAttributes(desired: SearchAttributeUpdatePair[], current: TypedSearchAttributes): SearchAttributeUpdatePair[] {
  return desired.filter((pair) => {
    const now: unknown = current.get(pair.key);
    return !(now === pair.value || ((now === undefined || now === '') && pair.value === ''));
  });
}

/** One line, in words, of where the order stands: shown as the run's current details in the Temporal UI. */
export function describeOrder(data: OrderData): string {
  const last = data.timeline[data.timeline.length - 1];
  const money = data.truth?.capture?.amount ?? data.truth?.orderAmount;
  const amount = money ? ` ${formatAmount(money)}` : '';
  const review = data.review ? ` Review reason: ${data.review.code} (${data.review.message}).` : '';
  return `PayPal order ${data.orderId}${amount} is ${data.state.replace(/_/g, ' ')}: ${last?.note ?? ''}.${review}`;
}
