// Guarded certificate fetch against local HTTP servers on 127.0.0.1 (no other network).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CertFetchError, fetchCertificatePem } from '../../src/paypal/cert-fetch';
import { createOfflineVerifier } from '../../src/paypal/signature';
import { createSimulatorPki } from '../../src/simulator/certificates';
import { signWebhook } from '../fixtures/paypal-vectors/helpers';

const pki = createSimulatorPki();

void describe('fetchCertificatePem', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      hits.push(req.url ?? '');
      switch (req.url) {
        case '/ok':
        case '/v1/notifications/certs/CERT-simulator-1':
          res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pki.leafPem);
          return;
        case '/redirect':
          res.writeHead(302, { location: '/ok' }).end();
          return;
        case '/missing':
          res.writeHead(404).end('not found');
          return;
        case '/slow':
          // Headers at once, then a trickle that never completes: only a whole-exchange deadline ends this.
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('-----BEGIN CERTIFICATE-----\n');
          {
            const timer = setInterval(() => res.write('A'), 50);
            res.on('close', () => clearInterval(timer));
          }
          return;
        case '/huge-chunked': {
          // No content-length: the cap must be enforced while streaming.
          res.writeHead(200, { 'content-type': 'text/plain' });
          const chunk = Buffer.alloc(16 * 1024, 0x41);
          let sent = 0;
          const pump = (): void => {
            while (sent < 10 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
            if (sent < 10 * 1024 * 1024) res.once('drain', pump);
            else res.end();
          };
          res.on('close', () => (sent = Number.MAX_SAFE_INTEGER));
          pump();
          return;
        }
        case '/huge-declared':
          res.writeHead(200, { 'content-length': String(1024 * 1024) });
          res.end(Buffer.alloc(1024 * 1024, 0x41));
          return;
        case '/not-pem':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
          return;
        default:
          res.writeHead(500).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function failure(path: string, opts?: { timeoutMs?: number; maxBytes?: number }): Promise<CertFetchError> {
    try {
      await fetchCertificatePem(new URL(path, base), opts);
    } catch (err) {
      assert.ok(err instanceof CertFetchError, `expected CertFetchError, got ${String(err)}`);
      return err;
    }
    assert.fail(`fetching ${path} should have failed`);
  }

  void it('returns the PEM on 200', async () => {
    assert.equal(await fetchCertificatePem(new URL('/ok', base)), pki.leafPem);
  });

  void it('refuses a redirect without following it', async () => {
    hits.length = 0;
    const err = await failure('/redirect');
    assert.equal(err.kind, 'redirect');
    assert.match(err.message, /redirect refused/);
    assert.deepEqual(hits, ['/redirect']);
  });

  void it('fails on a 404 with the status in the message', async () => {
    const err = await failure('/missing');
    assert.equal(err.kind, 'http_status');
    assert.match(err.message, /404/);
  });

  void it('gives up on a body that never finishes within the deadline (bounded time)', async () => {
    const started = Date.now();
    const err = await failure('/slow', { timeoutMs: 300 });
    const elapsed = Date.now() - started;
    assert.equal(err.kind, 'timeout');
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  });

  void it('aborts a huge streamed body once over maxBytes', async () => {
    const started = Date.now();
    const err = await failure('/huge-chunked', { maxBytes: 64 * 1024 });
    assert.equal(err.kind, 'too_large');
    assert.ok(Date.now() - started < 2000);
  });

  void it('rejects a body whose declared length is over maxBytes', async () => {
    const err = await failure('/huge-declared');
    assert.equal(err.kind, 'too_large');
  });

  void it('rejects content that is not a PEM certificate', async () => {
    const err = await failure('/not-pem');
    assert.equal(err.kind, 'not_pem');
  });

  void it('reports a refused connection as a network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(fetchCertificatePem(new URL(`http://127.0.0.1:${port}/x`)), (err: unknown) => err instanceof CertFetchError && err.kind === 'network');
  });

  void it('serves the offline verifier end to end (default guarded fetch over loopback http, simulator mode)', async () => {
    const host = new URL(base).host;
    const verifier = createOfflineVerifier({ webhookId: 'WH-E2E', environment: 'simulator', allowedCertHosts: [host], extraTrustAnchorsPem: [pki.caPem] });
    const body = Buffer.from('{"id":"WH-E2E-1"}');
    const headers = signWebhook({ keyPem: pki.leafKeyPem, webhookId: 'WH-E2E', body, certUrl: `${base}/v1/notifications/certs/CERT-simulator-1` });
    hits.length = 0;
    assert.deepEqual(await verifier.verify(headers, body), { ok: true });
    assert.deepEqual(await verifier.verify(headers, body), { ok: true });
    assert.deepEqual(hits, ['/v1/notifications/certs/CERT-simulator-1']);
  });
});
