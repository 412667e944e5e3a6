import { z } from 'zod';
import { invalidRequest, notFound, unprocessable } from '../errors';
import { accountId, isoSeconds, paypalId } from '../ids';
import { toMinor } from '../../paypal/money';
import { controlError, type ApiAnswer, type SimContext } from './context';
import { renderAuthorization, renderCapture, renderOrder, PAYEE } from './render';
import type { CaptureOutcome, CaptureRecord, OrderRecord } from './store';

/** A PayPal money object as requests carry it (the value is checked per currency with toMinor). */
export const moneySchema = z.object({ currency_code: z.string().regex(/^[A-Z]{3}$/), value: z.string() });

/** The part of PayPal's create-order request the simulator understands; other fields are accepted and ignored. */
const createOrderSchema = z.object({
  intent: z.enum(['CAPTURE', 'AUTHORIZE']),
  purchase_units: z
    .array(
      z.object({
        reference_id: z.string().min(1).max(256).optional(),
        amount: moneySchema.loose(),
        custom_id: z.string().min(1).max(127).optional(),
        invoice_id: z.string().min(1).max(127).optional(),
        description: z.string().min(1).max(127).optional(),
      }).loose(),
    )
    .min(1)
    .max(10),
}).loose();

/** Approval options (control API): how the later capture will turn out. */
export interface ApprovalOptions {
  captureOutcome?: CaptureOutcome;
  pendingReason?: string;
}

/** Looks up an order or throws PayPal's 404. */
export function requireOrder(ctx: SimContext, id: string): OrderRecord {
  const order = ctx.store.orders.get(id);
  if (!order) throw notFound(id);
  return order;
}

/** `POST /v2/checkout/orders`: validates like PayPal (400 INVALID_REQUEST naming the field) and stores the order. */
export function createOrder(ctx: SimContext, body: unknown): OrderRecord {
  const parsed = createOrderSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = `/${issue.path.join('/')}`;
    const missing = issue.code === 'invalid_type' && issue.message.includes('undefined');
    throw invalidRequest(missing ? 'MISSING_REQUIRED_PARAMETER' : 'INVALID_PARAMETER_VALUE', field);
  }
  const units = parsed.data.purchase_units;
  units.forEach((unit, i) => {
    const minor = toMinor(unit.amount.value, unit.amount.currency_code);
    if (minor === undefined || minor <= 0n) throw invalidRequest('INVALID_PARAMETER_VALUE', `/purchase_units/${i}/amount/value`, unit.amount.value);
  });
  const now = isoSeconds();
  const order: OrderRecord = {
    id: paypalId(),
    intent: parsed.data.intent,
    status: 'CREATED',
    purchaseUnits: units.map((unit, i) => ({
      referenceId: unit.reference_id ?? (units.length === 1 ? 'default' : String(i)),
      amount: { currency_code: unit.amount.currency_code, value: unit.amount.value },
      ...(unit.custom_id === undefined ? {} : { customId: unit.custom_id }),
      ...(unit.invoice_id === undefined ? {} : { invoiceId: unit.invoice_id }),
      ...(unit.description === undefined ? {} : { description: unit.description }),
    })),
    createTime: now,
    updateTime: now,
    captureOutcome: 'COMPLETED',
    pendingReason: 'PENDING_REVIEW',
    captureIds: [],
    authorizationIds: [],
  };
  ctx.store.orders.set(order.id, order);
  return order;
}

/** Buyer approval (control API or the approve link): order APPROVED, emits CHECKOUT.ORDER.APPROVED. */
export function approveOrder(ctx: SimContext, id: string, opts: ApprovalOptions = {}): OrderRecord {
  const order = requireOrder(ctx, id);
  if (order.status !== 'CREATED') throw controlError(409, `order ${id} is ${order.status}; only CREATED orders can be approved`);
  order.status = 'APPROVED';
  order.updateTime = isoSeconds();
  order.captureOutcome = opts.captureOutcome ?? 'COMPLETED';
  if (opts.pendingReason) order.pendingReason = opts.pendingReason;
  order.payer = { payerId: accountId(), email: 'sb-buyer@personal.example.com', givenName: 'John', surname: 'Doe', countryCode: 'US' };
  ctx.emit('CHECKOUT.ORDER.APPROVED', renderOrder(order, ctx.store, ctx.baseUrl()), order.id);
  return order;
}

function checkPayable(order: OrderRecord, intent: 'CAPTURE' | 'AUTHORIZE'): void {
  if (order.intent !== intent) throw unprocessable('ACTION_DOES_NOT_MATCH_INTENT');
  if (order.status === 'COMPLETED') throw unprocessable(intent === 'CAPTURE' ? 'ORDER_ALREADY_CAPTURED' : 'ORDER_ALREADY_AUTHORIZED');
  if (order.status !== 'APPROVED') throw unprocessable('ORDER_NOT_APPROVED');
}

