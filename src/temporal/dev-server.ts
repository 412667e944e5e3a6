import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { locateTemporalCli } from './cli-binary';

/** Options for the embedded Temporal dev server. */
export interface DevServerOptions {
  /** SQLite file that keeps state across restarts; omit for an in-memory server (tests). */
  dbFilename?: string;
  /** gRPC port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Web UI port; undefined runs headless. */
  uiPort?: number;
  namespace: string;
  log?: (msg: string) => void;
  /** Extra `temporal server start-dev` arguments (e.g. `--dynamic-config-value` in tests). */
  extraArgs?: string[];
  /** How long to wait for the server to answer before giving up. */
  readyTimeoutMs?: number;
}

/** A dev server this process started; `stop()` leaves nothing running. */
export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  cliPath?: string;
  /** The server's process ID when this module spawned the CLI (benchmarks read its CPU time). */
  pid?: number;
  stop(): Promise<void>;
}

/** The CLI's name for each search attribute type (`--search-attribute Name=Type`). */
const CLI_TYPE: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/**
 * Starts `temporal server start-dev` bound to 127.0.0.1 with the project's search attributes registered.
 * Falls back to the SDK's downloaded dev server when no CLI binary can be found or installed.
 */
export async function startDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  const log = opts.log ?? (() => {});
  if (opts.dbFilename) mkdirSync(dirname(opts.dbFilename), { recursive: true });
  const port = opts.port === 0 ? await freePort() : opts.port;
  const cli = locateTemporalCli(process.env, log);

  if (!cli.path) {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port,
        namespace: opts.namespace,
        dbFilename: opts.dbFilename,
        ui: opts.uiPort !== undefined,
        uiPort: opts.uiPort,
        searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
      },
    });
    return { address: `127.0.0.1:${port}`, uiUrl: uiUrl(opts.uiPort), stop: () => env.teardown() };
  }

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', opts.namespace, '--log-level', 'warn'];
  args.push(...(opts.uiPort !== undefined ? ['--ui-port', String(opts.uiPort), '--ui-ip', '127.0.0.1'] : ['--headless']));
  if (opts.dbFilename) args.push('--db-filename', opts.dbFilename);
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`);
  args.push(...(opts.extraArgs ?? []));

  const child = spawn(cli.path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const address = `127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await waitUntilServing(address, child, opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await stop();
    throw new Error(`Temporal dev server did not start (${cli.path} ${args.join(' ')}): ${(err as Error).message}\n${stderr}`);
  }
  log(`Temporal dev server ready at ${address} (${cli.source}: ${cli.path})`);
  return { address, uiUrl: uiUrl(opts.uiPort), cliPath: cli.path, pid: child.pid, stop };
}

function uiUrl(uiPort: number | undefined): string | undefined {
  return uiPort === undefined ? undefined : `http://127.0.0.1:${uiPort}`;
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`not serving after ${timeoutMs} ms: ${String(lastError)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Asks the OS for a free TCP port on 127.0.0.1 and leaves it reserved for about a minute, as the Temporal CLI's own
 * port picker does: a connection the port's side closes first stays in TIME_WAIT, so no `bind(0)` is handed the port
 * while it lasts, yet a listener with SO_REUSEADDR (Node's and Go's set it) can still bind it. A plain bind-and-close
 * let the CLI pick our just-released gRPC port for its own HTTP API, and the server failed with "address already in use".
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [portSide] = await accepted;
  const clientSawEnd = once(client, 'end');
  portSide.end(); // the port's side closes first: the TIME_WAIT is on 127.0.0.1:port
  await clientSawEnd;
  client.end();
  await Promise.all([closed(client), closed(portSide)]);
  server.close();
  await once(server, 'close');
  return port;
}

function closed(socket: Socket): Promise<unknown> {
  return socket.closed ? Promise.resolve() : once(socket, 'close');
}
