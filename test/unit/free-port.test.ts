// freePort() hands a port to a dev server we start a moment later, while that server's CLI picks its own HTTP,
// metrics and internal ports with bind(0). The port must stay out of every bind(0) until then (CI once failed when
// the CLI picked our gRPC port for its HTTP API), yet stay bindable by the server.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePort } from '../../src/temporal/dev-server';

const TIME_WAIT = '06';

/** The states of the IPv4 TCP sockets bound to 127.0.0.1:port, from /proc/net/tcp (hex fields). */
function socketStatesOn(port: number): string[] {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === local)
    .map((fields) => fields[3] ?? '');
}

test('freePort leaves its port in TIME_WAIT (so no bind(0) is handed it while the dev server starts)', { skip: process.platform !== 'linux' && 'reads /proc/net/tcp' }, async () => {
  const port = await freePort();
  assert.ok(socketStatesOn(port).includes(TIME_WAIT), `127.0.0.1:${port} has a TIME_WAIT socket (states seen: ${socketStatesOn(port).join(', ') || 'none'})`);
});

test('the port freePort gives can be listened on at once', async () => {
  const port = await freePort();
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  server.close();
  await once(server, 'close');
});

test('consecutive freePort calls give different ports', async () => {
  const ports = new Set<number>();
  for (let i = 0; i < 50; i++) ports.add(await freePort());
  assert.equal(ports.size, 50);
});
