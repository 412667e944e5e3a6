import { z } from 'zod';

/** One API fault rule: answer the next `failNext` matching calls with `status`, and/or add latency. */
export const apiFaultSchema = z.object({
  /** Only calls whose path starts with this (e.g. `/v2/checkout/orders`); all PayPal API calls when absent. */
  pathPrefix: z.string().startsWith('/').optional(),
  /** Only this HTTP method (e.g. `POST`). */
  method: z.string().toUpperCase().optional(),
  /** How many matching calls fail (each failure consumes one). */
  failNext: z.number().int().min(0).default(0),
  /** 500 INTERNAL_SERVER_ERROR or 429 RATE_LIMIT_REACHED. */
  status: z.union([z.literal(500), z.literal(429)]).default(500),
  /**
   * `before`: fail without doing anything. `after`: do the work (e.g. capture the money), then answer the error:
   * the "response lost" case that idempotency keys exist for.
   */
  when: z.enum(['before', 'after']).default('before'),
  /** Extra latency added to every matching call, failing or not. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
});

/** Webhook delivery faults. */
export const webhookFaultSchema = z.object({
  /** Only events of these types are affected; all when absent. */
  eventTypes: z.array(z.string()).optional(),
  /** The next N delivery attempts fail. */
  failNext: z.number().int().min(0).default(0),
  /** `skip`: count the attempt as failed without sending. `send`: send it but treat the answer as a failure. */
  failMode: z.enum(['skip', 'send']).default('skip'),
  /** Wait this long before the first attempt of each event. */
  delayMs: z.number().int().min(0).max(600_000).default(0),
  /** Deliver each event this many times, concurrently (each copy freshly signed). */
  duplicates: z.number().int().min(1).max(20).default(1),
  /** The next N events are never delivered (still listed by the webhooks-events API). */
  dropNext: z.number().int().min(0).default(0),
  /** Hold the next N events and deliver them in reverse order once N have been generated. */
  reverseNext: z.number().int().min(0).max(100).default(0),
});

/** Body of `POST /simulator/faults`: each section given replaces that section; absent sections are kept. */
export const faultsInputSchema = z.object({
  api: z.union([apiFaultSchema, z.array(apiFaultSchema)]).optional(),
  webhooks: webhookFaultSchema.optional(),
});

/** A parsed API fault rule. */
export type ApiFault = z.infer<typeof apiFaultSchema>;
/** Parsed webhook delivery faults. */
export type WebhookFaults = z.infer<typeof webhookFaultSchema>;
/** Input accepted by `POST /simulator/faults` (before defaults). */
export type FaultsInput = z.input<typeof faultsInputSchema>;

/** What the fault layer decided for one API call. */
export interface ApiFaultDecision {
  latencyMs: number;
  fail?: { status: 500 | 429; when: 'before' | 'after' };
}

/** Live fault configuration; counters are consumed as calls and deliveries happen. */
export class FaultState {
  private api: ApiFault[] = [];
  private webhooks: WebhookFaults = webhookFaultSchema.parse({});

  /** Applies a `POST /simulator/faults` body (already validated). */
  set(input: z.infer<typeof faultsInputSchema>): void {
    if (input.api) this.api = Array.isArray(input.api) ? input.api : [input.api];
    if (input.webhooks) this.webhooks = input.webhooks;
  }

  /** Clears every fault. */
  clear(): void {
    this.api = [];
    this.webhooks = webhookFaultSchema.parse({});
  }

  /** Current configuration with remaining counters. */
  snapshot(): { api: ApiFault[]; webhooks: WebhookFaults } {
    return { api: this.api.map((r) => ({ ...r })), webhooks: { ...this.webhooks } };
  }

  /** Decides latency and failure for one API call, consuming one failure from the first matching rule. */
  forApiCall(method: string, path: string): ApiFaultDecision {
    const matching = this.api.filter((r) => (!r.pathPrefix || path.startsWith(r.pathPrefix)) && (!r.method || r.method === method));
    const latencyMs = matching.reduce((max, r) => Math.max(max, r.latencyMs), 0);
    const failing = matching.find((r) => r.failNext > 0);
    if (!failing) return { latencyMs };
    failing.failNext -= 1;
    return { latencyMs, fail: { status: failing.status, when: failing.when } };
  }

  private affects(eventType: string): boolean {
    return !this.webhooks.eventTypes || this.webhooks.eventTypes.includes(eventType);
  }

  /** Whether this newly generated event is dropped (consumes one). */
  takeDrop(eventType: string): boolean {
    if (!this.affects(eventType) || this.webhooks.dropNext <= 0) return false;
    this.webhooks.dropNext -= 1;
    return true;
  }

  /** Whether this newly generated event joins the reverse-order batch (consumes one slot). */
  takeReverseSlot(eventType: string): boolean {
    if (!this.affects(eventType) || this.webhooks.reverseNext <= 0) return false;
    this.webhooks.reverseNext -= 1;
    return true;
  }

  /** Whether the reverse batch is complete (no slots left), so held events can go out. */
  reverseBatchComplete(): boolean {
    return this.webhooks.reverseNext <= 0;
  }

  /** Copies and initial delay for a new event. */
  deliveryPlan(eventType: string): { copies: number; delayMs: number } {
    if (!this.affects(eventType)) return { copies: 1, delayMs: 0 };
    return { copies: this.webhooks.duplicates, delayMs: this.webhooks.delayMs };
  }

  /** Whether this delivery attempt is forced to fail (consumes one), and how. */
  takeAttemptFailure(eventType: string): 'skip' | 'send' | undefined {
    if (!this.affects(eventType) || this.webhooks.failNext <= 0) return undefined;
    this.webhooks.failNext -= 1;
    return this.webhooks.failMode;
  }
}
