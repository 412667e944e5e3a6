// The outbound HTTP helper against local servers on 127.0.0.1: answers, deadline, caller abort, body bound, errors.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { text } from 'node:stream/consumers';
import { HttpRequestError, httpRequest } from '../../src/http/request';

void describe('httpRequest', () => {
  let server: Server;
  let base: string;
  const received: { method?: string; headers: Record<string, unknown>; body: string }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      void text(req).then((body) => {
        received.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/echo') return res.writeHead(201, { 'x-answer': 'yes' }).end(`got ${body}`);
        if (req.url === '/big') return res.writeHead(200).end('x'.repeat(10_000));
        if (req.url === '/slow') return setTimeout(() => res.writeHead(200).end('late'), 2_000).unref();
        if (req.url === '/reset') return req.socket.destroy();
        if (req.url === '/endless') {
          res.writeHead(200);
          const drip = setInterval(() => res.write('y'.repeat(64)), 5);
          res.on('close', () => clearInterval(drip));
          return;
        }
        res.writeHead(404).end('no such path');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  void it('sends method, headers and body, and returns status, headers and the whole body', async () => {
    const res = await httpRequest(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-key': 'k1' }, body: '{"a":1}', timeoutMs: 5_000 });
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-answer'], 'yes');
    assert.equal(res.text, 'got {"a":1}');
    assert.equal(res.truncated, false);
    const last = received.at(-1)!;
    assert.equal(last.method, 'POST');
    assert.equal(last.headers['x-key'], 'k1');
  });

  void it('answers with a non-2xx status are returned, not thrown', async () => {
    const res = await httpRequest(`${base}/nothing-here`, { method: 'GET', timeoutMs: 5_000 });
    assert.equal(res.status, 404);
    assert.equal(res.text, 'no such path');
  });

  void it('keeps at most maxBodyBytes of the body and says it truncated', async () => {
    const res = await httpRequest(`${base}/big`, { method: 'GET', timeoutMs: 5_000, maxBodyBytes: 100 });
    assert.equal(res.text, 'x'.repeat(100));
    assert.equal(res.truncated, true);
  });

  void it('stops reading an endless body at the bound instead of waiting for the deadline', async () => {
    const started = Date.now();
    const res = await httpRequest(`${base}/endless`, { method: 'GET', timeoutMs: 5_000, maxBodyBytes: 200 });
    assert.equal(res.truncated, true);
    assert.equal(res.text.length, 200);
    assert.ok(Date.now() - started < 2_000, 'returned long before the deadline');
  });

  void it('gives up at the deadline with reason "timeout"', async () => {
    const started = Date.now();
    const err = await httpRequest(`${base}/slow`, { method: 'GET', timeoutMs: 200 }).catch((e: unknown) => e);
    assert.ok(err instanceof HttpRequestError);
    assert.equal(err.reason, 'timeout');
    assert.match(err.message, /within 200 ms/);
    assert.ok(Date.now() - started < 1_500, 'returned well before the server answered');
  });

  void it('stops when the caller aborts, with reason "aborted"', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100).unref();
    const err = await httpRequest(`${base}/slow`, { method: 'GET', timeoutMs: 5_000, signal: controller.signal }).catch((e: unknown) => e);
    assert.ok(err instanceof HttpRequestError);
    assert.equal(err.reason, 'aborted');
  });

  void it('does not send at all when the signal is already aborted', async () => {
    const before = received.length;
    const err = await httpRequest(`${base}/echo`, { method: 'POST', body: 'x', timeoutMs: 5_000, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    assert.ok(err instanceof HttpRequestError);
    assert.equal(err.reason, 'aborted');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(received.length, before);
  });

  void it('reports refused connections and resets as "network" without naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await httpRequest(`http://127.0.0.1:${port}/x?token=secret-in-url`, { method: 'GET', timeoutMs: 5_000 }).catch((e: unknown) => e);
    assert.ok(refused instanceof HttpRequestError);
    assert.equal(refused.reason, 'network');
    assert.match(refused.message, /ECONNREFUSED/);
    assert.doesNotMatch(refused.message, /secret-in-url/);

    const reset = await httpRequest(`${base}/reset`, { method: 'POST', body: 'x', timeoutMs: 5_000 }).catch((e: unknown) => e);
    assert.ok(reset instanceof HttpRequestError);
    assert.equal(reset.reason, 'network');
  });
});
