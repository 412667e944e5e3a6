import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The product's Prometheus metrics (one registry per process). The Temporal SDK's own worker metrics come from its
 * core runtime's exporter and are appended to `/metrics` by the ops routes, so one scrape sees both.
 */
export class Metrics {
  readonly registry = new Registry();

  /**
   * Every webhook by event type and outcome: accepted, duplicate (recorded before through this process, so not
   * handed to Temporal again), ignored, rejected (any 4xx), unavailable (5xx).
   */
  readonly webhooks = new Counter({
    name: 'paypal_webhooks_total',
    help: 'PayPal webhooks received, by event type and outcome',
    labelNames: ['event_type', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Rejections and 5xx by reason code (missing_header, signature_invalid, temporal_unavailable, ...). */
  readonly webhookFailures = new Counter({
    name: 'paypal_webhook_failures_total',
    help: 'PayPal webhooks not recorded, by reason code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** Time from request to answer at the intake, by outcome. */
  readonly intakeLatency = new Histogram({
    name: 'paypal_webhook_intake_seconds',
    help: 'Webhook intake latency (verify + durable record), by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Signature verification failures by code (a subset of webhookFailures, kept apart for alerting). */
  readonly verificationFailures = new Counter({
    name: 'paypal_webhook_verification_failures_total',
    help: 'Webhook signature verification failures, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** Service update attempts by type and outcome: success, retryable_failure, rejected. */
  readonly serviceUpdates = new Counter({
    name: 'service_update_attempts_total',
    help: "Attempts to update the merchant's service, by update type and outcome",
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Orders entering needs_review, by reason code. */
  readonly reviewsEntered = new Counter({
    name: 'orders_entering_review_total',
    help: 'Orders that entered needs_review, by reason code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

/** The process-wide metrics (the intake and the activities of one process share them). */
export const metrics = new Metrics();
