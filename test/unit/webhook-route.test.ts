// The intake route over app.inject(): real offline verification (simulator PKI, no network), a recording
// OrdersClient stand-in so each row can assert "no workflow was started".
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildPublicApp } from '../../src/api/public-app';
import { createLogger } from '../../src/logger';
import { metrics } from '../../src/metrics';
import { createOfflineVerifier } from '../../src/paypal/signature';
import { createEventRouter } from '../../src/routing/event-router';
import { createSimulatorPki } from '../../src/simulator/certificates';
import { OrderClosedError } from '../../src/temporal/orders-client';
import { signTransmission } from '../../src/simulator/signing';

const pki = createSimulatorPki();
const CERT_URL = 'http://127.0.0.1:4999/v1/notifications/certs/CERT-route-test';
const WEBHOOK_ID = 'ROUTE-TEST-WEBHOOK';
const MAX_BODY = 16 * 1024;

/** The fake OrdersClient answers events for this order as a closed workflow's. */
const CLOSED_ORDER = '9CL05ED0RDER0000';

interface Delivered {
  orderId: string;
  eventId: string;
  eventType: string;
}

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `WH-${randomUUID()}`,
    event_version: '1.0',
    create_time: new Date().toISOString(),
    resource_type: 'checkout-order',
    event_type: 'CHECKOUT.ORDER.APPROVED',
    resource: { id: '5O190127TN364715T', status: 'APPROVED' },
    ...overrides,
  };
}

/** paypal_webhooks_total{outcome="duplicate"} so far (the metrics registry is process-wide). */
async function duplicateCount(): Promise<number> {
  const { values } = await metrics.webhooks.get();
  return values.filter((v) => v.labels.outcome === 'duplicate').reduce((n, v) => n + v.value, 0);
}

function signed(body: Buffer | string, webhookId = WEBHOOK_ID): Record<string, string> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { 'content-type': 'application/json', ...signTransmission(raw, { webhookId, certUrl: CERT_URL, key: pki.leafKeyPem }) };
}

