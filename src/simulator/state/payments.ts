import { z } from 'zod';
import { invalidRequest, notFound, unprocessable } from '../errors';
import { isoSeconds, paypalId } from '../ids';
import { fromMinor, toMinor, type Money } from '../../paypal/money';
import { moneySchema } from '../../paypal/schemas';
import { controlError, type ApiAnswer, type SimContext } from './context';
import { newCapture, requireOrder } from './orders';
import { renderAuthorization, renderCapture, renderRefund } from './render';
import type { AuthorizationRecord, CaptureRecord, RefundRecord } from './store';

const refundRequestSchema = z
  .object({
    amount: moneySchema.optional(),
    invoice_id: z.string().min(1).max(127).optional(),
    custom_id: z.string().min(1).max(127).optional(),
    note_to_payer: z.string().min(1).max(255).optional(),
  })
  .loose();

/** The part of PayPal's authorization capture request the simulator understands; other fields are ignored. */
const authorizationCaptureSchema = z
  .object({
    amount: moneySchema.optional(),
    final_capture: z.boolean().default(false),
    invoice_id: z.string().min(1).max(127).optional(),
    note_to_payer: z.string().min(1).max(255).optional(),
    soft_descriptor: z.string().min(1).max(22).optional(),
  })
  .loose();

/** PayPal's default overage limit: the sum of an authorization's captures may reach 115 % of its amount. */
const MAX_CAPTURE_PERCENT = 115n;

/** Looks up a capture or throws PayPal's 404. */
export function requireCapture(ctx: SimContext, id: string): CaptureRecord {
  const capture = ctx.store.captures.get(id);
  if (!capture) throw notFound(id);
  return capture;
}

/** Looks up a refund or throws PayPal's 404. */
export function requireRefund(ctx: SimContext, id: string): RefundRecord {
  const refund = ctx.store.refunds.get(id);
  if (!refund) throw notFound(id);
  return refund;
}

/** Looks up an authorization or throws PayPal's 404. */
export function requireAuthorization(ctx: SimContext, id: string): AuthorizationRecord {
  const auth = ctx.store.authorizations.get(id);
  if (!auth) throw notFound(id);
  return auth;
}

/** The total of records' amounts in minor units; a record not found counts nothing. */
function totalMinor(records: readonly ({ amount: Money } | undefined)[]): bigint {
  return records.reduce((sum, r) => (r ? sum + (toMinor(r.amount.value, r.amount.currency_code) ?? 0n) : sum), 0n);
}

function refundedMinor(ctx: SimContext, capture: CaptureRecord): bigint {
  return totalMinor(capture.refundIds.map((id) => ctx.store.refunds.get(id)));
}

/** Records a refund/reversal of `amountMinor` (undefined = everything left) and updates the capture status. */
function addRefund(ctx: SimContext, capture: CaptureRecord, amountMinor: bigint | undefined, extra: Partial<RefundRecord> & { reversal: boolean }): RefundRecord {
  const currency = capture.amount.currency_code;
  const capturedMinor = toMinor(capture.amount.value, currency) ?? 0n;
  const already = refundedMinor(ctx, capture);
  const amount = amountMinor ?? capturedMinor - already;
  const total = already + amount;
  const now = isoSeconds();
  const refund: RefundRecord = {
    ...extra,
    id: paypalId(),
    captureId: capture.id,
    orderId: capture.orderId,
    amount: { currency_code: currency, value: fromMinor(amount, currency) },
    totalRefundedMinor: total,
    createTime: now,
    updateTime: now,
  };
  ctx.store.refunds.set(refund.id, refund);
  capture.refundIds.push(refund.id);
  capture.status = total >= capturedMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  capture.updateTime = now;
  return refund;
}

