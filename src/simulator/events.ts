import { webhookEventId } from './ids';
import type { Json } from './state/render';

/** Event types the simulator generates. */
export type SimEventType =
  | 'CHECKOUT.ORDER.APPROVED'
  | 'CHECKOUT.PAYMENT-APPROVAL.REVERSED'
  | 'PAYMENT.AUTHORIZATION.CREATED'
  | 'PAYMENT.AUTHORIZATION.VOIDED'
  | 'PAYMENT.CAPTURE.COMPLETED'
  | 'PAYMENT.CAPTURE.PENDING'
  | 'PAYMENT.CAPTURE.DECLINED'
  | 'PAYMENT.CAPTURE.DENIED'
  | 'PAYMENT.CAPTURE.REFUNDED'
  | 'PAYMENT.CAPTURE.REVERSED';

/** `resource_type` PayPal uses for each event type. */
const RESOURCE_TYPES: Record<SimEventType, string> = {
  'CHECKOUT.ORDER.APPROVED': 'checkout-order',
  'CHECKOUT.PAYMENT-APPROVAL.REVERSED': 'checkout-order',
  'PAYMENT.AUTHORIZATION.CREATED': 'authorization',
  'PAYMENT.AUTHORIZATION.VOIDED': 'authorization',
  'PAYMENT.CAPTURE.COMPLETED': 'capture',
  'PAYMENT.CAPTURE.PENDING': 'capture',
  'PAYMENT.CAPTURE.DECLINED': 'capture',
  'PAYMENT.CAPTURE.DENIED': 'capture',
  'PAYMENT.CAPTURE.REFUNDED': 'refund',
  'PAYMENT.CAPTURE.REVERSED': 'refund',
};

/** Delivery state of one generated event, as the control API reports it. */
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'DROPPED' | 'NOT_SENT';

/** One delivery attempt (each has its own transmission ID and signature). */
export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  orderId: string | undefined;
  /** Which concurrent copy (1..K when duplicates are injected) and which try of that copy (1-based). */
  copy: number;
  attempt: number;
  transmissionId: string;
  transmissionTime: string;
  url: string;
  /** HTTP status the receiver answered, absent on network error or an injected failure that sent nothing. */
  statusCode?: number;
  error?: string;
  /** True when fault injection decided the outcome. */
  injected: boolean;
  ok: boolean;
  startedAt: string;
  durationMs: number;
}

/** A generated webhook event with its exact serialised body and its delivery history. */
export interface EventRecord {
  /** Monotonic sequence, so "newest first" is stable even within one millisecond. */
  seq: number;
  event: Json & { id: string; event_type: string; create_time: string };
  /** The compact JSON serialised once at creation; every delivery sends exactly these bytes. */
  body: string;
  orderId: string | undefined;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
}

/** Human summaries in PayPal's style ("Payment completed for $ 30.0 USD" etc.). */
export function eventSummary(type: SimEventType, amount?: { currency_code: string; value: string }): string {
  const money = amount ? `${amount.value} ${amount.currency_code}` : '';
  switch (type) {
    case 'CHECKOUT.ORDER.APPROVED':
      return 'An order has been approved by buyer';
    case 'CHECKOUT.PAYMENT-APPROVAL.REVERSED':
      return 'A payment has been reversed after approval.';
    case 'PAYMENT.AUTHORIZATION.CREATED':
      return `Payment authorization is created for ${money}`;
    case 'PAYMENT.AUTHORIZATION.VOIDED':
      return `A payment authorization for ${money} was voided`;
    case 'PAYMENT.CAPTURE.COMPLETED':
      return `Payment completed for ${money}`;
    case 'PAYMENT.CAPTURE.PENDING':
      return `Payment pending for ${money}`;
    case 'PAYMENT.CAPTURE.DECLINED':
      return `A payment capture for ${money} was declined.`;
    case 'PAYMENT.CAPTURE.DENIED':
      return `A ${money} capture payment was denied`;
    case 'PAYMENT.CAPTURE.REFUNDED':
      return `A ${money} capture payment was refunded`;
    case 'PAYMENT.CAPTURE.REVERSED':
      return `A ${money} capture payment was reversed`;
  }
}

/**
 * The in-memory list of every event generated, delivered or not (PayPal's webhooks-events API lists failed
 * deliveries too, which is how a merchant reconciles missed webhooks).
 */
export class EventLog {
  private readonly records: EventRecord[] = [];
  private readonly byId = new Map<string, EventRecord>();
  private seq = 0;

  /** Builds an event exactly as PayPal shapes it and serialises it once. */
  create(baseUrl: string, type: SimEventType, resource: Json, orderId: string | undefined): EventRecord {
    const id = webhookEventId();
    const amount = resource.amount as { currency_code: string; value: string } | undefined;
    const self = `${baseUrl}/v1/notifications/webhooks-events/${id}`;
    const event = {
      id,
      event_version: '1.0',
      create_time: new Date().toISOString(),
      resource_type: RESOURCE_TYPES[type],
      resource_version: '2.0',
      event_type: type,
      summary: eventSummary(type, amount),
      resource,
      links: [
        { href: self, rel: 'self', method: 'GET' },
        { href: `${self}/resend`, rel: 'resend', method: 'POST' },
      ],
    };
    const record: EventRecord = { seq: ++this.seq, event, body: JSON.stringify(event), orderId, status: 'PENDING', attempts: [] };
    this.records.push(record);
    this.byId.set(id, record);
    return record;
  }

  /** One event by ID. */
  get(id: string): EventRecord | undefined {
    return this.byId.get(id);
  }

  /** All events, newest first. */
  newestFirst(): EventRecord[] {
    return [...this.records].reverse();
  }

  /** Every delivery attempt, oldest first. */
  attempts(): DeliveryAttempt[] {
    return this.records.flatMap((r) => r.attempts).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
