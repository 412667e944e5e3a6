// Temporal goes away while webhooks arrive: the intake must answer 503 (so PayPal redelivers) and, once Temporal
// is back, every event must still turn into exactly one service update.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, startDevServer, type RunningDevServer } from '../../src/temporal/dev-server';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

let server: RunningDevServer | undefined;
let h: Harness | undefined;
const dir = mkdtempSync(join(tmpdir(), 'ppf-outage-'));
const dbFilename = join(dir, 'temporal.sqlite');
let port = 0;

before(async () => {
  port = await freePort();
  server = await startDevServer({ port, namespace: 'default', dbFilename });
  // PayPal retries for days; here a compressed schedule that outlasts a server restart.
  h = await startHarness({}, { temporalAddress: server.address, simulator: { retryDelaysMs: [500, 1000, 2000, 3000, 4000, 5000, 5000, 5000, 5000, 5000] } });
});

after(async () => {
  await h?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('Temporal unreachable → the intake answers 503, and no event is lost once it is back', async () => {
  await server!.stop();
  const { orderId } = await h!.simulator.control.checkout({ amount: { currency_code: 'USD', value: '42.00' } });

  const refused = await waitFor('a delivery answered 503', async () => {
    const attempts = await h!.simulator.control.deliveries({ orderId });
    return attempts.find((a) => a.statusCode === 503);
  }, 40_000);
  assert.equal(refused.statusCode, 503);

  server = await startDevServer({ port, namespace: 'default', dbFilename });
  await h!.waitForState(orderId, 'fulfilled', 90_000);
  assert.equal(h!.receiver.forOrder(orderId).length, 1, 'exactly one service update after the outage');
});
