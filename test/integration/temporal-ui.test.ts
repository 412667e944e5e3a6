// Ops find a stuck order in the Temporal UI with a ready-made query: headless Chromium (Debian's package, driven by
// playwright-core) opens the dev server's embedded UI, filters, and saves a screenshot as a test artifact.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { freePort, startDevServer, type RunningDevServer } from '../../src/temporal/dev-server';
import { startHarness, type Harness } from '../helpers/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const artifacts = join(__dirname, '..', '..', 'test-results');

let server: RunningDevServer | undefined;
let h: Harness | undefined;
let browser: Browser | undefined;

before(async () => {
  if (!haveChromium) return;
  server = await startDevServer({ port: await freePort(), uiPort: await freePort(), namespace: 'default' });
  h = await startHarness({}, { temporalAddress: server.address });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // A closed network: no background connections that would fail (and slow Chromium down) at every start.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await h?.stop();
  await server?.stop();
});

test('the Temporal UI lists a needs-review order under the README query "NeedsReview = true"', { skip: !haveChromium && `no Chromium at ${CHROMIUM}` }, async () => {
  h!.receiver.answers = [422];
  const { orderId } = await h!.simulator.control.checkout({ amount: { currency_code: 'USD', value: '66.00' } });
  await h!.waitForState(orderId, 'needs_review');

  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  const query = encodeURIComponent('NeedsReview = true');
  const workflowId = `paypal-order-${orderId}`;
  // The UI asks the internet for a news feed; this machine has none, so answer that at once.
  await page.route((url) => !url.hostname.startsWith('127.0.0.1'), (route) => route.abort());
  // Visibility is eventually consistent: reload until the order shows up.
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.goto(`${server!.uiUrl}/namespaces/default/workflows?query=${query}`, { waitUntil: 'networkidle' });
    const found = await page
      .getByText(workflowId)
      .first()
      .waitFor({ timeout: 5000 })
      .then(() => true)
      .catch(() => false);
    if (found || Date.now() > deadline) break;
  }
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'temporal-ui-needs-review.png'), fullPage: true });
  assert.ok(await page.getByText(workflowId).count(), `${workflowId} is listed under NeedsReview = true`);
});
