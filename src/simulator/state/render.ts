import { money, toMinor } from '../../paypal/money';
import type { AuthorizationRecord, CaptureRecord, OrderRecord, RefundRecord, SimulatorStore } from './store';

/** A plausible PayPal fee (2.99% + 0.49, rounded half up), so breakdowns look real and net = gross - fee holds. */
function feeFor(grossMinor: bigint): bigint {
  // Minor units, so the fixed part is 0.49 for two-decimal currencies and 49 for zero-decimal ones: fine for a fake.
  const fee = (grossMinor * 299n + 5000n) / 10000n + 49n;
  return fee > grossMinor ? grossMinor : fee;
}

/** A HATEOAS link as PayPal writes them. */
export interface Link {
  href: string;
  rel: string;
  method: 'GET' | 'POST' | 'PATCH';
}

/** A JSON object as rendered for the wire. */
export type Json = Record<string, unknown>;

/** The simulated merchant (payee) every order pays. */
export const PAYEE = { email_address: 'sb-merchant@business.example.com', merchant_id: 'SQ7M2PVWXYZAB' } as const;

function link(href: string, rel: string, method: Link['method']): Link {
  return { href, rel, method };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** `seller_protection` as PayPal reports it for a PayPal-wallet payment. */
const SELLER_PROTECTION = { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] };

/** A capture, as `GET /v2/payments/captures/{id}` (and the capture list inside an order) return it. */
export function renderCapture(capture: CaptureRecord, baseUrl: string): Json {
  const currency = capture.amount.currency_code;
  const gross = toMinor(capture.amount.value, currency) ?? 0n;
  const fee = feeFor(gross);
  // PayPal only reports a receivable breakdown once money actually moved.
  const settled = capture.status === 'COMPLETED' || capture.status === 'PARTIALLY_REFUNDED' || capture.status === 'REFUNDED';
  const up = capture.authorizationId
    ? link(`${baseUrl}/v2/payments/authorizations/${capture.authorizationId}`, 'up', 'GET')
    : link(`${baseUrl}/v2/checkout/orders/${capture.orderId}`, 'up', 'GET');
  return {
    id: capture.id,
    status: capture.status,
    ...(capture.statusReason ? { status_details: { reason: capture.statusReason } } : {}),
    amount: capture.amount,
    final_capture: true,
    seller_protection: SELLER_PROTECTION,
    ...(settled
      ? {
          seller_receivable_breakdown: {
            gross_amount: capture.amount,
            paypal_fee: money(fee, currency),
            net_amount: money(gross - fee, currency),
          },
        }
      : {}),
    disbursement_mode: 'INSTANT',
    ...optional('invoice_id', capture.invoiceId),
    ...optional('custom_id', capture.customId),
    supplementary_data: {
      related_ids: { order_id: capture.orderId, ...optional('authorization_id', capture.authorizationId) },
    },
    payee: PAYEE,
    create_time: capture.createTime,
    update_time: capture.updateTime,
    links: [
      link(`${baseUrl}/v2/payments/captures/${capture.id}`, 'self', 'GET'),
      link(`${baseUrl}/v2/payments/captures/${capture.id}/refund`, 'refund', 'POST'),
      up,
    ],
  };
}

/** A refund (or reversal), as `GET /v2/payments/refunds/{id}` and REFUNDED/REVERSED events carry it. */
export function renderRefund(refund: RefundRecord, baseUrl: string): Json {
  const currency = refund.amount.currency_code;
  const gross = toMinor(refund.amount.value, currency) ?? 0n;
  // Refunds return a proportional part of the fee; keep it simple and plausible.
  const fee = gross === 0n ? 0n : feeFor(gross) - 49n > 0n ? feeFor(gross) - 49n : 0n;
  return {
    id: refund.id,
    amount: refund.amount,
    seller_payable_breakdown: {
      gross_amount: refund.amount,
      paypal_fee: money(fee, currency),
      net_amount: money(gross - fee, currency),
      total_refunded_amount: money(refund.totalRefundedMinor, currency),
    },
    ...optional('invoice_id', refund.invoiceId),
    // The refund schema restricts custom_id's alphabet; PayPal drops what it cannot carry, so do we.
    ...(refund.customId && /^[A-Za-z0-9-_.,]*$/.test(refund.customId) ? { custom_id: refund.customId } : {}),
    ...optional('note_to_payer', refund.noteToPayer),
    status: 'COMPLETED',
    create_time: refund.createTime,
    update_time: refund.updateTime,
    links: [
      link(`${baseUrl}/v2/payments/refunds/${refund.id}`, 'self', 'GET'),
      link(`${baseUrl}/v2/payments/captures/${refund.captureId}`, 'up', 'GET'),
    ],
  };
}

