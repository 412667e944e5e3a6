// Load shedding at the intake: while the event loop lags, a webhook is refused at once with 503 (nothing verified,
// nothing recorded) so PayPal delivers it later; the liveness probe keeps answering; calm again, webhooks are taken.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildPublicApp } from '../../src/api/public-app';
import { createLogger } from '../../src/logger';
import { metrics } from '../../src/metrics';
import { createOfflineVerifier } from '../../src/paypal/signature';
import { createEventRouter } from '../../src/routing/event-router';
import { createSimulatorPki } from '../../src/simulator/certificates';
import { signTransmission } from '../../src/simulator/signing';

const pki = createSimulatorPki();
const WEBHOOK_ID = 'SHEDDING-TEST-WEBHOOK';
const CERT_URL = 'http://127.0.0.1:4999/v1/notifications/certs/CERT-shedding-test';
/** Mean event-loop delay (ms) above which the intake sheds; the test's busy spell lags ~100 ms per tick. */
const MAX_DELAY_MS = 30;

let app: FastifyInstance;
const recorded: string[] = [];
let verifications = 0;

before(async () => {
  const verifier = createOfflineVerifier({
    webhookId: WEBHOOK_ID,
    environment: 'simulator',
    allowedCertHosts: ['127.0.0.1:4999'],
    extraTrustAnchorsPem: [pki.caPem],
    fetchCert: () => Promise.resolve(pki.leafPem),
  });
  app = await buildPublicApp({
    logger: createLogger('silent'),
    verifier: { verify: (headers, raw) => (verifications++, verifier.verify(headers, raw)) },
    router: createEventRouter({
      orders: {
        deliverEvent: (orderId, hint) => {
          recorded.push(hint.eventId);
          return Promise.resolve({ workflowId: `paypal-order-${orderId}` });
        },
      },
      orderIdForCapture: () => Promise.resolve(undefined),
    }),
    maxBodyBytes: 16 * 1024,
    maxEventLoopDelayMs: MAX_DELAY_MS,
  });
  await app.ready();
});
after(async () => {
  await app?.close();
});

function deliver(): Promise<{ statusCode: number; headers: Record<string, unknown>; json: () => unknown; eventId: string }> {
  const eventId = `WH-${randomUUID()}`;
  const body = Buffer.from(JSON.stringify({
    id: eventId,
    event_version: '1.0',
    create_time: new Date().toISOString(),
    resource_type: 'checkout-order',
    event_type: 'CHECKOUT.ORDER.APPROVED',
    resource: { id: '5O190127TN364715T', status: 'APPROVED' },
  }));
  const headers = { 'content-type': 'application/json', ...signTransmission(body, { webhookId: WEBHOOK_ID, certUrl: CERT_URL, key: pki.leafKeyPem }) };
  return app.inject({ method: 'POST', url: '/webhooks/paypal', headers, payload: body }).then((res) => ({ ...res, eventId }));
}

/** Keeps the event loop ~100 ms late on every tick for `ms`: a process past what it can serve. */
async function lagFor(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const blockUntil = Date.now() + 100;
    while (Date.now() < blockUntil) { /* busy */ }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const overloadedCount = async () => (await metrics.webhookFailures.get()).values.find((v) => v.labels.reason === 'overloaded')?.value ?? 0;

test('a calm intake records a webhook', async () => {
  const res = await deliver();
  assert.equal(res.statusCode, 200);
  assert.ok(recorded.includes(res.eventId));
});

test('while the event loop lags, a webhook is refused at once with 503 and Retry-After, unverified and unrecorded; the liveness probe still answers', async () => {
  const overloadedBefore = await overloadedCount();
  await lagFor(2_300); // spans at least one whole one-second sample of the loop's delay
  const verifiedBefore = verifications;
  const res = await deliver();
  assert.equal(res.statusCode, 503);
  assert.equal(res.headers['retry-after'], '30');
  assert.deepEqual(res.json(), { error: 'overloaded', message: 'the intake is overloaded and recorded nothing; retry later' });
  assert.equal(verifications, verifiedBefore, 'refused before verification');
  assert.ok(!recorded.includes(res.eventId), 'nothing recorded');
  assert.equal(await overloadedCount(), overloadedBefore + 1, 'counted under reason "overloaded"');
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

test('once the loop is calm again, webhooks are recorded again', async () => {
  await sleep(2_300); // two calm samples
  const res = await deliver();
  assert.equal(res.statusCode, 200);
  assert.ok(recorded.includes(res.eventId));
});
