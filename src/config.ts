import { z } from 'zod';
import { DEFAULT_TIMING, parseDuration, type OrderTiming } from './workflows/timing';

/**
 * Every environment variable the product reads, parsed once at start. A wrong value stops the process with a
 * message naming the variable; defaults are the "embedded" local setup (dev server + simulator), so
 * `npm start` works with no configuration at all.
 */
const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);
const durationMs = z.coerce.number().int().positive();
const csv = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0));

const duration = z.string().transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (e.g. 500ms, 30s, 5m, 2h, 3d)` });
    return z.NEVER;
  }
  return ms;
});
const durationList = z.string().transform((v, ctx) => {
  const parts = v.split(',').map((p) => parseDuration(p));
  if (parts.length === 0 || parts.some((p) => p === undefined || p <= 0)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a comma-separated list of durations` });
    return z.NEVER;
  }
  return parts as number[];
});

/** A duration, or `0` / `off` for "disabled" (encoded as 0, so callers test `> 0`). */
const durationOrOff = z.string().transform((v, ctx) => {
  if (/^\s*(off|0)\s*$/i.test(v)) return 0;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (e.g. 15m, 1h) or "off"` });
    return z.NEVER;
  }
  return ms;
});

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/**
 * The webhook sweep's settings, also read on their own by `ppf setup` (which must not need the PayPal or merchant
 * secrets a worker needs). The interval is how often a Schedule lists PayPal's recent webhook events; the
 * lookback how far back each sweep looks. Lookback > interval so consecutive windows overlap: a sweep that fails
 * or is skipped is covered by the next ones. 6h covers a sweep outage of several hours (deploys, a worker or
 * Temporal down) at the cost of each event being offered about 24 times, which the order workflow drops by event
 * ID. Longer is pointless: PayPal itself redelivers failed webhooks for 3 days; the sweep is for the ones it never
 * sent or that were lost on the way.
 */
const sweepSettingsShape = {
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('paypal-orders'),
  WEBHOOK_SWEEP_INTERVAL: durationOrOff.default(15 * 60 * 1000),
  WEBHOOK_SWEEP_LOOKBACK: duration.default(6 * 60 * 60 * 1000),
};

function checkSweepSettings(c: { WEBHOOK_SWEEP_INTERVAL: number; WEBHOOK_SWEEP_LOOKBACK: number }, ctx: z.RefinementCtx): void {
  if (c.WEBHOOK_SWEEP_INTERVAL > 0 && c.WEBHOOK_SWEEP_LOOKBACK <= c.WEBHOOK_SWEEP_INTERVAL) {
    ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SWEEP_LOOKBACK'], message: 'must be longer than WEBHOOK_SWEEP_INTERVAL (windows must overlap)' });
  }
}

const sweepSettingsSchema = z.object(sweepSettingsShape).superRefine(checkSweepSettings);

/** The webhook sweep's settings on their own. */
export type SweepSettings = z.infer<typeof sweepSettingsSchema>;

/** Parses only the sweep settings (for `ppf setup`); throws ConfigError naming each bad variable. */
export function loadSweepSettings(env: NodeJS.ProcessEnv = process.env): SweepSettings {
  return parseEnv(sweepSettingsSchema, env);
}

export const configSchema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().default('0.0.0.0'),
    ADMIN_PORT: port.default(3001),
    ADMIN_HOST: z.string().default('127.0.0.1'),
    ADMIN_TOKEN: optionalString,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().default('.data'),

    TEMPORAL_ADDRESS: optionalString,
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_CLI_PATH: optionalString,
    TEMPORAL_SDK_METRICS_PORT: port.default(9464),
    TEMPORAL_RECORD_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    WEBHOOK_EVENT_MEMORY: z.coerce.number().int().min(0).max(10_000_000).default(100_000), // a sweep's 6-hour lookback at ~4 events a second
    // Orders sleep 180 days in their refund watch, so the sticky cache fills with idle orders: 500 bounds the
    // worker's heap (the SDK's default is sized from the heap limit, ~2,300 on a 4 GB heap). docs/decisions.md.
    TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(500),
    TEMPORAL_DEV_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),

    PAYPAL_ENV: z.enum(['simulator', 'sandbox', 'live']).default('simulator'),
    PAYPAL_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
    PAYPAL_CLIENT_ID: optionalString,
    PAYPAL_CLIENT_SECRET: optionalString,
    PAYPAL_WEBHOOK_ID: optionalString,
    PAYPAL_WEBHOOK_VERIFY: z.enum(['offline', 'api']).default('offline'),
    PAYPAL_CERT_HOSTS: csv.optional(),
    PAYPAL_CA_ISSUER_HOSTS: csv.optional(),
    PAYPAL_CA_FILE: optionalString,
    PAYPAL_TRANSMISSION_MAX_AGE: duration.default(73 * 60 * 60 * 1000),
    PAYPAL_TRANSMISSION_MAX_FUTURE: duration.default(5 * 60 * 1000),
    PAYPAL_AUTO_CAPTURE: booleanString.default(true),
    PAYPAL_SIMULATOR_PORT: port.default(4010),
    WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(256 * 1024),

    FULFILLMENT_URL: z.url({ protocol: /^https?$/ }).optional(),
    FULFILLMENT_SECRET: optionalString,
    FULFILLMENT_TIMEOUT_MS: durationMs.default(10_000),
    FULFILLMENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    FULFILLMENT_INITIAL_INTERVAL_MS: durationMs.default(5_000),
    FULFILLMENT_MAX_INTERVAL_MS: durationMs.default(10 * 60_000),
    ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),

    // OpenTelemetry's standard variables: traces go to <endpoint>/v1/traces (OTLP/HTTP); unset = tracing off.
    OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
    OTEL_SERVICE_NAME: z.string().min(1).default('paypal-fulfilment'),

    RECONCILE_POLL_SCHEDULE: durationList.optional(),
    AWAITING_PAYMENT_DEADLINE: duration.optional(),
    PAYMENT_PENDING_DEADLINE: duration.optional(),
    WATCH_AFTER_FULFILMENT: duration.optional(),
    WATCH_AFTER_CLOSE: duration.optional(),
    REFUND_ANNOUNCEMENT_GRACE: duration.optional(),
    // At least 1 s: an attempt heartbeats every quarter of it, and Temporal sends at most one heartbeat per 0.8 of it.
    ACTIVITY_HEARTBEAT_TIMEOUT: duration.refine((ms) => ms >= 1000, 'must be at least 1s').optional(),
    PENDING_SERVICE_UPDATE_INTERVAL: duration.optional(),
    PENDING_SERVICE_UPDATE_DEADLINE: duration.optional(),

    ...sweepSettingsShape,
  })
  .superRefine((c, ctx) => {
    if (c.PAYPAL_ENV !== 'simulator') {
      for (const key of ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET', 'PAYPAL_WEBHOOK_ID'] as const) {
        if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: `required when PAYPAL_ENV=${c.PAYPAL_ENV}` });
      }
      if (!c.FULFILLMENT_URL) {
        ctx.addIssue({ code: 'custom', path: ['FULFILLMENT_URL'], message: `required when PAYPAL_ENV=${c.PAYPAL_ENV}` });
      }
    }
    if (c.FULFILLMENT_URL && !c.FULFILLMENT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['FULFILLMENT_SECRET'], message: 'required when FULFILLMENT_URL is set (service updates are signed)' });
    }
    checkSweepSettings(c, ctx);
    if (!c.ADMIN_TOKEN && !isLoopback(c.ADMIN_HOST)) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_HOST'], message: 'the admin API binds beyond loopback only with ADMIN_TOKEN set' });
    }
  });

/** The validated configuration. */
export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment is invalid; its message names every offending variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` (default `process.env`); throws ConfigError listing each bad variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseEnv(configSchema, env);
}

function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** True for hosts that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

/** PayPal's REST base URL for an environment; `PAYPAL_API_BASE` overrides it (any PayPal-compatible server). */
export function paypalApiBase(config: Pick<Config, 'PAYPAL_ENV' | 'PAYPAL_API_BASE'>, simulatorUrl?: string): string {
  if (config.PAYPAL_API_BASE) return config.PAYPAL_API_BASE.replace(/\/+$/, '');
  switch (config.PAYPAL_ENV) {
    case 'live':
      return 'https://api-m.paypal.com';
    case 'sandbox':
      return 'https://api-m.sandbox.paypal.com';
    case 'simulator':
      return simulatorUrl ?? `http://127.0.0.1:4010`;
  }
}

/** The order workflow's durations, from the environment over the production defaults. */
export function orderTiming(c: Config): OrderTiming {
  return {
    serviceUpdate: {
      initialIntervalMs: c.FULFILLMENT_INITIAL_INTERVAL_MS,
      maxIntervalMs: c.FULFILLMENT_MAX_INTERVAL_MS,
      maxAttempts: c.FULFILLMENT_MAX_ATTEMPTS,
    },
    pollScheduleMs: c.RECONCILE_POLL_SCHEDULE ?? DEFAULT_TIMING.pollScheduleMs,
    awaitingPaymentDeadlineMs: c.AWAITING_PAYMENT_DEADLINE ?? DEFAULT_TIMING.awaitingPaymentDeadlineMs,
    paymentPendingDeadlineMs: c.PAYMENT_PENDING_DEADLINE ?? DEFAULT_TIMING.paymentPendingDeadlineMs,
    pendingServiceUpdateIntervalMs: c.PENDING_SERVICE_UPDATE_INTERVAL ?? DEFAULT_TIMING.pendingServiceUpdateIntervalMs,
    pendingServiceUpdateDeadlineMs: c.PENDING_SERVICE_UPDATE_DEADLINE ?? DEFAULT_TIMING.pendingServiceUpdateDeadlineMs,
    watchAfterFulfilmentMs: c.WATCH_AFTER_FULFILMENT ?? DEFAULT_TIMING.watchAfterFulfilmentMs,
    watchAfterCloseMs: c.WATCH_AFTER_CLOSE ?? DEFAULT_TIMING.watchAfterCloseMs,
    refundAnnouncementGraceMs: c.REFUND_ANNOUNCEMENT_GRACE ?? DEFAULT_TIMING.refundAnnouncementGraceMs,
    activityHeartbeatTimeoutMs: c.ACTIVITY_HEARTBEAT_TIMEOUT ?? DEFAULT_TIMING.activityHeartbeatTimeoutMs,
  };
}
