import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { z } from 'zod';
import {
  captureSchema,
  orderSchema,
  paypalErrorSchema,
  tokenSchema,
  verifySignatureResponseSchema,
  webhookEventListSchema,
  type Capture,
  type Order,
} from './schemas';
import { httpRequest, type HttpRequestOptions, type HttpResponse } from '../http/request';

/** Connection settings for any server that speaks PayPal's REST API (PayPal itself or the simulator). */
export interface PayPalClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Per-request timeout; PayPal is usually fast, a hung call must not hold an activity slot forever. */
  timeoutMs?: number;
}

/**
 * A failed PayPal call. `retryable` is false for answers that will not change on retry (4xx other than
 * 408/409/429), so activities can turn them into non-retryable Temporal failures.
 */
export class PayPalApiError extends Error {
  override readonly name = 'PayPalApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly issue: string | undefined,
    readonly debugId: string | undefined,
  ) {
    super(message);
  }

  /** Worth retrying: network trouble, 5xx, rate limiting, timeouts. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429 || this.status === 408 || this.status === 409;
  }
}

/** Result of a capture call: the order after capture, and whether PayPal replayed an earlier identical call. */
export interface CaptureResult {
  order: Order;
  replayed: boolean;
}

/**
 * A small typed REST client for the PayPal endpoints this product uses. Hand-written because PayPal's official
 * Node SDK cannot point at another base URL (the simulator, a sandbox proxy) and has no webhook APIs.
 * Knows nothing about Temporal.
 */
export class PayPalClient {
  private token: { value: string; expiresAt: number } | undefined;
  private tokenRequest: Promise<string> | undefined;
  private readonly baseUrl: string;

  constructor(private readonly opts: PayPalClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  /** `GET /v2/checkout/orders/{id}`: the truth about an order and its captures. */
  getOrder(orderId: string): Promise<Order> {
    return this.request('GET', `/v2/checkout/orders/${encodeURIComponent(orderId)}`, orderSchema);
  }

  /**
   * `POST /v2/checkout/orders/{id}/capture` with `PayPal-Request-Id`, so a retried capture (activity retry,
   * worker crash) replays the first result instead of charging twice.
   */
  async captureOrder(orderId: string, requestId: string): Promise<CaptureResult> {
    const { body, status } = await this.send('POST', `/v2/checkout/orders/${encodeURIComponent(orderId)}/capture`, {
      body: '{}',
      headers: { 'PayPal-Request-Id': requestId, Prefer: 'return=representation' },
    });
    return { order: parse(orderSchema, body, 'capture order'), replayed: status === 200 };
  }

  /** `POST /v2/checkout/orders/{id}/authorize` (intent AUTHORIZE), idempotent by `PayPal-Request-Id`. */
  async authorizeOrder(orderId: string, requestId: string): Promise<Order> {
    const { body } = await this.send('POST', `/v2/checkout/orders/${encodeURIComponent(orderId)}/authorize`, {
      body: '{}',
      headers: { 'PayPal-Request-Id': requestId, Prefer: 'return=representation' },
    });
    return parse(orderSchema, body, 'authorize order');
  }

  /** `POST /v2/payments/authorizations/{id}/capture` (final capture of the whole authorization), idempotent. */
  async captureAuthorization(authorizationId: string, requestId: string): Promise<Capture> {
    const { body } = await this.send('POST', `/v2/payments/authorizations/${encodeURIComponent(authorizationId)}/capture`, {
      body: JSON.stringify({ final_capture: true }),
      headers: { 'PayPal-Request-Id': requestId, Prefer: 'return=representation' },
    });
    return parse(captureSchema, body, 'capture authorization');
  }

  /** `GET /v2/payments/captures/{id}`. */
  getCapture(captureId: string): Promise<Capture> {
    return this.request('GET', `/v2/payments/captures/${encodeURIComponent(captureId)}`, captureSchema);
  }

  /** `POST /v2/checkout/orders`: used by the simulator demo, tests and benchmarks, never by the fulfilment path. */
  createOrder(body: unknown): Promise<Order> {
    return this.request('POST', '/v2/checkout/orders', orderSchema, {
      body: JSON.stringify(body),
      headers: { 'PayPal-Request-Id': randomUUID() },
    });
  }

  /**
   * `POST /v1/notifications/verify-webhook-signature` with a body the caller assembled as a string (the event is
   * spliced in byte for byte; re-serialising it breaks verification).
   */
  verifyWebhookSignature(requestBodyJson: string): Promise<z.infer<typeof verifySignatureResponseSchema>> {
    return this.request('POST', '/v1/notifications/verify-webhook-signature', verifySignatureResponseSchema, {
      body: requestBodyJson,
    });
  }

  /** `GET /v1/notifications/webhooks-events` for a time window (reconciliation of missed webhooks). */
  listWebhookEvents(query: { startTime: string; endTime: string; pageSize?: number }): Promise<z.infer<typeof webhookEventListSchema>> {
    const qs = new URLSearchParams({ start_time: query.startTime, end_time: query.endTime, page_size: String(query.pageSize ?? 100) });
    return this.request('GET', `/v1/notifications/webhooks-events?${qs.toString()}`, webhookEventListSchema);
  }

  /**
   * Follows a `links[rel=next]` of a webhooks-events listing (PayPal pages by cursor, not page number). Only the
   * path and query of the link are used, against this client's own base URL: the bearer token never goes to a host
   * named in a response, and PayPal may spell its own host differently (api vs api-m).
   */
  nextWebhookEventsPage(href: string): Promise<z.infer<typeof webhookEventListSchema>> {
    const path = '/v1/notifications/webhooks-events';
    const url = new URL(href, this.baseUrl);
    // endsWith: a base URL with a path prefix (a proxy) may echo that prefix in its links.
    if (!url.pathname.endsWith(path)) throw new Error(`unexpected next link for webhook events: ${url.pathname}`);
    return this.request('GET', `${path}${url.search}`, webhookEventListSchema);
  }

  private async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    init: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<z.infer<S>> {
    const { body } = await this.send(method, path, init);
    return parse(schema, body, `${method} ${path.split('?')[0]}`);
  }

  private async send(
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown }> {
    const token = await this.accessToken();
    const res = await this.exchange(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body,
    });
    if (res.status === 401) this.token = undefined; // expired or revoked: the next attempt fetches a new one
    return { status: res.status, body: readJson(res, `${method} ${path.split('?')[0]}`) };
  }

