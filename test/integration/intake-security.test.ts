// Requests PayPal did not sign never reach Temporal.
import assert from 'node:assert/strict';
import { createSign, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { webhookSignedMessage } from '../../src/paypal/signed-message';
import { createSimulatorPki } from '../../src/simulator/certificates';
import { signTransmission } from '../../src/simulator/signing';
import { orderWorkflowId } from '../../src/workflows/messages';
import { startHarness, type Harness } from '../helpers/harness';

/** Signs a body exactly as the simulator (PayPal) would. */
function signTransmissionForTest(h: Harness, body: Buffer): Record<string, string> {
  return { ...signTransmission(body, { webhookId: h.simulator.webhookId, certUrl: h.simulator.certUrl, key: h.pki.leafKeyPem }) };
}

describe('webhook intake rejects what PayPal did not sign', () => {
  let h: Harness;
  let connection: Connection;
  let client: Client;
  before(async () => {
    h = await startHarness();
    connection = await Connection.connect({ address: h.temporalAddress });
    client = new Client({ connection });
  });
  after(async () => {
    await connection?.close();
    await h?.stop();
  });

  async function workflowExists(orderId: string): Promise<boolean> {
    try {
      await client.workflow.getHandle(orderWorkflowId(orderId)).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  function event(orderId: string): Buffer {
    return Buffer.from(
      JSON.stringify({
        id: `WH-${randomUUID()}`,
        event_version: '1.0',
        create_time: new Date().toISOString(),
        resource_type: 'checkout-order',
        event_type: 'CHECKOUT.ORDER.APPROVED',
        resource: { id: orderId, status: 'APPROVED' },
      }),
    );
  }

  /** Signs like PayPal, with a key of our choosing, pointing at the simulator's real certificate URL. */
  function headers(body: Buffer, keyPem: string, webhookId = h.simulator.webhookId): Record<string, string> {
    const transmissionId = randomUUID();
    const transmissionTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const sig = createSign('sha256').update(webhookSignedMessage({ transmissionId, transmissionTime, webhookId, rawBody: body })).sign(keyPem, 'base64');
    return {
      'content-type': 'application/json',
      'paypal-auth-algo': 'SHA256withRSA',
      'paypal-cert-url': h.simulator.certUrl,
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-sig': sig,
      'paypal-transmission-time': transmissionTime,
    };
  }

  async function post(body: Buffer, hdrs: Record<string, string>) {
    const res = await fetch(`${h.product.publicUrl}/webhooks/paypal`, { method: 'POST', headers: hdrs, body });
    return { status: res.status, body: (await res.json()) as { error?: string; status?: string } };
  }

  test('a forged signature (key not behind the certificate) → 401 and no workflow', async () => {
    const orderId = `FORGED${Date.now()}`;
    const forger = createSimulatorPki();
    const body = event(orderId);
    const res = await post(body, headers(body, forger.leafKeyPem));
    assert.equal(res.status, 401, JSON.stringify(res.body));
    assert.equal(res.body.error, 'signature_invalid');
    assert.equal(await workflowExists(orderId), false);
  });

  test('no PayPal headers at all → 400 with the missing header named, and no workflow', async () => {
    const orderId = `NOHEADERS${Date.now()}`;
    const res = await post(event(orderId), { 'content-type': 'application/json' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'missing_header');
    assert.equal(await workflowExists(orderId), false);
  });

  test('a genuine delivery from the simulator is accepted and starts the order workflow', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '1.00' } });
    await h.waitForState(orderId, 'fulfilled');
    assert.equal(await workflowExists(orderId), true);
  });
});

describe('API verification mode (PAYPAL_WEBHOOK_VERIFY=api)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ PAYPAL_WEBHOOK_VERIFY: 'api' });
  });
  after(async () => {
    await h?.stop();
  });

  test('genuine deliveries are verified by the verify-webhook-signature API and fulfilled', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '2.00' } });
    await h.waitForState(orderId, 'fulfilled');
  });

  test('a modified body is refused by the API (401) and starts nothing', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'EUR', value: '3.00' }, approve: false });
    const event = { id: `WH-${randomUUID()}`, event_type: 'CHECKOUT.ORDER.APPROVED', resource_type: 'checkout-order', resource: { id: orderId } };
    const body = Buffer.from(JSON.stringify(event));
    const hdrs = { 'content-type': 'application/json', ...signTransmissionForTest(h, body) };
    const tampered = Buffer.from(JSON.stringify({ ...event, summary: 'tampered' }));
    const res = await fetch(`${h.product.publicUrl}/webhooks/paypal`, { method: 'POST', headers: hdrs, body: tampered });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'signature_invalid');
    assert.equal(await h.status(orderId), undefined, 'no workflow for the order');
  });
});
