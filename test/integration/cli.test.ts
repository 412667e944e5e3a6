// The support CLI as support staff run it: a child process against the admin API of a running product.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHarness, TEST_ADMIN_TOKEN, type Harness } from '../helpers/harness';

const BIN = join(__dirname, '..', '..', 'bin', 'ppf.js');

function ppf(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('ppf (support CLI)', () => {
  let h: Harness;
  let env: Record<string, string>;
  before(async () => {
    h = await startHarness();
    env = { PPF_ADMIN_URL: h.product.adminUrl!, ADMIN_TOKEN: TEST_ADMIN_TOKEN, PPF_ACTOR: 'cli-test' };
  });
  after(async () => {
    await h?.stop();
  });

  test('orders show: friendly by default, JSON with --json, exit 0', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '8.00' } });
    await h.waitForState(orderId, 'fulfilled');
    const friendly = await ppf(['orders', 'show', orderId], env);
    assert.equal(friendly.code, 0, friendly.stderr);
    assert.match(friendly.stdout, /State\s+fulfilled/);
    assert.match(friendly.stdout, /Timeline/);
    const json = await ppf(['--json', 'orders', 'show', orderId], env);
    assert.equal((JSON.parse(json.stdout) as { state: string }).state, 'fulfilled');
  });

  test('a review resolved from the CLI, with the actor from the environment', async () => {
    h.receiver.answers = [422];
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '9.00' } });
    await h.waitForState(orderId, 'needs_review');
    const listed = await ppf(['orders', 'list', '--state', 'needs_review'], env);
    assert.equal(listed.code, 0);
    const res = await ppf(['retry', orderId, '--reason', 'fixed the SKU', '--idempotency-key', 'ticket-9'], env);
    assert.equal(res.code, 0, res.stderr);
    const status = await h.waitForState(orderId, 'fulfilled');
    // Run again with its key (as after a lost answer), the command reports the first outcome and decides nothing.
    const repeat = await ppf(['retry', orderId, '--reason', 'fixed the SKU', '--idempotency-key', 'ticket-9'], env);
    assert.equal(repeat.code, 0, repeat.stderr);
    assert.equal(repeat.stdout, res.stdout);
    assert.deepEqual(status.decisions.map((d) => [d.decision, d.actor, d.reason]), [['retry', 'cli-test', 'fixed the SKU']]);
    assert.equal((await h.status(orderId))?.decisions.length, 1);
  });

  test('exit codes: 1 refused or unknown, 2 usage, 3 admin API unreachable', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '10.00' } });
    await h.waitForState(orderId, 'fulfilled');
    const refused = await ppf(['approve', orderId, '--reason', 'x'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not allowed in state fulfilled/);
    assert.equal((await ppf(['orders', 'show', 'NOSUCHORDER1'], env)).code, 1);
    assert.equal((await ppf(['approve', orderId], env)).code, 2, '--reason is required');
    assert.equal((await ppf(['orders', 'show', orderId], { ...env, PPF_ADMIN_URL: 'http://127.0.0.1:9' })).code, 3);
    // A decision without an answer names the key that gets its outcome if it was applied after all.
    const unanswered = await ppf(['reject', orderId, '--reason', 'x', '--idempotency-key', 'ticket-10'], { ...env, PPF_ADMIN_URL: 'http://127.0.0.1:9' });
    assert.equal(unanswered.code, 3);
    assert.match(unanswered.stderr, /run the same command again with --idempotency-key ticket-10/);
    assert.equal((await ppf(['orders', 'show', orderId], { ...env, ADMIN_TOKEN: 'wrong' })).code, 1);
  });

  test('register an order before payment', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '11.00' }, approve: false });
    const res = await ppf(['register', orderId, '--amount', '11.00', '--reference', 'shop-7'], env);
    assert.equal(res.code, 0, res.stderr);
    assert.equal((await h.status(orderId))?.state, 'awaiting_payment');
    assert.equal((await ppf(['register', orderId], env)).code, 1, 'twice is refused');
  });
});
