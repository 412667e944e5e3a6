// Property test of the intake over app.inject(): arbitrary header maps and bodies, including validly signed
// webhooks with exactly one mutation of the signed material. Whatever arrives, the answer is a JSON reason or
// status, never a 5xx other than the two retryable 503s, and no workflow is started unless the request was signed
// by the test PKI over the exact bytes received. Fixed seed, so a failure reproduces; ~300 runs in a few seconds.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { buildPublicApp } from '../../src/api/public-app';
import { createLogger } from '../../src/logger';
import { HANDLED_EVENT_TYPES } from '../../src/paypal/events';
import { createOfflineVerifier } from '../../src/paypal/signature';
import { createEventRouter } from '../../src/routing/event-router';
import { createSimulatorPki } from '../../src/simulator/certificates';
import { signTransmission } from '../../src/simulator/signing';

const pki = createSimulatorPki();
const CERT_HOST = '127.0.0.1:4998';
const CERT_URL = `http://${CERT_HOST}/v1/notifications/certs/CERT-fuzz`;
const WEBHOOK_ID = 'FUZZ-WEBHOOK';
const MAX_BODY = 4 * 1024;
const SEED = 20261122;
const NUM_RUNS = 300;
const PAYPAL_NAMES = ['paypal-auth-algo', 'paypal-cert-url', 'paypal-transmission-id', 'paypal-transmission-sig', 'paypal-transmission-time'] as const;
/** The only 5xx answers allowed: both mean "could not decide now, retry", which PayPal does. */
const RETRYABLE_503 = new Set(['cert_fetch_failed', 'temporal_unavailable']);

type Headers = Record<string, string | string[]>;
/** One request to send; `genuine` is the oracle: signed by the test PKI over exactly these bytes and headers. */
interface Plan {
  kind: string;
  headers: Headers;
  body: Buffer;
  genuine: boolean;
  /** For genuine, valid, routable events: the delivery must happen. */
  mustDeliver?: boolean;
}

// ---- building blocks --------------------------------------------------------------------------------------------

const randomCase = (s: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((flips) => [...s].map((c, i) => (flips[i] ? c.toUpperCase() : c)).join(''));

const isoSeconds = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

// Header values a real socket can carry (visible Latin-1 and spaces); Node would refuse anything else on the wire.
const wireString = (maxLength = 60): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f && (c < 0x80 || c >= 0xa0)).map((c) => String.fromCharCode(c)), maxLength });

const wellFormedValue = fc.oneof(
  fc.constant('SHA256withRSA'),
  fc.constantFrom(CERT_URL, `http://${CERT_HOST}/v1/notifications/certs/CERT-other`, 'https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270'),
  fc.uuid(),
  fc.uint8Array({ minLength: 256, maxLength: 256 }).map((b) => Buffer.from(b).toString('base64')),
  fc.integer({ min: -600, max: 600 }).map((s) => isoSeconds(new Date(Date.now() + s * 1000))),
);
const headerValue: fc.Arbitrary<string | string[]> = fc.oneof(
  { weight: 3, arbitrary: wellFormedValue },
  { weight: 2, arbitrary: wireString() },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a,b', 'SHA256withRSA, SHA256withRSA') },
  { weight: 1, arbitrary: fc.array(fc.oneof(wellFormedValue, wireString(20)), { minLength: 2, maxLength: 3 }) }, // duplicates
);
const headerName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PAYPAL_NAMES).chain(randomCase) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).map((s) => `paypal-${s}`) },
  { weight: 1, arbitrary: fc.stringMatching(/^x-[a-z0-9-]{1,12}$/) },
);
const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON') },
  { weight: 2, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json, text/plain', 'application/jsonx', '') },
  { weight: 1, arbitrary: wireString(30) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const withContentType = (headers: Headers, ct: string | undefined): Headers => (ct === undefined ? headers : { ...headers, 'content-type': ct });

const orderId = fc.oneof(fc.stringMatching(/^[A-Z0-9]{17}$/), wireString(20));
const nearValidEvent: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    id: fc.oneof(fc.constant('WH-').chain((p) => fc.uuid().map((u) => p + u)), wireString(10)),
    event_version: fc.constant('1.0'),
    create_time: fc.constant(new Date().toISOString()),
    event_type: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HANDLED_EVENT_TYPES) }, { weight: 1, arbitrary: fc.constantFrom('BILLING.PLAN.CREATED', '', 'checkout.order.approved') }),
    resource_type: fc.constantFrom('checkout-order', 'capture', 'refund'),
    resource: fc.record(
      {
        id: orderId,
        order_id: orderId,
        status: fc.constantFrom('APPROVED', 'COMPLETED'),
        supplementary_data: orderId.map((o) => ({ related_ids: { order_id: o } })),
        // Includes malformed percent-escapes: a signed event with one must still get a clean answer, never a 500.
        links: fc.array(
          fc.record({ rel: fc.constantFrom('up', 'self'), href: fc.constantFrom('https://api.paypal.com/v2/payments/captures/CAPKNOWN', 'https://api.paypal.com/v2/checkout/orders/ORDERX', 'https://api.paypal.com/v2/payments/captures/NOPE', 'https://api.paypal.com/v2/checkout/orders/%E0', 'https://api.paypal.com/v2/payments/captures/%ZZ') }),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['resource'] },
);
const validEvent = (type = 'CHECKOUT.ORDER.APPROVED'): Record<string, unknown> => ({
  id: `WH-${randomUUID()}`,
  event_version: '1.0',
  create_time: new Date().toISOString(),
  resource_type: 'checkout-order',
  event_type: type,
  resource: { id: '5O190127TN364715T', status: 'APPROVED' },
});
const anyBody: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
  { weight: 3, arbitrary: fc.json({ maxDepth: 3 }).map((j) => Buffer.from(j)) },
  { weight: 3, arbitrary: nearValidEvent.map((e) => Buffer.from(JSON.stringify(e))) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(MAX_BODY + 1, 0x20)) },
);

