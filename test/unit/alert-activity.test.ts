// The review alert against a local chat webhook on 127.0.0.1: what it posts, when it fails (so the activity's
// retry policy tries again), and that a cancelled attempt is reported as cancelled, not as a failure.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAlertActivities } from '../../src/activities/alerts';

const alert = { orderId: 'ORDER-1', workflowId: 'paypal-order-ORDER-1', code: 'amount_mismatch', message: 'paid 9.00, expected 10.00' };

void describe('raiseReviewAlert activity', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; delayMs?: number } = { status: 200 };
  const bodies: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      void text(req).then((body) => {
        bodies.push(body);
        const send = () => res.writeHead(answer.status).end();
        if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const run = (alertWebhookUrl: string | undefined, env = new MockActivityEnvironment()) => {
    const activities = createAlertActivities({ alertWebhookUrl });
    return env.run((a: typeof alert) => activities.raiseReviewAlert(a), alert);
  };
  const outcome = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

  void it('without ALERT_WEBHOOK_URL it only logs: nothing is posted', async () => {
    const before = bodies.length;
    await run(undefined);
    assert.equal(bodies.length, before);
  });

  void it('posts a Slack-compatible message naming the order, the reason and the workflow', async () => {
    answer = { status: 200 };
    await run(url);
    const body = JSON.parse(bodies.at(-1)!) as Record<string, unknown>;
    assert.equal(body.code, 'amount_mismatch');
    assert.equal(body.orderId, 'ORDER-1');
    assert.match(String(body.text), /PayPal order ORDER-1 needs review \(amount_mismatch\): paid 9\.00, expected 10\.00\. Workflow: paypal-order-ORDER-1/);
  });

  void it('a non-2xx answer fails the attempt, so the retry policy tries again', async () => {
    answer = { status: 503 };
    const err = await outcome(run(url));
    assert.ok(err instanceof Error && !(err instanceof CancelledFailure), `expected a failure, got ${String(err)}`);
    assert.match(err.message, /alert webhook answered 503/);
  });

  void it('a cancelled attempt stops its request and reports the cancellation', async () => {
    answer = { status: 200, delayMs: 1_000 };
    const env = new MockActivityEnvironment();
    const started = Date.now();
    const pending = outcome(run(url, env));
    setTimeout(() => env.cancel(), 100).unref();
    const err = await pending;
    assert.ok(err instanceof CancelledFailure, `expected CancelledFailure, got ${String(err)}`);
    assert.ok(Date.now() - started < 900, 'gave up before the webhook answered');
  });
});
