import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { RunningSimulator } from '../src/simulator';
import { freePort, startDevServer, type RunningDevServer } from '../src/temporal/dev-server';

const ROOT = join(__dirname, '..');

/** A Temporal dev server on a fixed port and SQLite file, so it can be stopped and started again with its state. */
export class RestartableTemporal {
  private server: RunningDevServer | undefined;
  address = '';
  private port = 0;

  constructor(private readonly dbFilename: string) {}

  /** Starts the server (first time: on a free port; later: on the same port). */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.server = await startDevServer({ port: this.port, namespace: 'default', dbFilename: this.dbFilename, readyTimeoutMs: 90_000 });
    this.address = this.server.address;
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s); its SQLite file stays. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  /** True while started. */
  get running(): boolean {
    return this.server !== undefined;
  }
}

/**
 * The environment of a worker process (WorkerProcess) that talks to PayPal through `simulator` and to Temporal at
 * `temporalAddress`, over `shared` (task queue, merchant, timings, ...). The simulator is reached as a sandbox
 * PayPal would be: its URL as PAYPAL_API_BASE, its credentials and webhook ID.
 */
export function simulatorWorkerEnv(
  simulator: Pick<RunningSimulator, 'url' | 'clientId' | 'clientSecret' | 'webhookId'>,
  opts: { temporalAddress: string; bundlePath?: string; shared: Record<string, string> },
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...opts.shared,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    PAYPAL_ENV: 'sandbox',
    PAYPAL_API_BASE: simulator.url,
    PAYPAL_CLIENT_ID: simulator.clientId,
    PAYPAL_CLIENT_SECRET: simulator.clientSecret,
    PAYPAL_WEBHOOK_ID: simulator.webhookId,
    ...(opts.bundlePath ? { WORKFLOW_BUNDLE_PATH: opts.bundlePath } : {}),
  };
}

/**
 * The product's worker as its own OS process (`node --import tsx src/main.ts worker`, the same entry point as
 * `npm run start:worker` without tsx's wrapper process, so SIGKILL hits the worker itself). Output goes to a log
 * file; `kill()` is SIGKILL, `start()` starts a fresh one with the same environment.
 */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream;
  /** Times the worker process exited without being killed by us (should stay 0). */
  unexpectedExits = 0;
  starts = 0;
  kills = 0;
  adminPort = 0;

  constructor(
    private readonly env: Record<string, string>,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  /** Spawns the worker and waits until its `/readyz` says the worker is polling. */
  async start(readyTimeoutMs = 120_000): Promise<number> {
    const started = Date.now();
    this.adminPort = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
      cwd: ROOT,
      env: { ...this.env, ADMIN_PORT: String(this.adminPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    this.log.write(`\n=== worker start #${this.starts} pid ${child.pid} at ${new Date().toISOString()}\n`);
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.once('exit', (code, signal) => {
      this.log.write(`=== worker pid ${child.pid} exited code ${code} signal ${signal}\n`);
      if (signal !== 'SIGKILL' && signal !== 'SIGTERM') this.unexpectedExits++;
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker exited during start (code ${child.exitCode}); see the worker log`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.adminPort}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return Date.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`worker not ready after ${readyTimeoutMs} ms`);
  }

  /** Whether the process is alive (not whether its worker polls: see `ready()`). */
  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The worker's own readiness probe (Temporal reachable and the worker polling). */
  async ready(): Promise<boolean> {
    try {
      return (await fetch(`http://127.0.0.1:${this.adminPort}/readyz`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  }

  /** SIGKILL: no drain, no cleanup, in-flight activities are abandoned mid-call. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    this.kills++;
    await exited;
  }

  /** Graceful stop (SIGTERM: the worker drains), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && this.alive) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
