// The merchant-facing activity against a local merchant on 127.0.0.1: what it sends, and how each answer becomes
// success, a retryable failure or a permanent one (the workflow's retry policy acts on those types).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createServiceUpdateActivities } from '../../src/activities/service-update';
import { parseDeliveryId, verifyServiceUpdateSignature, type ServiceUpdatePayload } from '../../src/service-update/contract';
import { FAILURE_TYPES } from '../../src/workflows/failure-types';

const SECRET = 'merchant-shared-secret-for-tests';
const payload: ServiceUpdatePayload = {
  type: 'order.paid',
  orderId: 'ORDER-1',
  captureId: 'CAP-1',
  amount: { value: '10.00', currency_code: 'USD' },
  customId: null,
  invoiceId: null,
};

void describe('updateService activity', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body?: string; delayMs?: number } = { status: 200 };
  const requests: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      void text(req).then((body) => {
        requests.push({ headers: req.headers, body });
        const send = () => res.writeHead(answer.status).end(answer.body ?? '');
        if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fulfil`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const run = (timeoutMs = 2_000, env = new MockActivityEnvironment()) => {
    const activities = createServiceUpdateActivities({ url, secret: SECRET, timeoutMs });
    const updateService = (p: ServiceUpdatePayload) => activities.updateService(p);
    return env.run<[ServiceUpdatePayload], Awaited<ReturnType<typeof updateService>>, typeof updateService>(updateService, payload);
  };
  const failure = async (promise: Promise<unknown>): Promise<ApplicationFailure> => {
    const err = await promise.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    return err;
  };

  void it('POSTs the payload signed, with the idempotency key; 2xx is success', async () => {
    answer = { status: 204 };
    const result = await run();
    assert.deepEqual(result, { status: 204, idempotencyKey: 'order.paid:ORDER-1' });
    const req = requests.at(-1)!;
    assert.deepEqual(JSON.parse(req.body), payload);
    assert.equal(req.headers['idempotency-key'], 'order.paid:ORDER-1');
    assert.equal(verifyServiceUpdateSignature(req.body, req.headers['fulfillment-signature'] as string, SECRET), true);
  });

  void it('names each attempt in Fulfillment-Delivery-Id: run, activity and attempt number', async () => {
    answer = { status: 200 };
    const runId = '11111111-2222-3333-4444-555555555555';
    await run(2_000, new MockActivityEnvironment({ activityId: '7', attempt: 3, workflowExecution: { workflowId: 'paypal-order-ORDER-1', runId } }));
    const header = requests.at(-1)!.headers['fulfillment-delivery-id'] as string;
    assert.equal(header, `${runId}/7/3`);
    assert.deepEqual(parseDeliveryId(header), { runId, activityId: '7', attempt: 3 });
    assert.equal(parseDeliveryId('no-slashes'), undefined);
    assert.equal(parseDeliveryId(`${runId}/7/0`), undefined);
  });

  void it('409 ("already done") is success', async () => {
    answer = { status: 409, body: 'already applied' };
    assert.equal((await run()).status, 409);
  });

  void it('other 4xx are permanent: non-retryable, typed, with the merchant\'s reason', async () => {
    answer = { status: 422, body: 'unknown customer' };
    const err = await failure(run());
    assert.equal(err.nonRetryable, true);
    assert.equal(err.type, FAILURE_TYPES.serviceUpdateRejected);
    assert.match(err.message, /422: unknown customer/);
  });

  void it('5xx, 408 and 429 are retryable', async () => {
    for (const status of [500, 503, 408, 429]) {
      answer = { status };
      const err = await failure(run());
      assert.equal(err.nonRetryable, false, `status ${status}`);
      assert.equal(err.type, 'ServiceUpdateFailed');
    }
  });

  void it('no answer within the timeout is retryable (unreachable)', async () => {
    answer = { status: 200, delayMs: 1_000 };
    const err = await failure(run(100));
    assert.equal(err.nonRetryable, false);
    assert.equal(err.type, 'ServiceUpdateUnreachable');
    assert.match(err.message, /within 100 ms/);
  });

  void it('a cancelled attempt stops its request and reports the cancellation', async () => {
    answer = { status: 200, delayMs: 1_000 };
    const env = new MockActivityEnvironment();
    const started = Date.now();
    const pending = run(5_000, env);
    setTimeout(() => env.cancel(), 100).unref();
    const err = await pending.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof CancelledFailure, `expected CancelledFailure, got ${String(err)}`);
    assert.ok(Date.now() - started < 900, 'gave up before the merchant answered');
  });
});
