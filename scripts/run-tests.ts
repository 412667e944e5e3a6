// `npm test` after typecheck and lint: unit tests, then integration tests against a real Temporal dev server that
// this script starts (in memory, on a free port) and always stops. Usage: run-tests.ts [unit|integration] [files...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer, type RunningDevServer } from '../src/temporal/dev-server';
import { quietSdkLogger } from '../src/temporal/sdk-logger';
import { workflowBundleOptions } from '../src/temporal/worker';

const root = join(__dirname, '..');
const [suite = 'all', ...only] = process.argv.slice(2);

function testFiles(dir: string): string[] {
  return readdirSync(join(root, 'test', dir))
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join('test', dir, f));
}

function runNodeTests(files: string[], env: NodeJS.ProcessEnv, concurrency: number): Promise<number> {
  if (files.length === 0) return Promise.resolve(0);
  const args = ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const unit = only.length > 0 ? only.filter((f) => f.includes('/unit/')) : suite === 'integration' ? [] : testFiles('unit');
  const integration = only.length > 0 ? only.filter((f) => f.includes('/integration/')) : suite === 'unit' ? [] : testFiles('integration');

  let status = await runNodeTests(unit, { ...process.env }, 2);
  if (integration.length === 0) return status;

  const scratch = mkdtempSync(join(tmpdir(), 'ppf-test-'));
  let server: RunningDevServer | undefined;
  try {
    // Bundle the workflows once; every test worker loads the same bundle instead of re-running webpack.
    const started = Date.now();
    const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quietSdkLogger((m) => console.warn(m)) });
    const bundlePath = join(scratch, 'workflow-bundle.js');
    writeFileSync(bundlePath, code);
    server = await startDevServer({ port: 0, namespace: 'default', log: (m) => console.log(`# ${m}`) });
    console.log(`# workflow bundle + dev server ready in ${Date.now() - started} ms`);
    const env = { ...process.env, WORKFLOW_BUNDLE_PATH: bundlePath, TEST_TEMPORAL_ADDRESS: server.address, TEST_TEMPORAL_CLI: server.cliPath ?? '' };
    status = (await runNodeTests(integration, env, 2)) || status;
  } finally {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  return status;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