function sign(body: Buffer, webhookId = WEBHOOK_ID): Record<string, string> {
  return { ...signTransmission(body, { webhookId, certUrl: CERT_URL, key: pki.leafKeyPem }) };
}

/** Wraps a plan builder so fast-check prints its generated inputs (not the closure's source) in a counterexample. */
function labelled(kind: string, inputs: unknown, build: () => Plan): () => Plan {
  return Object.assign(build, { [fc.toStringMethod]: () => `${kind} ${fc.stringify(inputs)}` });
}

// ---- the four request families ----------------------------------------------------------------------------------

/**
 * Random header maps (random PAYPAL-* names in any case, values, duplicates as arrays or case-twins, random content
 * types) over any body; half of them laid over a complete well-formed set, so they get past the "missing" check.
 */
const unsignedRandom: fc.Arbitrary<() => Plan> = fc
  .tuple(fc.boolean(), fc.dictionary(headerName, headerValue, { minKeys: 1, maxKeys: 8 }), contentType, anyBody)
  .map((inputs) => {
    const [complete, random, ct, body] = inputs;
    const base: Headers = complete ? { ...sign(Buffer.from('{}')), 'paypal-transmission-sig': Buffer.alloc(256, 1).toString('base64') } : {};
    return labelled('random-headers', inputs, () => ({ kind: 'random-headers', headers: withContentType({ ...base, ...random }, ct), body, genuine: false }));
  });

/** All five real headers with well-formed-looking values (random signature, random IDs) over any body. */
const unsignedPlausible: fc.Arbitrary<() => Plan> = fc
  .tuple(fc.uuid(), fc.uint8Array({ minLength: 256, maxLength: 256 }), fc.integer({ min: -600, max: 600 }), contentType, anyBody)
  .map(([id, sig, skew, ct, body]) => labelled('plausible-headers', { id, skew, ct, body }, () => ({
    kind: 'plausible-headers',
    headers: withContentType(
      {
        'paypal-auth-algo': 'SHA256withRSA',
        'paypal-cert-url': CERT_URL,
        'paypal-transmission-id': id,
        'paypal-transmission-sig': Buffer.from(sig).toString('base64'),
        'paypal-transmission-time': isoSeconds(new Date(Date.now() + skew * 1000)),
      },
      ct,
    ),
    body,
    genuine: false,
  })));