describe('POST /webhooks/paypal', () => {
  let app: FastifyInstance;
  const delivered: Delivered[] = [];
  let temporalDown = false;
  const logLines: { level: number; msg: string; [field: string]: unknown }[] = [];

  before(async () => {
    app = await buildPublicApp({
      logger: createLogger('info', {}, { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) }),
      verifier: createOfflineVerifier({
        webhookId: WEBHOOK_ID,
        environment: 'simulator',
        allowedCertHosts: ['127.0.0.1:4999'],
        extraTrustAnchorsPem: [pki.caPem],
        fetchCert: () => Promise.resolve(pki.leafPem),
      }),
      router: createEventRouter({
        orders: {
          deliverEvent: (orderId, hint) => {
            if (temporalDown) return Promise.reject(new Error('14 UNAVAILABLE: connection refused'));
            if (orderId === CLOSED_ORDER) return Promise.reject(new OrderClosedError(`order ${orderId} is closed`));
            delivered.push({ orderId, ...hint });
            return Promise.resolve({ workflowId: `paypal-order-${orderId}` });
          },
        },
        orderIdForCapture: (captureId) => Promise.resolve(captureId === 'CAPKNOWN' ? 'ORDERFORCAP' : undefined),
        remember: 1000,
      }),
      maxBodyBytes: MAX_BODY,
    });
  });
  after(async () => {
    await app?.close();
  });

  async function post(payload: string | Buffer, headers: Record<string, string | string[]>) {
    const before = delivered.length;
    const res = await app.inject({ method: 'POST', url: '/webhooks/paypal', payload, headers });
    return { status: res.statusCode, body: res.json<{ error?: string; status?: string; orderId?: string }>(), headers: res.headers, started: delivered.length - before };
  }

  test('a signed CHECKOUT.ORDER.APPROVED is recorded for its order and answered 200', async () => {
    const body = JSON.stringify(event());
    const res = await post(body, signed(body));
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'accepted');
    assert.equal(res.started, 1);
    assert.equal(delivered.at(-1)?.orderId, '5O190127TN364715T');
  });

  test('a refund event is routed through its capture to the order', async () => {
    const body = JSON.stringify(
      event({ event_type: 'PAYMENT.CAPTURE.REFUNDED', resource_type: 'refund', resource: { id: 'REF1', links: [{ rel: 'up', href: 'https://api.paypal.com/v2/payments/captures/CAPKNOWN' }] } }),
    );
    const res = await post(body, signed(body));
    assert.equal(res.status, 200);
    assert.equal(delivered.at(-1)?.orderId, 'ORDERFORCAP');
  });

  test('each webhook request logs one line: method, URL, status, time and what became of the event', async () => {
    const body = JSON.stringify(event());
    const accepted = await (async () => {
      const from = logLines.length;
      await post(body, signed(body));
      return logLines.slice(from);
    })();
    assert.equal(accepted.length, 1, `lines: ${JSON.stringify(accepted)}`);
    const [line] = accepted;
    assert.equal(line?.msg, 'webhook accepted');
    assert.equal(line?.level, 30);
    assert.equal(line?.method, 'POST');
    assert.equal(line?.url, '/webhooks/paypal');
    assert.equal(line?.statusCode, 200);
    assert.equal(typeof line?.ms, 'number');
    assert.equal(line?.eventId, (JSON.parse(body) as { id: string }).id);
    assert.equal(line?.orderId, '5O190127TN364715T');

    const from = logLines.length;
    await post(body, { ...signed(body), 'paypal-transmission-sig': Buffer.alloc(256, 1).toString('base64') });
    const rejected = logLines.slice(from);
    assert.equal(rejected.length, 1, `lines: ${JSON.stringify(rejected)}`);
    assert.equal(rejected[0]?.msg, 'webhook rejected');
    assert.equal(rejected[0]?.level, 40);
    assert.equal(rejected[0]?.statusCode, 401);
    assert.equal(rejected[0]?.reason, 'signature_invalid');
  });

  test('a redelivery of a recorded event → 200 from memory: nothing handed to Temporal, outcome duplicate', async () => {
    const body = JSON.stringify(event());
    assert.equal((await post(body, signed(body))).started, 1);
    const duplicatesBefore = await duplicateCount();
    const from = logLines.length;
    const again = await post(body, signed(body)); // a new transmission (ID, time, signature) of the same event
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { status: 'accepted', orderId: '5O190127TN364715T', workflowId: 'paypal-order-5O190127TN364715T', alreadyRecorded: true });
    assert.equal(again.started, 0, 'not handed to Temporal again');
    assert.equal(await duplicateCount(), duplicatesBefore + 1);
    assert.equal(logLines.slice(from)[0]?.msg, 'webhook duplicate');
  });

  test('an event for an order whose workflow has completed → 200 ignored, so PayPal stops sending it', async () => {
    const body = JSON.stringify(event({ resource: { id: CLOSED_ORDER, status: 'APPROVED' } }));
    const res = await post(body, signed(body));
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ignored');
    assert.equal(res.started, 0);
  });

  test('Temporal unreachable → 503 with Retry-After, so PayPal delivers again', async () => {
    temporalDown = true;
    try {
      const body = JSON.stringify(event());
      const res = await post(body, signed(body));
      assert.equal(res.status, 503);
      assert.equal(res.body.error, 'temporal_unavailable');
      assert.equal(res.headers['retry-after'], '30');
    } finally {
      temporalDown = false;
    }
  });

  // Each row: what arrives, the status and reason expected, and (always) no workflow started.
  const valid = JSON.stringify(event());
  const billing = JSON.stringify(event({ event_type: 'BILLING.PLAN.CREATED' }));
  const rows: { name: string; payload: () => string | Buffer; headers: () => Record<string, string | string[]>; status: number; error?: string; ignored?: boolean }[] = [
    { name: 'no PayPal headers', payload: () => valid, headers: () => ({ 'content-type': 'application/json' }), status: 400, error: 'missing_header' },
    {
      name: 'a missing transmission signature',
      payload: () => valid,
      headers: () => {
        const h = signed(valid);
        delete h['paypal-transmission-sig'];
        return h;
      },
      status: 400,
      error: 'missing_header',
    },
    {
      name: 'a duplicated PAYPAL-TRANSMISSION-ID (array header value)',
      payload: () => valid,
      headers: () => {
        const h = signed(valid);
        return { ...h, 'paypal-transmission-id': [h['paypal-transmission-id'] ?? '', h['paypal-transmission-id'] ?? ''] };
      },
      status: 400,
      error: 'duplicate_header',
    },
    { name: 'wrong content type', payload: () => valid, headers: () => ({ ...signed(valid), 'content-type': 'text/plain' }), status: 415, error: 'unsupported_media_type' },
    { name: 'a body over the size limit', payload: () => 'x'.repeat(MAX_BODY + 1), headers: () => signed('x'.repeat(MAX_BODY + 1)), status: 413, error: 'body_too_large' },
    { name: 'an empty body', payload: () => '', headers: () => ({ 'content-type': 'application/json' }), status: 400 },
    { name: 'a forged signature', payload: () => valid, headers: () => ({ ...signed(valid), 'paypal-transmission-sig': Buffer.alloc(256, 7).toString('base64') }), status: 401, error: 'signature_invalid' },
    { name: 'a valid signature over a modified body', payload: () => valid.replace('APPROVED"', 'APPROVEX"'), headers: () => signed(valid), status: 401, error: 'signature_invalid' },
    { name: 'an event for another webhook ID', payload: () => valid, headers: () => signed(valid, 'SOMEONE-ELSES-WEBHOOK'), status: 401, error: 'signature_invalid' },
    { name: 'a cert URL on another host', payload: () => valid, headers: () => ({ ...signed(valid), 'paypal-cert-url': 'https://evil.example/v1/notifications/certs/CERT-x' }), status: 401, error: 'cert_url_not_allowed' },
    { name: 'a non-SHA256withRSA algorithm', payload: () => valid, headers: () => ({ ...signed(valid), 'paypal-auth-algo': 'SHA1withRSA' }), status: 401, error: 'unsupported_algorithm' },
    { name: 'a signed but truncated body (not JSON)', payload: () => valid.slice(0, 40), headers: () => signed(valid.slice(0, 40)), status: 400, error: 'invalid_json' },
    { name: 'signed JSON that is not a PayPal event', payload: () => '{"hello":"world"}', headers: () => signed('{"hello":"world"}'), status: 400, error: 'invalid_event' },
    {
      name: 'an unknown event type (acknowledged, ignored)',
      payload: () => billing,
      headers: () => signed(billing),
      status: 200,
      ignored: true,
    },
  ];
  for (const row of rows) {
    test(`${row.name} → ${row.status}${row.error ? ` ${row.error}` : ''}, no workflow`, async () => {
      const payload = row.payload();
      const res = await post(payload, row.headers());
      assert.equal(res.status, row.status, JSON.stringify(res.body));
      if (row.error) assert.equal(res.body.error, row.error);
      if (row.ignored) assert.equal(res.body.status, 'ignored');
      else assert.equal(typeof res.body.error, 'string', 'a rejection names its reason as JSON `error`');
      assert.equal(res.started, 0, 'no workflow may be started');
    });
  }

  test('the process stays healthy after all of the above', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
  });

  // A second app whose verifier downloads certificates with the REAL guarded fetch (no injected fetchCert) from a
  // hostile cert server on loopback. Plain http is accepted only because that loopback host is explicitly allowed.
  describe('with the real guarded cert fetch against a hostile local cert server', () => {
    const FETCH_TIMEOUT_MS = 300;
    const HUGE_BYTES = 1024 * 1024; // well over the 64 KiB default cap
    const PEM_LINE = 'MIIDdzCCAl+gAwIBAgIUQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n';
    let realApp: FastifyInstance;
    let certServer: Server;
    let base = '';
    const requested: string[] = [];
    const realDelivered: Delivered[] = [];

    const routes: Record<string, (res: ServerResponse) => void> = {
      '/v1/notifications/certs/CERT-good': (res) => res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pki.leafPem),
      '/v1/notifications/certs/CERT-redirect': (res) => res.writeHead(302, { location: '/v1/notifications/certs/CERT-good' }).end(),
      // Headers never come: the deadline must cover connecting and waiting for the status line.
      '/v1/notifications/certs/CERT-slow-headers': () => undefined,
      // Status and the start of a PEM, then the body stalls: the deadline must cover the body read too.
      '/v1/notifications/certs/CERT-slow-body': (res) => {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' });
        res.write('-----BEGIN CERTIFICATE-----\n');
      },
      '/v1/notifications/certs/CERT-huge-declared': (res) => {
        res.writeHead(200, { 'content-type': 'application/x-pem-file', 'content-length': String(HUGE_BYTES) });
        res.end(Buffer.alloc(HUGE_BYTES, 'A'));
      },
      // No Content-Length (chunked): the cap must be enforced while streaming.
      '/v1/notifications/certs/CERT-huge-streamed': (res) => {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' });
        res.write('-----BEGIN CERTIFICATE-----\n');
        const chunk = PEM_LINE.repeat(256);
        const write = (left: number): void => {
          if (left <= 0 || res.destroyed) return void res.end('-----END CERTIFICATE-----\n');
          if (res.write(chunk)) setImmediate(() => write(left - chunk.length));
          else res.once('drain', () => write(left - chunk.length));
        };
        write(HUGE_BYTES);
      },
    };

    before(async () => {
      certServer = createServer((req: IncomingMessage, res: ServerResponse) => {
        requested.push(req.url ?? '');
        (routes[req.url ?? ''] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
      });
      await new Promise<void>((resolve) => certServer.listen(0, '127.0.0.1', resolve));
      const { port } = certServer.address() as AddressInfo;
      base = `http://127.0.0.1:${port}`;
      realApp = await buildPublicApp({
        logger: createLogger('silent'),
        verifier: createOfflineVerifier({
          webhookId: WEBHOOK_ID,
          environment: 'simulator',
          // certs.example.test is allowed only so the plain-http row reaches the scheme check, not the host check.
          allowedCertHosts: [`127.0.0.1:${port}`, 'certs.example.test'],
          extraTrustAnchorsPem: [pki.caPem],
          certFetchTimeoutMs: FETCH_TIMEOUT_MS,
        }),
        router: createEventRouter({
          orders: {
            deliverEvent: (orderId, hint) => {
              realDelivered.push({ orderId, ...hint });
              return Promise.resolve({ workflowId: `paypal-order-${orderId}` });
            },
          },
          orderIdForCapture: () => Promise.resolve(undefined),
        }),
        maxBodyBytes: MAX_BODY,
      });
    });
    after(async () => {
      await realApp?.close();
      certServer?.closeAllConnections();
      await new Promise<void>((resolve) => (certServer ? certServer.close(() => resolve()) : resolve()));
    });

    async function postVia(certUrl: string) {
      const body = JSON.stringify(event());
      const headers = { 'content-type': 'application/json', ...signTransmission(Buffer.from(body), { webhookId: WEBHOOK_ID, certUrl, key: pki.leafKeyPem }) };
      const startedBefore = realDelivered.length;
      const requestsBefore = requested.length;
      const t0 = Date.now();
      const res = await realApp.inject({ method: 'POST', url: '/webhooks/paypal', payload: body, headers });
      return {
        status: res.statusCode,
        body: res.json<{ error?: string; status?: string; message?: string }>(),
        headers: res.headers,
        started: realDelivered.length - startedBefore,
        requests: requested.slice(requestsBefore),
        ms: Date.now() - t0,
      };
    }

    test('control: a signed event whose cert URL serves the leaf is accepted (the server and allow-list work)', async () => {
      const res = await postVia(`${base}/v1/notifications/certs/CERT-good`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.started, 1);
      assert.deepEqual(res.requests, ['/v1/notifications/certs/CERT-good']);
    });

    // `why` pins the guard that fired, so a row cannot pass for an unrelated reason (e.g. a 404).
    const unavailable: { name: string; path: string; why: RegExp }[] = [
      { name: 'a cert URL that redirects (302 to a good cert)', path: 'CERT-redirect', why: /redirect refused/ },
      { name: 'a cert server that never sends headers', path: 'CERT-slow-headers', why: new RegExp(`exceeded ${FETCH_TIMEOUT_MS} ms`) },
      { name: 'a cert response whose body stalls past the deadline', path: 'CERT-slow-body', why: new RegExp(`exceeded ${FETCH_TIMEOUT_MS} ms`) },
      { name: 'a cert response declaring 1 MiB', path: 'CERT-huge-declared', why: /declares 1048576 bytes/ },
      { name: 'a streamed (chunked) cert response over 64 KiB', path: 'CERT-huge-streamed', why: /exceeds 65536 bytes/ },
    ];
    for (const row of unavailable) {
      test(`${row.name} → 503 cert_fetch_failed with Retry-After, no workflow`, async () => {
        const res = await postVia(`${base}/v1/notifications/certs/${row.path}`);
        assert.equal(res.status, 503, JSON.stringify(res.body));
        assert.equal(res.body.error, 'cert_fetch_failed');
        assert.match(res.body.message ?? '', row.why);
        assert.equal(res.headers['retry-after'], '30');
        assert.equal(res.started, 0, 'no workflow may be started');
        // Exactly one request, to the URL named in the header: the redirect target is never followed.
        assert.deepEqual(res.requests, [`/v1/notifications/certs/${row.path}`]);
        assert.ok(res.ms < FETCH_TIMEOUT_MS + 2000, `answered in ${res.ms} ms, bounded by the fetch deadline`);
      });
    }

    const notAllowed: { name: string; url: () => string; why: RegExp }[] = [
      { name: 'a plain-http cert URL to a non-loopback host', url: () => 'http://certs.example.test/v1/notifications/certs/CERT-x', why: /https is required/ },
      { name: 'an ftp: cert URL to the allowed loopback host', url: () => `${base.replace('http:', 'ftp:')}/v1/notifications/certs/CERT-good`, why: /scheme ftp: is not allowed/ },
      { name: "a cert URL path that is not PayPal's cert path", url: () => `${base}/v1/oauth2/token`, why: /is not \/v1\/notifications\/certs/ },
      { name: 'a cert URL that climbs out of the cert path with dot segments', url: () => `${base}/v1/notifications/certs/../../../admin`, why: /is not \/v1\/notifications\/certs/ },
      { name: 'a cert URL with a nested path under the cert folder', url: () => `${base}/v1/notifications/certs/CERT-good/extra`, why: /is not \/v1\/notifications\/certs/ },
    ];
    for (const row of notAllowed) {
      test(`${row.name} → 401 cert_url_not_allowed, nothing fetched, no workflow`, async () => {
        const res = await postVia(row.url());
        assert.equal(res.status, 401, JSON.stringify(res.body));
        assert.equal(res.body.error, 'cert_url_not_allowed');
        assert.match(res.body.message ?? '', row.why);
        assert.equal(res.started, 0, 'no workflow may be started');
        assert.deepEqual(res.requests, [], 'the cert server must receive no request');
      });
    }

    test('the process stays healthy after all of the above', async () => {
      const res = await realApp.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json<{ status: string }>().status, 'ok');
    });
  });
});