/** An authorization, as `GET /v2/payments/authorizations/{id}` returns it. */
export function renderAuthorization(auth: AuthorizationRecord, baseUrl: string): Json {
  const self = `${baseUrl}/v2/payments/authorizations/${auth.id}`;
  return {
    id: auth.id,
    status: auth.status,
    amount: auth.amount,
    ...optional('invoice_id', auth.invoiceId),
    ...optional('custom_id', auth.customId),
    seller_protection: SELLER_PROTECTION,
    supplementary_data: { related_ids: { order_id: auth.orderId } },
    payee: PAYEE,
    expiration_time: auth.expirationTime,
    create_time: auth.createTime,
    update_time: auth.updateTime,
    links: [
      link(self, 'self', 'GET'),
      ...(auth.status === 'CREATED'
        ? [link(`${self}/capture`, 'capture', 'POST'), link(`${self}/void`, 'void', 'POST'), link(`${self}/reauthorize`, 'reauthorize', 'POST')]
        : []),
      link(`${baseUrl}/v2/checkout/orders/${auth.orderId}`, 'up', 'GET'),
    ],
  };
}

/** An order, as `GET /v2/checkout/orders/{id}` and the capture call return it (full representation). */
export function renderOrder(order: OrderRecord, store: SimulatorStore, baseUrl: string): Json {
  const self = `${baseUrl}/v2/checkout/orders/${order.id}`;
  const purchaseUnits = order.purchaseUnits.map((unit) => {
    const captures = order.captureIds.map((id) => store.captures.get(id)).filter((c): c is CaptureRecord => c?.referenceId === unit.referenceId);
    const refunds = captures.flatMap((c) => c.refundIds.map((id) => store.refunds.get(id))).filter((r) => r !== undefined);
    const auths = order.authorizationIds.map((id) => store.authorizations.get(id)).filter((a) => a?.referenceId === unit.referenceId);
    const payments = {
      ...(auths.length ? { authorizations: auths.map((a) => renderAuthorization(a!, baseUrl)) } : {}),
      ...(captures.length ? { captures: captures.map((c) => renderCapture(c, baseUrl)) } : {}),
      ...(refunds.length ? { refunds: refunds.map((r) => renderRefund(r, baseUrl)) } : {}),
    };
    return {
      reference_id: unit.referenceId,
      amount: unit.amount,
      payee: PAYEE,
      ...optional('description', unit.description),
      ...optional('custom_id', unit.customId),
      ...optional('invoice_id', unit.invoiceId),
      ...(Object.keys(payments).length ? { payments } : {}),
    };
  });
  const payer = order.payer;
  const links: Link[] = [link(self, 'self', 'GET')];
  if (order.status === 'CREATED') {
    links.push(link(`${baseUrl}/simulator/checkoutnow?token=${order.id}`, 'approve', 'GET'));
  }
  if (order.status === 'CREATED' || order.status === 'APPROVED') {
    links.push(link(self, 'update', 'PATCH'));
    links.push(order.intent === 'CAPTURE' ? link(`${self}/capture`, 'capture', 'POST') : link(`${self}/authorize`, 'authorize', 'POST'));
  }
  return {
    id: order.id,
    intent: order.intent,
    status: order.status,
    ...(payer
      ? {
          payment_source: {
            paypal: {
              email_address: payer.email,
              account_id: payer.payerId,
              account_status: 'VERIFIED',
              name: { given_name: payer.givenName, surname: payer.surname },
              address: { country_code: payer.countryCode },
            },
          },
          payer: {
            name: { given_name: payer.givenName, surname: payer.surname },
            email_address: payer.email,
            payer_id: payer.payerId,
            address: { country_code: payer.countryCode },
          },
        }
      : {}),
    purchase_units: purchaseUnits,
    create_time: order.createTime,
    update_time: order.updateTime,
    links,
  };
}