type Mutation =
  | { m: 'body-flip'; at: number; xor: number }
  | { m: 'body-append'; byte: number }
  | { m: 'body-truncate'; drop: number }
  | { m: 'body-reserialise' }
  | { m: 'transmission-id'; id: string }
  | { m: 'time-shift'; s: number }
  | { m: 'time-reformat' }
  | { m: 'signature-bit'; at: number; bit: number }
  | { m: 'webhook-id'; id: string };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ m: fc.constant('body-flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ m: fc.constant('body-append' as const), byte: fc.constantFrom(0x20, 0x0a, 0x7d, 0x00) }),
  fc.record({ m: fc.constant('body-truncate' as const), drop: fc.integer({ min: 1, max: 8 }) }),
  fc.constant({ m: 'body-reserialise' as const }),
  fc.record({ m: fc.constant('transmission-id' as const), id: fc.uuid() }),
  fc.record({ m: fc.constant('time-shift' as const), s: fc.integer({ min: 1, max: 240 }).chain((s) => fc.constantFrom(s, -s)) }),
  fc.constant({ m: 'time-reformat' as const }),
  fc.record({ m: fc.constant('signature-bit' as const), at: fc.nat({ max: 255 }), bit: fc.nat({ max: 7 }) }),
  fc.record({ m: fc.constant('webhook-id' as const), id: fc.constantFrom('SOMEONE-ELSES-WEBHOOK', `${WEBHOOK_ID} `, WEBHOOK_ID.toLowerCase()) }),
);

function applyMutation(original: Buffer, mut: Mutation): { headers: Record<string, string>; body: Buffer } {
  let body = Buffer.from(original);
  const headers = sign(original, mut.m === 'webhook-id' ? mut.id : WEBHOOK_ID);
  const time = headers['paypal-transmission-time'] ?? '';
  switch (mut.m) {
    case 'body-flip': {
      const i = mut.at % body.length;
      body[i] = body[i]! ^ mut.xor;
      break;
    }
    case 'body-append':
      body = Buffer.concat([body, Buffer.from([mut.byte])]);
      break;
    case 'body-truncate':
      body = body.subarray(0, Math.max(0, body.length - mut.drop));
      break;
    case 'body-reserialise': // same event, different bytes
      body = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2));
      break;
    case 'transmission-id':
      headers['paypal-transmission-id'] = mut.id;
      break;
    case 'time-shift': // still well-formed and inside the window, so only the signature can reject it
      headers['paypal-transmission-time'] = isoSeconds(new Date(Date.parse(time) + mut.s * 1000));
      break;
    case 'time-reformat': // the same instant written differently: different signed bytes
      headers['paypal-transmission-time'] = time.replace(/Z$/, '.000Z');
      break;
    case 'signature-bit': {
      const sig = Buffer.from(headers['paypal-transmission-sig'] ?? '', 'base64');
      sig[mut.at] = sig[mut.at]! ^ (1 << mut.bit); // on the decoded bytes: base64 padding bits would not count
      headers['paypal-transmission-sig'] = sig.toString('base64');
      break;
    }
    case 'webhook-id':
      break;
  }
  return { headers, body };
}

/** A validly signed event (valid or near-valid) with exactly one mutation of the signed material: never genuine. */
const signedMutated: fc.Arbitrary<() => Plan> = fc
  .tuple(fc.oneof(nearValidEvent, fc.constant(null)), mutation)
  .map(([e, mut]) => labelled('mutated', { event: e ?? 'valid', mut }, () => {
    const { headers, body } = applyMutation(Buffer.from(JSON.stringify(e ?? validEvent())), mut);
    return { kind: `mutated:${mut.m}`, headers: { 'content-type': 'application/json', ...headers }, body, genuine: false };
  }));

/** Unmutated signed events (header names in random case): genuine; a valid routable one must be delivered. */
const signedGenuine: fc.Arbitrary<() => Plan> = fc
  .tuple(fc.oneof(nearValidEvent, fc.constant(null)), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }))
  .map(([e, upper]) => labelled('genuine', { event: e ?? 'valid', upper }, () => {
    const body = Buffer.from(JSON.stringify(e ?? validEvent()));
    const headers = Object.fromEntries(Object.entries(sign(body)).map(([k, v], i) => [upper[i] ? k.toUpperCase() : k, v]));
    return { kind: 'genuine', headers: { 'content-type': 'application/json', ...headers }, body, genuine: true, mustDeliver: e === null };
  }));

// ---- the property -----------------------------------------------------------------------------------------------