/** Checks a capture can give money back and parses the requested amount (undefined = full remainder). */
function refundableAmount(ctx: SimContext, capture: CaptureRecord, requested: { currency_code: string; value: string } | undefined): bigint | undefined {
  if (capture.status === 'PENDING') throw unprocessable('PENDING_CAPTURE');
  if (capture.status === 'REFUNDED') throw unprocessable('CAPTURE_FULLY_REFUNDED');
  if (capture.status !== 'COMPLETED' && capture.status !== 'PARTIALLY_REFUNDED') throw unprocessable('REFUND_NOT_ALLOWED');
  if (!requested) return undefined;
  const currency = capture.amount.currency_code;
  if (requested.currency_code !== currency) throw unprocessable('REFUND_CAPTURE_CURRENCY_MISMATCH');
  const minor = toMinor(requested.value, currency);
  if (minor === undefined || minor <= 0n) throw invalidRequest('INVALID_PARAMETER_VALUE', '/amount/value', requested.value);
  const left = (toMinor(capture.amount.value, currency) ?? 0n) - refundedMinor(ctx, capture);
  if (minor > left) throw unprocessable('REFUND_AMOUNT_EXCEEDED');
  return minor;
}

/**
 * `POST /v2/payments/captures/{id}/refund`: full or partial; idempotent per `PayPal-Request-Id` (the replay
 * returns the same refund). Emits PAYMENT.CAPTURE.REFUNDED with the refund resource.
 */
export function refundCapture(ctx: SimContext, captureId: string, body: unknown, requestId: string | undefined): ApiAnswer {
  const replay = ctx.store.idempotentAnswer('refund', captureId, requestId);
  if (replay) return replay;
  const capture = requireCapture(ctx, captureId);
  const parsed = refundRequestSchema.safeParse(body ?? {});
  if (!parsed.success) throw invalidRequest('INVALID_PARAMETER_VALUE', `/${parsed.error.issues[0]!.path.join('/')}`);
  const amount = refundableAmount(ctx, capture, parsed.data.amount);
  const refund = addRefund(ctx, capture, amount, {
    reversal: false,
    ...(parsed.data.invoice_id === undefined ? (capture.invoiceId ? { invoiceId: capture.invoiceId } : {}) : { invoiceId: parsed.data.invoice_id }),
    ...(parsed.data.custom_id === undefined ? (capture.customId ? { customId: capture.customId } : {}) : { customId: parsed.data.custom_id }),
    ...(parsed.data.note_to_payer === undefined ? {} : { noteToPayer: parsed.data.note_to_payer }),
  });
  const rendered = renderRefund(refund, ctx.baseUrl());
  ctx.emit('PAYMENT.CAPTURE.REFUNDED', rendered, capture.orderId);
  const answer = { statusCode: 201, body: JSON.stringify(rendered) };
  ctx.store.rememberAnswer('refund', captureId, requestId, answer);
  return answer;
}

/** Control: settles a PENDING capture, emitting PAYMENT.CAPTURE.COMPLETED or PAYMENT.CAPTURE.DENIED. */
export function settleCapture(ctx: SimContext, id: string, result: 'complete' | 'deny'): CaptureRecord {
  const capture = requireCapture(ctx, id);
  if (capture.status !== 'PENDING') throw controlError(409, `capture ${id} is ${capture.status}; only PENDING captures can be settled`);
  capture.updateTime = isoSeconds();
  if (result === 'complete') {
    capture.status = 'COMPLETED';
    delete capture.statusReason;
  } else {
    // PayPal's capture status enum has no DENIED: a denied pending capture reads DECLINED.
    capture.status = 'DECLINED';
  }
  ctx.emit(result === 'complete' ? 'PAYMENT.CAPTURE.COMPLETED' : 'PAYMENT.CAPTURE.DENIED', renderCapture(capture, ctx.baseUrl()), capture.orderId);
  return capture;
}

/** Control: chargeback-style reversal (full, or partial with `amount`), emitting PAYMENT.CAPTURE.REVERSED. */
export function reverseCapture(ctx: SimContext, id: string, amount?: { currency_code: string; value: string }): RefundRecord {
  const capture = requireCapture(ctx, id);
  if (capture.status !== 'COMPLETED' && capture.status !== 'PARTIALLY_REFUNDED') {
    throw controlError(409, `capture ${id} is ${capture.status}; only COMPLETED or PARTIALLY_REFUNDED captures can be reversed`);
  }
  const minor = refundableAmount(ctx, capture, amount);
  const refund = addRefund(ctx, capture, minor, { reversal: true, ...(capture.invoiceId ? { invoiceId: capture.invoiceId } : {}) });
  ctx.emit('PAYMENT.CAPTURE.REVERSED', renderRefund(refund, ctx.baseUrl()), capture.orderId);
  return refund;
}