/** Creates one capture with the outcome chosen at approval and emits the matching PAYMENT.CAPTURE.* event. */
export function newCapture(ctx: SimContext, order: OrderRecord, unit: { referenceId: string; amount: CaptureRecord['amount']; customId?: string; invoiceId?: string }, authorizationId?: string): CaptureRecord {
  const now = isoSeconds();
  const outcome = order.captureOutcome;
  const capture: CaptureRecord = {
    id: paypalId(),
    orderId: order.id,
    referenceId: unit.referenceId,
    amount: unit.amount,
    status: outcome,
    ...(outcome === 'PENDING' ? { statusReason: order.pendingReason } : {}),
    ...(authorizationId ? { authorizationId } : {}),
    ...(unit.customId === undefined ? {} : { customId: unit.customId }),
    ...(unit.invoiceId === undefined ? {} : { invoiceId: unit.invoiceId }),
    createTime: now,
    updateTime: now,
    refundIds: [],
  };
  ctx.store.captures.set(capture.id, capture);
  order.captureIds.push(capture.id);
  ctx.emit(`PAYMENT.CAPTURE.${outcome}`, renderCapture(capture, ctx.baseUrl()), order.id);
  return capture;
}

/**
 * `POST /v2/checkout/orders/{id}/capture`. Honours `PayPal-Request-Id`: a retry with the same ID replays the
 * first answer with 200; a different or missing ID on a captured order is 422 ORDER_ALREADY_CAPTURED.
 */
export function captureOrder(ctx: SimContext, id: string, requestId: string | undefined): ApiAnswer {
  const replay = ctx.store.idempotentAnswer('capture', id, requestId);
  if (replay) return { statusCode: 200, body: replay.body };
  const order = requireOrder(ctx, id);
  checkPayable(order, 'CAPTURE');
  // PayPal marks the order COMPLETED after the capture attempt whatever the capture's own status.
  order.status = 'COMPLETED';
  order.updateTime = isoSeconds();
  for (const unit of order.purchaseUnits) newCapture(ctx, order, unit);
  const answer = { statusCode: 201, body: JSON.stringify(renderOrder(order, ctx.store, ctx.baseUrl())) };
  ctx.store.rememberAnswer('capture', id, requestId, answer);
  return answer;
}

/** `POST /v2/checkout/orders/{id}/authorize` (AUTHORIZE intent): creates authorizations, emits PAYMENT.AUTHORIZATION.CREATED. */
export function authorizeOrder(ctx: SimContext, id: string, requestId: string | undefined): ApiAnswer {
  const replay = ctx.store.idempotentAnswer('authorize', id, requestId);
  if (replay) return { statusCode: 200, body: replay.body };
  const order = requireOrder(ctx, id);
  checkPayable(order, 'AUTHORIZE');
  const now = new Date();
  order.status = 'COMPLETED';
  order.updateTime = isoSeconds(now);
  for (const unit of order.purchaseUnits) {
    const auth = {
      id: paypalId(),
      orderId: order.id,
      referenceId: unit.referenceId,
      amount: unit.amount,
      status: 'CREATED' as const,
      ...(unit.customId === undefined ? {} : { customId: unit.customId }),
      ...(unit.invoiceId === undefined ? {} : { invoiceId: unit.invoiceId }),
      createTime: isoSeconds(now),
      updateTime: isoSeconds(now),
      // PayPal honours an authorization for 29 days.
      expirationTime: isoSeconds(new Date(now.getTime() + 29 * 24 * 3600 * 1000)),
      captureIds: [],
    };
    ctx.store.authorizations.set(auth.id, auth);
    order.authorizationIds.push(auth.id);
    ctx.emit('PAYMENT.AUTHORIZATION.CREATED', renderAuthorization(auth, ctx.baseUrl()), order.id);
  }
  const answer = { statusCode: 201, body: JSON.stringify(renderOrder(order, ctx.store, ctx.baseUrl())) };
  ctx.store.rememberAnswer('authorize', id, requestId, answer);
  return answer;
}

/** Control: an approved, uncaptured order is cancelled (CHECKOUT.PAYMENT-APPROVAL.REVERSED), order VOIDED. */
export function reverseApproval(ctx: SimContext, id: string): OrderRecord {
  const order = requireOrder(ctx, id);
  if (order.status !== 'APPROVED') throw controlError(409, `order ${id} is ${order.status}; only APPROVED (uncaptured) orders can have their approval reversed`);
  order.status = 'VOIDED';
  order.updateTime = isoSeconds();
  ctx.emit(
    'CHECKOUT.PAYMENT-APPROVAL.REVERSED',
    {
      create_time: order.updateTime,
      purchase_units: order.purchaseUnits.map((u) => ({
        reference_id: u.referenceId,
        amount: u.amount,
        payee: PAYEE,
        ...(u.customId === undefined ? {} : { custom_id: u.customId }),
        ...(u.invoiceId === undefined ? {} : { invoice_id: u.invoiceId }),
      })),
      order_id: order.id,
    },
    order.id,
  );
  return order;
}
