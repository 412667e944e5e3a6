// Shared helpers for the simulator tests: a PayPal API caller, a tiny webhook receiver, polling, and an OpenAPI
// response validator built from PayPal's own specs.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import path from 'node:path';
import { after, before } from 'node:test';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator';

/** PayPal's OpenAPI specs, pinned copies (see the folder's README for provenance and hashes). */
export const SPEC_DIR = path.resolve(__dirname, '../fixtures/paypal-openapi');

/** An HTTP answer from the simulator. */
export interface ApiResponse {
  status: number;
  text: string;
  json: Record<string, unknown> & { id?: string; status?: string; name?: string; details?: { issue: string }[] };
  headers: Headers;
}

/** Gets an OAuth token from the simulator the way a PayPal client does. */
export async function getToken(sim: RunningSimulator): Promise<string> {
  const res = await fetch(`${sim.url}/v1/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

/** Calls a PayPal API path on the simulator with a bearer token. */
export async function api(
  sim: RunningSimulator,
  token: string | undefined,
  method: string,
  apiPath: string,
  opts: { body?: unknown; rawBody?: string; requestId?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.requestId) headers['paypal-request-id'] = opts.requestId;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.url}${apiPath}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let json: ApiResponse['json'] = {};
  try {
    json = text ? (JSON.parse(text) as ApiResponse['json']) : {};
  } catch {
    json = {};
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** Polls `fn` until it returns a truthy value; fails after `timeoutMs`. */
export async function waitUntil<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One webhook POST as the receiver saw it. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  event: { id: string; event_type: string; resource: Record<string, unknown> & { id: string } };
  answered: number;
}

/** A local webhook endpoint recording every request; `answers` is consumed first, then `defaultStatus`. */
export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  answers: number[];
  defaultStatus: number;
  ofType(type: string): ReceivedWebhook[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1:0. */
export async function startReceiver(): Promise<Receiver> {
  const receiver: Omit<Receiver, 'url' | 'close'> = {
    received: [],
    answers: [],
    defaultStatus: 200,
    ofType(type: string) {
      return this.received.filter((r) => r.event.event_type === type && r.answered < 300);
    },
  };
  const server: Server = createServer((req, res) => {
    void buffer(req).then((raw) => {
      const answered = receiver.answers.shift() ?? receiver.defaultStatus;
      receiver.received.push({ headers: req.headers, raw, event: JSON.parse(raw.toString('utf8')) as ReceivedWebhook['event'], answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const extra: Pick<Receiver, 'url' | 'close'> = {
    url: `http://127.0.0.1:${port}/webhooks/paypal`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return Object.assign(receiver, extra);
}

/** A simulator that delivers its webhooks to a receiver of its own, and a token for its API. */
export interface SimulatorRig {
  sim: RunningSimulator;
  receiver: Receiver;
  token: string;
}

/**
 * Registers the suite's before/after hooks that start a receiver and a simulator pointed at it (with `options`)
 * and close both; the returned rig is filled in once the suite's `before` has run.
 */
export function simulatorRig(options: Omit<SimulatorOptions, 'webhookUrl'>): SimulatorRig {
  const rig = {} as SimulatorRig;
  before(async () => {
    rig.receiver = await startReceiver();
    rig.sim = await startSimulator({ ...options, webhookUrl: rig.receiver.url });
    rig.token = await getToken(rig.sim);
  });
  after(async () => {
    await rig.sim?.close();
    await rig.receiver?.close();
  });
  return rig;
}

type SpecFile = 'checkout_orders_v2.json' | 'payments_payment_v2.json' | 'notifications_webhooks_v1.json';

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: Record<string, unknown>;
}

/**
 * Validates bodies against the response schema PayPal's spec declares for an operation and status code.
 * OpenAPI 3.0 handling: components are registered under the spec's file name so `#/components/...` refs resolve,
 * `nullable` is understood by Ajv, vendor formats (ppaas_*) are accepted as annotations, strict mode is off
 * because the specs use OpenAPI-only keywords (example, readOnly, deprecated, discriminator), and patterns are
 * compiled without the `u` flag because some of PayPal's (the email one) are invalid under it.
 */
export class SpecValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  private readonly docs = new Map<SpecFile, OpenApiDoc>();
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
    if (!existsSync(SPEC_DIR)) throw new Error(`PayPal OpenAPI specs not found at ${SPEC_DIR} (shared/ must sit beside the repo)`);
    for (const file of ['checkout_orders_v2.json', 'payments_payment_v2.json', 'notifications_webhooks_v1.json'] as const) {
      const text = readFileSync(path.join(SPEC_DIR, file), 'utf8');
      for (const match of text.matchAll(/"format":\s*"([^"]+)"/g)) {
        const format = match[1]!;
        if (!this.ajv.formats[format]) this.ajv.addFormat(format, true);
      }
      const doc = JSON.parse(text) as OpenApiDoc;
      this.docs.set(file, doc);
      this.ajv.addSchema({ $id: file, components: doc.components });
    }
  }

  /** The validator for `method path` answering `status` in `file`, e.g. ('checkout_orders_v2.json', 'post', '/v2/checkout/orders', 201). */
  validator(file: SpecFile, method: string, apiPath: string, status: number): ValidateFunction {
    const key = `${file} ${method} ${apiPath} ${status}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const responses = this.docs.get(file)!.paths[apiPath]?.[method.toLowerCase()]?.responses;
    const schema = responses?.[String(status)]?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${key}: no JSON response schema in the spec`);
    const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${file}#/components/`)) as object;
    const validate = this.ajv.compile(rebased);
    this.cache.set(key, validate);
    return validate;
  }

  /** Validates and returns Ajv's error text ('' when valid). */
  check(file: SpecFile, method: string, apiPath: string, status: number, body: unknown): string {
    const validate = this.validator(file, method, apiPath, status);
    return validate(body) ? '' : this.ajv.errorsText(validate.errors, { separator: '\n' });
  }
}
