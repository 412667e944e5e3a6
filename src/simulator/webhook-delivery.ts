import { createPrivateKey, type KeyObject } from 'node:crypto';
import { httpRequest } from '../http/request';
import type { DeliveryAttempt, EventLog, EventRecord } from './events';
import type { FaultState } from './faults';
import { signTransmission } from './signing';

/** The logging surface the simulator uses (pino's, narrowed). */
export interface SimLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Settings for the webhook dispatcher. */
export interface DispatcherOptions {
  log: EventLog;
  faults: FaultState;
  webhookId: string;
  /** Known only once the server listens, hence a function. */
  certUrl: () => string;
  keyPem: string;
  retryDelaysMs: readonly number[];
  webhookUrl: () => string | undefined;
  logger?: SimLogger;
  /** Per-attempt timeout; a receiver that hangs counts as a failure, as with PayPal. */
  timeoutMs?: number;
}

/**
 * Delivers webhook events like PayPal: POSTs the exact serialised body, freshly signed per attempt, retries
 * non-2xx answers and network errors on a (compressed) schedule, gives up after the last delay. Fault injection
 * (drop, duplicate, delay, fail, reverse order) is applied here.
 */
export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  /** Running delivery chains per event; the event's final status is decided when the last one ends. */
  private readonly chains = new Map<string, { running: number; delivered: boolean }>();
  private held: EventRecord[] = [];
  private closed = false;

  /** Parsed once: a PEM key parsed per signature costs ~1 ms of CPU per webhook. */
  private readonly signingKey: KeyObject;

  constructor(private readonly opts: DispatcherOptions) {
    this.signingKey = createPrivateKey(opts.keyPem);
  }

  /** Hands a newly generated event to delivery, applying drop/reverse/duplicate/delay faults. */
  publish(record: EventRecord): void {
    const type = record.event.event_type;
    if (this.opts.faults.takeDrop(type)) {
      record.status = 'DROPPED';
      this.opts.logger?.info({ eventId: record.event.id, type }, 'simulator: webhook dropped by fault injection');
      return;
    }
    if (this.opts.faults.takeReverseSlot(type)) {
      this.held.push(record);
      if (!this.opts.faults.reverseBatchComplete()) return;
      const batch = this.held.reverse();
      this.held = [];
      for (const held of batch) this.start(held, this.opts.faults.deliveryPlan(held.event.event_type));
      return;
    }
    this.start(record, this.opts.faults.deliveryPlan(type));
  }

  /** Delivers an event again (resend), ignoring drop/reverse faults; attempt failures still apply. */
  redeliver(record: EventRecord): void {
    this.start(record, { copies: 1, delayMs: 0 });
  }

  /** Stops all timers and aborts in-flight requests; resolves once nothing is running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.controllers) controller.abort();
    await Promise.allSettled([...this.inflight]);
  }

  private start(record: EventRecord, plan: { copies: number; delayMs: number }): void {
    if (!this.opts.webhookUrl()) {
      if (record.status !== 'DELIVERED') record.status = 'NOT_SENT';
      return;
    }
    record.status = 'PENDING';
    const chain = this.chains.get(record.event.id) ?? { running: 0, delivered: false };
    chain.delivered = false;
    chain.running += plan.copies;
    this.chains.set(record.event.id, chain);
    const firstCopy = Math.max(0, ...record.attempts.map((a) => a.copy)) + 1;
    for (let i = 0; i < plan.copies; i++) this.schedule(plan.delayMs, () => this.attempt(record, firstCopy + i, 1));
  }

  private schedule(delayMs: number, run: () => Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const p = run().finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(record: EventRecord, copy: number, attempt: number): Promise<void> {
    if (this.closed) return;
    const url = this.opts.webhookUrl();
    const type = record.event.event_type;
    const body = Buffer.from(record.body, 'utf8');
    // Every attempt is a new transmission: new ID, time and signature over the same bytes (as PayPal does).
    const headers = signTransmission(body, { webhookId: this.opts.webhookId, certUrl: this.opts.certUrl(), key: this.signingKey });
    const started = Date.now();
    const entry: DeliveryAttempt = {
      eventId: record.event.id,
      eventType: type,
      orderId: record.orderId,
      copy,
      attempt,
      transmissionId: headers['paypal-transmission-id'],
      transmissionTime: headers['paypal-transmission-time'],
      url: url ?? '',
      injected: false,
      ok: false,
      startedAt: new Date(started).toISOString(),
      durationMs: 0,
    };
    const forced = this.opts.faults.takeAttemptFailure(type);
    if (url && forced !== 'skip') {
      const controller = new AbortController();
      this.controllers.add(controller);
      try {
        const res = await httpRequest(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'PayPal/AUHD-214.0-simulator', ...headers },
          body,
          timeoutMs: this.opts.timeoutMs ?? 10_000,
          signal: controller.signal,
          maxBodyBytes: 4096,
        });
        entry.statusCode = res.status;
        entry.ok = res.ok;
      } catch (err) {
        entry.error = (err as Error).message;
      } finally {
        this.controllers.delete(controller);
      }
    } else if (!url) {
      entry.error = 'no webhook URL configured';
    }
    if (forced) {
      entry.injected = true;
      entry.ok = false;
      entry.error = forced === 'skip' ? 'injected failure (not sent)' : 'injected failure (sent, answer ignored)';
    }
    entry.durationMs = Date.now() - started;
    record.attempts.push(entry);
    this.opts.logger?.debug({ ...entry }, 'simulator: webhook delivery attempt');
    if (this.closed) return;

    const chain = this.chains.get(record.event.id)!;
    if (entry.ok) {
      chain.delivered = true;
      return this.endChain(record);
    }
    const delay = this.opts.retryDelaysMs[attempt - 1];
    if (delay === undefined || !url) return this.endChain(record);
    this.schedule(delay, () => this.attempt(record, copy, attempt + 1));
  }

  private endChain(record: EventRecord): void {
    const chain = this.chains.get(record.event.id)!;
    chain.running -= 1;
    if (chain.delivered) record.status = 'DELIVERED';
    else if (chain.running === 0) {
      record.status = 'FAILED';
      this.opts.logger?.warn({ eventId: record.event.id, type: record.event.event_type }, 'simulator: webhook delivery gave up');
    }
  }
}