/**
 * `POST /v2/payments/authorizations/{id}/capture`: the whole amount left, or a part (`amount`); further captures stay
 * possible until one says `final_capture` (PayPal's default is false) or the authorized amount is used up. Each
 * capture has the outcome chosen at approval.
 */
export function captureAuthorization(ctx: SimContext, id: string, body: unknown, requestId: string | undefined): ApiAnswer {
  const replay = ctx.store.idempotentAnswer('auth-capture', id, requestId);
  if (replay) return replay;
  const auth = requireAuthorization(ctx, id);
  if (auth.status === 'VOIDED') throw unprocessable('AUTHORIZATION_VOIDED');
  if (auth.status === 'CAPTURED') throw unprocessable('AUTHORIZATION_ALREADY_CAPTURED', 'Authorization has previously been captured.');
  const parsed = authorizationCaptureSchema.safeParse(body ?? {});
  if (!parsed.success) throw invalidRequest('INVALID_PARAMETER_VALUE', `/${parsed.error.issues[0]!.path.join('/')}`);
  const currency = auth.amount.currency_code;
  const authorized = toMinor(auth.amount.value, currency) ?? 0n;
  const captured = capturedMinor(ctx, auth);
  const requested = parsed.data.amount;
  let minor = authorized - captured;
  if (requested) {
    if (requested.currency_code !== currency) throw unprocessable('AUTH_CAPTURE_CURRENCY_MISMATCH');
    const value = toMinor(requested.value, currency);
    if (value === undefined || value <= 0n) throw invalidRequest('INVALID_PARAMETER_VALUE', '/amount/value', requested.value);
    // PayPal's default overage limit: all captures together up to 115 % of the authorized amount.
    if ((captured + value) * 100n > authorized * MAX_CAPTURE_PERCENT) throw unprocessable('MAX_CAPTURE_AMOUNT_EXCEEDED');
    minor = value;
  }
  const order = requireOrder(ctx, auth.orderId);
  auth.status = parsed.data.final_capture || captured + minor >= authorized ? 'CAPTURED' : 'PARTIALLY_CAPTURED';
  auth.updateTime = isoSeconds();
  const invoiceId = parsed.data.invoice_id ?? auth.invoiceId;
  const capture = newCapture(ctx, order, { ...auth, amount: { currency_code: currency, value: fromMinor(minor, currency) }, ...(invoiceId ? { invoiceId } : {}) }, auth.id);
  auth.captureIds.push(capture.id);
  const answer = { statusCode: 201, body: JSON.stringify(renderCapture(capture, ctx.baseUrl())) };
  ctx.store.rememberAnswer('auth-capture', id, requestId, answer);
  return answer;
}

/** What the authorization's captures took from it so far (a declined or failed capture took nothing). */
function capturedMinor(ctx: SimContext, auth: AuthorizationRecord): bigint {
  const captures = auth.captureIds.map((id) => ctx.store.captures.get(id));
  return totalMinor(captures.filter((c) => c?.status !== 'DECLINED' && c?.status !== 'FAILED'));
}

/** `POST /v2/payments/authorizations/{id}/void`: emits PAYMENT.AUTHORIZATION.VOIDED. */
export function voidAuthorization(ctx: SimContext, id: string): AuthorizationRecord {
  const auth = requireAuthorization(ctx, id);
  if (auth.status === 'CAPTURED') throw unprocessable('AUTHORIZATION_ALREADY_CAPTURED');
  if (auth.status === 'VOIDED') throw unprocessable('AUTHORIZATION_VOIDED');
  auth.status = 'VOIDED';
  auth.updateTime = isoSeconds();
  ctx.emit('PAYMENT.AUTHORIZATION.VOIDED', renderAuthorization(auth, ctx.baseUrl()), auth.orderId);
  return auth;
}
