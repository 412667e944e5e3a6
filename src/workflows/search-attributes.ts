import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes kept current on every order workflow, so ops can filter orders in the Temporal UI
 * (e.g. `OrderState = "needs_review"`). The dev server registers them at start; `ppf setup` on other clusters.
 */
export const PayPalOrderId = defineSearchAttributeKey('PayPalOrderId', SearchAttributeType.KEYWORD);
/** Capture ID once PayPal reports one. */
export const PayPalCaptureId = defineSearchAttributeKey('PayPalCaptureId', SearchAttributeType.KEYWORD);
/** The order's lifecycle state (an OrderState value). */
export const OrderStateKey = defineSearchAttributeKey('OrderState', SearchAttributeType.KEYWORD);
/** True while a human must decide. */
export const NeedsReview = defineSearchAttributeKey('NeedsReview', SearchAttributeType.BOOL);
/** Reason code of the current review, empty otherwise. */
export const ReviewReason = defineSearchAttributeKey('ReviewReason', SearchAttributeType.KEYWORD);
/** Captured (or expected) amount, as a number for range queries. */
export const OrderAmount = defineSearchAttributeKey('OrderAmount', SearchAttributeType.DOUBLE);
/** ISO currency code of the amount. */
export const OrderCurrency = defineSearchAttributeKey('OrderCurrency', SearchAttributeType.KEYWORD);
/** The merchant's own reference (PayPal custom_id / invoice_id or the one given at registration). */
export const MerchantReference = defineSearchAttributeKey('MerchantReference', SearchAttributeType.KEYWORD);

/** Every key, with the type name the Temporal CLI's `--search-attribute Name=Type` expects. */
export const ALL_SEARCH_ATTRIBUTES = [
  PayPalOrderId,
  PayPalCaptureId,
  OrderStateKey,
  NeedsReview,
  ReviewReason,
  OrderAmount,
  OrderCurrency,
  MerchantReference,
] as const;
