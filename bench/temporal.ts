// The Temporal side of `npm run bench`: one in-memory dev server per bench (random port, 127.0.0.1), started on
// first use and shared by every path of that bench so its figures are measured side by side; and workflow
// bundles built once, outside any timed section.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { startDevServer, type RunningDevServer } from '../src/temporal/dev-server';
import { quietSdkLogger } from '../src/temporal/sdk-logger';
import { progress, type BenchContext } from './harness';

/** A {@link BenchContext} plus the teardown the runner calls once every bench is done. */
export interface RunContext extends BenchContext {
  /** `temporal --version` once the server was started, else undefined. */
  cliVersion(): string | undefined;
  close(): Promise<void>;
}

/** Creates one bench's context; its dev server starts on the first `temporal()` call. */
export function createRunContext(): RunContext {
  let server: Promise<{ dev: RunningDevServer; cliVersion: string }> | undefined;
  let version: string | undefined;
  const start = async () => {
    progress('starting Temporal dev server (in-memory, random port)…');
    const dev = await startDevServer({ port: 0, namespace: 'default', log: (m) => progress(m) });
    let cliVersion = 'Temporal CLI (SDK download, version unknown)';
    if (dev.cliPath) {
      try {
        cliVersion = execFileSync(dev.cliPath, ['--version'], { encoding: 'utf8' }).trim();
      } catch {
        // keep the placeholder
      }
    }
    version = cliVersion;
    return { dev, cliVersion };
  };
  return {
    async temporal() {
      server ??= start();
      const { dev, cliVersion } = await server;
      return { address: dev.address, cliVersion, pid: dev.pid };
    },
    cliVersion: () => version,
    async close() {
      if (server) await (await server).dev.stop();
    },
  };
}

/**
 * Bundles workflows once into a temporary file (worker processes load it via WORKFLOW_BUNDLE_PATH). Pass the
 * product's `workflowBundleOptions()` to bench the bundle production runs (with its interceptor modules).
 */
export async function bundleToFile(options: Pick<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules' | 'preloadModules'>): Promise<{ path: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'ppf-bench-'));
  const { code } = await bundleWorkflowCode({ ...options, logger: quietSdkLogger((m) => progress(`bundler: ${m}`)) });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, code);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
