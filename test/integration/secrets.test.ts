// Secrets and buyer data must not end up in logs or in workflow history (which ops can read in the UI).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { orderWorkflowId } from '../../src/workflows/messages';
import { startHarness, TEST_ADMIN_TOKEN, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

let h: Harness;
let connection: Connection;
const logLines: string[] = [];

before(async () => {
  h = await startHarness({ LOG_LEVEL: 'debug' }, { logLines });
  connection = await Connection.connect({ address: h.temporalAddress });
});
after(async () => {
  await connection?.close();
  await h?.stop();
});

test('no secret, token or payer data in workflow history or logs after a full order', async () => {
  const { orderId, order } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '19.99' } });
  await h.waitForState(orderId, 'fulfilled');
  await h.admin(`/orders/${orderId}`, { token: 'a-wrong-token-that-must-not-be-logged' });
  // The SDK hands its log lines over in batches (it buffers them ≥ 100 ms to order them with Core's): wait for the
  // service update's line, so every check below reads the whole order's logs.
  await waitFor('the service update log line', () => logLines.some((l) => l.includes('service update accepted')), 5_000);

  const history = await new Client({ connection }).workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
  const historyText = JSON.stringify(history);
  const logText = logLines.join('');
  assert.ok(historyText.includes(orderId), 'sanity: the history is about this order');
  assert.ok(logText.includes(orderId), 'sanity: the logs mention this order');

  const payerEmail = JSON.stringify(order).match(/"email_address":"([^"]+)"/)?.[1];
  assert.ok(payerEmail, 'sanity: the simulator order carries a payer email');
  const forbidden: Record<string, string> = {
    'PayPal client secret': h.simulator.clientSecret,
    'service update secret': h.receiver.secret,
    'admin token': TEST_ADMIN_TOKEN,
    'a presented wrong token': 'a-wrong-token-that-must-not-be-logged',
    'payer email': payerEmail,
  };
  for (const [what, value] of Object.entries(forbidden)) {
    assert.ok(!historyText.includes(value), `${what} found in workflow history`);
    assert.ok(!logText.includes(value), `${what} found in logs`);
  }

  // The SDK puts each activity's task token (a capability to complete it) on its log lines: they must carry it
  // redacted (the wait above keeps this from passing on logs without activity lines).
  const taskTokens = logLines.flatMap((line) => line.split('\n')).filter((l) => l.includes('"taskToken"')).map((l) => (JSON.parse(l) as { taskToken: unknown }).taskToken);
  assert.ok(taskTokens.length > 0, 'sanity: activity log lines (with their task token field) were captured');
  assert.deepEqual([...new Set(taskTokens)], ['[redacted]'], 'activity task tokens are redacted in logs');
});