void describe('POST /webhooks/paypal under arbitrary input (fast-check)', () => {
  let app: FastifyInstance;
  const calls: { orderId: string; eventId: string }[] = [];

  before(async () => {
    app = await buildPublicApp({
      logger: createLogger('silent'),
      verifier: createOfflineVerifier({
        webhookId: WEBHOOK_ID,
        environment: 'simulator',
        allowedCertHosts: [CERT_HOST],
        extraTrustAnchorsPem: [pki.caPem],
        fetchCert: () => Promise.resolve(pki.leafPem),
      }),
      router: createEventRouter({
        orders: {
          deliverEvent: (orderId, hint) => {
            calls.push({ orderId, eventId: hint.eventId });
            // Some orders hit an unavailable Temporal, so the retryable 503 path is exercised too.
            if (orderId.startsWith('0')) return Promise.reject(new Error('14 UNAVAILABLE'));
            return Promise.resolve({ workflowId: `paypal-order-${orderId}` });
          },
        },
        orderIdForCapture: (captureId) => (captureId === 'NOPE' ? Promise.reject(new Error('PayPal 503')) : Promise.resolve(captureId === 'CAPKNOWN' ? 'ORDERFORCAP' : undefined)),
      }),
      maxBodyBytes: MAX_BODY,
    });
  });
  after(async () => {
    await app?.close();
  });

  async function send(plan: Plan): Promise<{ status: number; error?: string; started: typeof calls }> {
    const before = calls.length;
    const res = await app.inject({ method: 'POST', url: '/webhooks/paypal', payload: plan.body, headers: plan.headers });
    const where = `${plan.kind} → ${res.statusCode} ${res.body.slice(0, 200)}`;
    assert.match(String(res.headers['content-type']), /^application\/json/, where);
    const json = JSON.parse(res.body) as { error?: unknown; status?: unknown };
    assert.ok(typeof json.error === 'string' || typeof json.status === 'string', `no error/status field: ${where}`);
    // A genuine refund may also meet PayPal down while its capture is looked up: that 503 is retryable too, and only
    // authentic requests get that far.
    const allowed = (e: string): boolean => RETRYABLE_503.has(e) || (plan.genuine && e === 'paypal_unavailable');
    if (res.statusCode >= 500) assert.ok(res.statusCode === 503 && allowed(String(json.error)), `unexpected 5xx: ${where}`);
    return { status: res.statusCode, error: typeof json.error === 'string' ? json.error : undefined, started: calls.slice(before) };
  }

  test('control: a properly signed valid event IS delivered (the property below can fail)', async () => {
    const body = Buffer.from(JSON.stringify(validEvent()));
    const res = await send({ kind: 'control', headers: { 'content-type': 'application/json', ...sign(body) }, body, genuine: true });
    assert.equal(res.status, 200);
    assert.equal(res.started.length, 1);
    assert.equal(res.started[0]?.orderId, '5O190127TN364715T');
  });

  test(`${NUM_RUNS} arbitrary requests: JSON answer, no unexpected 5xx, no delivery unless genuinely signed`, async () => {
    const seen = new Map<string, number>();
    let genuineDelivered = 0;
    const t0 = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: unsignedRandom },
          { weight: 2, arbitrary: unsignedPlausible },
          { weight: 4, arbitrary: signedMutated },
          { weight: 1, arbitrary: signedGenuine },
        ),
        async (makePlan) => {
          const plan = makePlan(); // signs now, so the transmission time is fresh whenever the run executes
          seen.set(plan.kind.split(':')[0]!, (seen.get(plan.kind.split(':')[0]!) ?? 0) + 1);
          const res = await send(plan);
          if (!plan.genuine) {
            assert.equal(res.started.length, 0, `${plan.kind} started a workflow (${res.status} ${res.error ?? ''})`);
            return;
          }
          assert.ok(res.started.length <= 1, 'at most one delivery per request');
          const eventId = (JSON.parse(plan.body.toString('utf8')) as { id?: unknown }).id;
          for (const call of res.started) assert.equal(call.eventId, eventId, 'the delivered event is the one that was signed');
          if (plan.mustDeliver) assert.equal(res.started.length, 1, `a genuine valid event was not delivered (${res.status} ${res.error ?? ''})`);
          genuineDelivered += res.started.length;
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
    );
    // The mix really exercised every family, and genuine events really got through.
    for (const kind of ['random-headers', 'plausible-headers', 'mutated', 'genuine']) assert.ok((seen.get(kind) ?? 0) >= 10, `too few ${kind} cases: ${JSON.stringify([...seen])}`);
    assert.ok(genuineDelivered > 0, 'no genuine event was delivered during the run');
    console.log(`# ${NUM_RUNS} runs in ${Date.now() - t0} ms: ${JSON.stringify(Object.fromEntries(seen))}, ${genuineDelivered} genuine deliveries`);
  });

  test('the process stays healthy after the run', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
  });

});