  private async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    // One token request at a time: concurrent activities share it instead of stampeding the OAuth endpoint.
    this.tokenRequest ??= this.fetchToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const basic = Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString('base64');
    const res = await this.exchange(`${this.baseUrl}/v1/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: 'grant_type=client_credentials',
    });
    const token = parse(tokenSchema, readJson(res, 'POST /v1/oauth2/token'), 'oauth token');
    // Renew a minute early (or at half-life for short tokens) so a token never expires mid-request.
    const marginS = Math.min(60, token.expires_in / 2);
    this.token = { value: token.access_token, expiresAt: Date.now() + (token.expires_in - marginS) * 1000 };
    return token.access_token;
  }

  private async exchange(url: string, init: Omit<HttpRequestOptions, 'timeoutMs'>): Promise<HttpResponse> {
    try {
      return await httpRequest(url, { ...init, timeoutMs: this.opts.timeoutMs ?? 30_000 });
    } catch (err) {
      throw new PayPalApiError(`PayPal unreachable: ${(err as Error).message}`, 0, undefined, undefined);
    }
  }
}

function readJson(res: HttpResponse, what: string): unknown {
  let body: unknown;
  try {
    body = res.truncated ? undefined : res.text.length > 0 ? JSON.parse(res.text) : {};
  } catch {
    body = undefined;
  }
  if (res.ok && body !== undefined) return body;
  const err = paypalErrorSchema.safeParse(body);
  const e = err.success ? err.data : {};
  const issue = e.details?.[0]?.issue ?? e.name ?? e.error;
  const message = e.message ?? e.error_description ?? (body === undefined ? (res.truncated ? 'response body too large' : 'non-JSON response') : (STATUS_CODES[res.status] ?? ''));
  throw new PayPalApiError(`${what} → ${res.status} ${issue ?? ''}: ${message}`.replace(/\s+:/, ':'), res.ok ? 502 : res.status, issue, e.debug_id);
}

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new PayPalApiError(`${what}: unexpected response shape (${result.error.issues[0]?.message ?? ''})`, 502, 'UNEXPECTED_RESPONSE', undefined);
  return result.data;
}
