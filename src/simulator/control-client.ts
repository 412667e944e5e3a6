import { httpRequest } from '../http/request';
import type { DeliveryAttempt, DeliveryStatus } from './events';
import type { ApiFault, FaultsInput, WebhookFaults } from './faults';

// Control calls are local and quick; the bound only keeps a wedged simulator from hanging a test or a bench.
const CONTROL_TIMEOUT_MS = 60_000;

/** A PayPal resource as JSON (order, capture, refund); see PayPal's OpenAPI schemas for the fields. */
export type PayPalResourceJson = Record<string, unknown> & { id: string; status?: string };

/** A generated webhook event with its delivery state. */
export interface ControlEventView {
  id: string;
  eventType: string;
  createTime: string;
  orderId?: string;
  status: DeliveryStatus;
  attempts: number;
  event: Record<string, unknown> & { id: string; event_type: string; resource: Record<string, unknown> };
}

/** Input of {@link SimulatorControlClient.checkout}: what a merchant site plus buyer would do, in one call. */
export interface CheckoutInput {
  amount: { currency_code: string; value: string };
  intent?: 'CAPTURE' | 'AUTHORIZE';
  custom_id?: string;
  invoice_id?: string;
  description?: string;
  captureOutcome?: 'COMPLETED' | 'PENDING' | 'DECLINED';
  /** PayPal `status_details.reason` for a PENDING capture, e.g. 'PENDING_REVIEW' or 'ECHECK'. */
  pendingReason?: string;
  /** Buyer approves right away (default true). */
  approve?: boolean;
  /** Further purchase units, by amount: a multi-seller payment. The first unit is `amount` with the fields above. */
  otherUnits?: { currency_code: string; value: string }[];
}

/** Result of {@link SimulatorControlClient.checkout}. */
export interface CheckoutResult {
  orderId: string;
  status: string;
  order: PayPalResourceJson;
}

/** Current fault configuration with remaining counters. */
export interface FaultsSnapshot {
  api: ApiFault[];
  webhooks: WebhookFaults;
}

/** A non-2xx answer from a control endpoint. */
export class SimulatorControlError extends Error {
  override readonly name = 'SimulatorControlError';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const message = typeof body === 'object' && body !== null && 'message' in body ? String((body).message) : '';
    super(`simulator control call failed (${status}): ${message}`);
  }
}

/**
 * Typed client over the simulator's `/simulator/*` endpoints. Works against any running simulator by URL (tests,
 * the CLI, a simulator in another process).
 */
export class SimulatorControlClient {
  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await httpRequest(`${this.baseUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      timeoutMs: CONTROL_TIMEOUT_MS,
      maxBodyBytes: 64 * 1024 * 1024, // event and delivery logs of a long chaos run
    });
    if (res.truncated) throw new Error(`simulator ${method} ${path}: answer larger than 64 MiB`);
    const parsed: unknown = res.text ? JSON.parse(res.text) : undefined;
    if (!res.ok) throw new SimulatorControlError(res.status, parsed);
    return parsed as T;
  }

  /** Liveness and current webhook URL. */
  health(): Promise<{ ok: boolean; url: string; webhookUrl: string | null }> {
    return this.call('GET', '/simulator/health');
  }

  /** Sets (or clears, with undefined) where webhooks are delivered. */
  setWebhookUrl(url: string | undefined): Promise<{ webhookUrl: string | null }> {
    return this.call('PUT', '/simulator/webhook-url', url === undefined ? {} : { url });
  }

  /** Creates an order as a merchant site would and (by default) approves it as the buyer. */
  checkout(input: CheckoutInput): Promise<CheckoutResult> {
    return this.call('POST', '/simulator/checkout', input);
  }

  /** Buyer approval of a CREATED order; chooses how the later capture turns out. Emits CHECKOUT.ORDER.APPROVED. */
  approveOrder(orderId: string, opts: { captureOutcome?: CheckoutInput['captureOutcome']; pendingReason?: string } = {}): Promise<PayPalResourceJson> {
    return this.call('POST', `/simulator/orders/${encodeURIComponent(orderId)}/approve`, opts);
  }

  /** Cancels an approved, uncaptured order (CHECKOUT.PAYMENT-APPROVAL.REVERSED; order VOIDED). */
  reverseApproval(orderId: string): Promise<PayPalResourceJson> {
    return this.call('POST', `/simulator/orders/${encodeURIComponent(orderId)}/reverse-approval`, {});
  }

  /** Settles a PENDING capture as COMPLETED (PAYMENT.CAPTURE.COMPLETED). */
  completeCapture(captureId: string): Promise<PayPalResourceJson> {
    return this.call('POST', `/simulator/captures/${encodeURIComponent(captureId)}/complete`, {});
  }

  /** Settles a PENDING capture as denied (PAYMENT.CAPTURE.DENIED; capture status DECLINED). */
  denyCapture(captureId: string): Promise<PayPalResourceJson> {
    return this.call('POST', `/simulator/captures/${encodeURIComponent(captureId)}/deny`, {});
  }

  /** Chargeback-style reversal, full or partial (PAYMENT.CAPTURE.REVERSED); returns the refund resource. */
  reverseCapture(captureId: string, amount?: { currency_code: string; value: string }): Promise<PayPalResourceJson> {
    return this.call('POST', `/simulator/captures/${encodeURIComponent(captureId)}/reverse`, amount ? { amount } : {});
  }

  /** Sets fault injection; each section given replaces that section. */
  setFaults(faults: FaultsInput): Promise<FaultsSnapshot> {
    return this.call('POST', '/simulator/faults', faults);
  }

  /** Removes all faults. */
  clearFaults(): Promise<FaultsSnapshot> {
    return this.call('DELETE', '/simulator/faults');
  }

  /** Current faults and remaining counters. */
  getFaults(): Promise<FaultsSnapshot> {
    return this.call('GET', '/simulator/faults');
  }

  /** Every generated event (newest first) with delivery status, optionally filtered. */
  async events(filter: { orderId?: string; eventType?: string } = {}): Promise<ControlEventView[]> {
    const res = await this.call<{ events: ControlEventView[] }>('GET', `/simulator/events?${new URLSearchParams(filter).toString()}`);
    return res.events;
  }

  /** Every delivery attempt (oldest first), optionally filtered. */
  async deliveries(filter: { eventId?: string; orderId?: string } = {}): Promise<DeliveryAttempt[]> {
    const res = await this.call<{ deliveries: DeliveryAttempt[] }>('GET', `/simulator/deliveries?${new URLSearchParams(filter).toString()}`);
    return res.deliveries;
  }

  /** Delivers an event again (new transmission, same body). */
  redeliver(eventId: string): Promise<ControlEventView> {
    return this.call('POST', `/simulator/events/${encodeURIComponent(eventId)}/redeliver`, {});
  }

  /** Polls until an event matching the filter exists (and has `status`, if given); rejects after `timeoutMs`. */
  async waitForEvent(
    filter: { orderId?: string; eventType?: string; status?: DeliveryStatus },
    timeoutMs = 5000,
  ): Promise<ControlEventView> {
    const deadline = Date.now() + timeoutMs;
    const { status, ...query } = filter;
    for (;;) {
      const found = (await this.events(query)).find((e) => !status || e.status === status);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no simulator event matching ${JSON.stringify(filter)} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
