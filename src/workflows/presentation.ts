import type { SearchAttributePair, SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
import { newOrder, type Amount, type OrderData } from './order-machine';
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
 * The search attributes a client sets when it starts an order's workflow (free, unlike an upsert): exactly what the
 * run's first publish would set, so a new order costs no upsert until its state changes.
 */
export function initialSearchAttributes(orderId: string, opts: { expectedAmount?: Amount; merchantReference?: string } = {}): SearchAttributePair[] {
  const start = orderSearchAttributes(newOrder(orderId, { autoCapture: true, expectedAmount: opts.expectedAmount, now: new Date(0).toISOString() }), opts.merchantReference);
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
  const amount = money ? ` ${money.value} ${money.currency_code}` : '';
  const review = data.review ? ` Review reason: ${data.review.code} (${data.review.message}).` : '';
  return `PayPal order ${data.orderId}${amount} is ${data.state.replace(/_/g, ' ')}: ${last?.note ?? ''}.${review}`;
}
