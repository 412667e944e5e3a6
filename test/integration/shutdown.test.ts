// The commands docker-compose.yml (and the Dockerfile) run the product with, sent SIGTERM as `docker stop` sends it
// to a container's first process: the process itself must receive it, drain (the worker finishes or hands back its
// activities) and exit 0. Started through npm, the signal reached a shell that died without passing it on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { testTemporalAddress } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { command?: string[] }> };

for (const role of ['api', 'worker'] as const) {
  test(`docker-compose's ${role} command drains and exits 0 on SIGTERM`, async () => {
    const [program, ...args] = compose.services[role]?.command ?? [];
    assert.equal(program, 'node', "the product is the container's first process, not a wrapper");
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        TEMPORAL_ADDRESS: testTemporalAddress(),
        TEMPORAL_TASK_QUEUE: `shutdown-${randomUUID()}`,
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_PORT: '0',
        ADMIN_TOKEN: randomBytes(16).toString('hex'),
        LOG_LEVEL: 'info',
        PAYPAL_ENV: 'simulator',
        PAYPAL_API_BASE: 'http://127.0.0.1:9', // never called: no order runs
        FULFILLMENT_URL: 'http://127.0.0.1:9/service-update',
        FULFILLMENT_SECRET: 'shutdown-test-secret',
        TEMPORAL_SDK_METRICS_PORT: '0',
        WEBHOOK_SWEEP_INTERVAL: 'off',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(`the ${role} to start`, () => output.includes('PayPal fulfilment is running') || (child.exitCode !== null ? Promise.reject(new Error(output)) : undefined), 60_000);
      child.kill('SIGTERM');
      const code = await Promise.race([exit, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 45_000))]);
      assert.equal(code, 0, `exit after SIGTERM; output:\n${output.slice(-3000)}`);
      assert.match(output, /"signal":"SIGTERM"[^\n]*shutting down/);
      assert.match(output, /"msg":"stopped"/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
}
