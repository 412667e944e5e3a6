// Synthetic webhooks signed with throwaway PKIs: trust, subject, validity, cert-URL policy, fetch failures, cache.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TtlLruCache } from '../../src/paypal/cert-cache';
import { createOfflineVerifier, parseTransmissionTime, type OfflineVerifierOptions, type VerificationResult } from '../../src/paypal/signature';
import { createSimulatorPki } from '../../src/simulator/certificates';
import { mintCert, signWebhook } from '../fixtures/paypal-vectors/helpers';

const pki = createSimulatorPki();
const otherPki = createSimulatorPki();
const SIM_URL = 'http://127.0.0.1:4010/v1/notifications/certs/CERT-simulator-1';
const SIM_HOST = '127.0.0.1:4010';
const WEBHOOK_ID = 'WH-SYNTHETIC-1';
const body = Buffer.from('{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"amount":"10.00"}}', 'utf8');

function code(r: VerificationResult): string {
  return r.ok ? 'ok' : r.failure.code;
}

/** A verifier for the simulator PKI whose fetchCert serves `pem` and counts calls. */
function simVerifier(overrides: Partial<OfflineVerifierOptions> = {}, pem = pki.leafPem): { verifier: ReturnType<typeof createOfflineVerifier>; calls: URL[] } {
  const calls: URL[] = [];
  const verifier = createOfflineVerifier({
    webhookId: WEBHOOK_ID,
    environment: 'simulator',
    allowedCertHosts: [SIM_HOST],
    extraTrustAnchorsPem: [pki.caPem],
    fetchCert: (url) => {
      calls.push(url);
      return Promise.resolve(pem);
    },
    ...overrides,
  });
  return { verifier, calls };
}

function signed(overrides: Partial<Parameters<typeof signWebhook>[0]> = {}): Record<string, string> {
  return signWebhook({ keyPem: pki.leafKeyPem, webhookId: WEBHOOK_ID, body, certUrl: SIM_URL, ...overrides });
}

void describe('offline verifier with the simulator PKI', () => {
  void it('accepts a correctly signed webhook', async () => {
    const { verifier, calls } = simVerifier();
    assert.deepEqual(await verifier.verify(signed(), body), { ok: true });
    assert.equal(calls.length, 1);
  });

  void it('rejects a body changed by one byte with signature_invalid (401)', async () => {
    const tampered = Buffer.from(body);
    tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 0x01;
    const r = await simVerifier().verifier.verify(signed(), tampered);
    assert.equal(code(r), 'signature_invalid');
    assert.equal(r.ok ? 0 : r.failure.status, 401);
  });

  void it('rejects a webhook signed for another webhook id with signature_invalid', async () => {
    assert.equal(code(await simVerifier().verifier.verify(signed({ webhookId: 'WH-OTHER' }), body)), 'signature_invalid');
  });

  void it('rejects a malformed (non-base64) signature with signature_invalid', async () => {
    assert.equal(code(await simVerifier().verifier.verify({ ...signed(), 'paypal-transmission-sig': 'not base64!!' }, body)), 'signature_invalid');
  });

  void it('rejects a leaf from a different CA with cert_untrusted', async () => {
    const headers = signWebhook({ keyPem: otherPki.leafKeyPem, webhookId: WEBHOOK_ID, body, certUrl: SIM_URL });
    assert.equal(code(await simVerifier({}, otherPki.leafPem).verifier.verify(headers, body)), 'cert_untrusted');
  });

  void it('rejects a trusted leaf with the wrong subject with cert_subject_mismatch', async () => {
    const root = mintCert({ cn: 'Test Root', ca: true });
    const leaf = mintCert({ cn: 'evil.example.com', san: ['evil.example.com'], issuer: root });
    const headers = signWebhook({ keyPem: leaf.keyPem, webhookId: WEBHOOK_ID, body, certUrl: SIM_URL });
    const r = await simVerifier({ extraTrustAnchorsPem: [root.pem] }, leaf.pem).verifier.verify(headers, body);
    assert.equal(code(r), 'cert_subject_mismatch');
  });

  void it('rejects a wildcard SAN (*.sandbox.paypal.com) with cert_subject_mismatch: wildcards are not accepted', async () => {
    const root = mintCert({ cn: 'Test Root', ca: true });
    const leaf = mintCert({ cn: 'PayPal wildcard', san: ['*.sandbox.paypal.com'], issuer: root });
    const headers = signWebhook({ keyPem: leaf.keyPem, webhookId: WEBHOOK_ID, body, certUrl: SIM_URL });
    assert.equal(code(await simVerifier({ extraTrustAnchorsPem: [root.pem] }, leaf.pem).verifier.verify(headers, body)), 'cert_subject_mismatch');
  });

  void it('accepts a leaf without SAN whose CN is the expected subject', async () => {
    const root = mintCert({ cn: 'Test Root', ca: true });
    const leaf = mintCert({ cn: 'messageverificationcerts.sandbox.paypal.com', issuer: root });
    const headers = signWebhook({ keyPem: leaf.keyPem, webhookId: WEBHOOK_ID, body, certUrl: SIM_URL });
    assert.deepEqual(await simVerifier({ extraTrustAnchorsPem: [root.pem] }, leaf.pem).verifier.verify(headers, body), { ok: true });
  });

  void it('rejects an expired leaf and a not-yet-valid leaf with cert_expired', async () => {
    const root = mintCert({ cn: 'Test Root', ca: true, notBefore: new Date(Date.now() - 900 * 86400_000) });
    const day = 86400_000;
    for (const [notBefore, notAfter] of [[Date.now() - 400 * day, Date.now() - day], [Date.now() + day, Date.now() + 400 * day]] as const) {
      const leaf = mintCert({ cn: 'messageverificationcerts.sandbox.paypal.com', issuer: root, notBefore: new Date(notBefore), notAfter: new Date(notAfter) });
      const headers = signWebhook({ keyPem: leaf.keyPem, webhookId: WEBHOOK_ID, body, certUrl: SIM_URL });
      assert.equal(code(await simVerifier({ extraTrustAnchorsPem: [root.pem] }, leaf.pem).verifier.verify(headers, body)), 'cert_expired');
    }
  });

  void it('builds a chain through a served intermediate, and rejects leaf-only or a non-CA "intermediate" with cert_untrusted', async () => {
    const root = mintCert({ cn: 'Test Root', ca: true });
    const inter = mintCert({ cn: 'Test Intermediate', ca: true, issuer: root });
    const leaf = mintCert({ cn: 'messageverificationcerts.sandbox.paypal.com', san: ['messageverificationcerts.sandbox.paypal.com'], issuer: inter });
    const headers = signWebhook({ keyPem: leaf.keyPem, webhookId: WEBHOOK_ID, body, certUrl: SIM_URL });
    const opts = { extraTrustAnchorsPem: [root.pem] };
    assert.deepEqual(await simVerifier(opts, leaf.pem + inter.pem).verifier.verify(headers, body), { ok: true });
    assert.equal(code(await simVerifier(opts, leaf.pem).verifier.verify(headers, body)), 'cert_untrusted');
    const notCa = mintCert({ cn: 'Not A CA', ca: false, issuer: root });
    const leaf2 = mintCert({ cn: 'messageverificationcerts.sandbox.paypal.com', issuer: notCa });
    const headers2 = signWebhook({ keyPem: leaf2.keyPem, webhookId: WEBHOOK_ID, body, certUrl: SIM_URL });
    assert.equal(code(await simVerifier(opts, leaf2.pem + notCa.pem).verifier.verify(headers2, body)), 'cert_untrusted');
  });

  void it('rejects a PEM that is not a certificate with cert_invalid', async () => {
    const garbage = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    assert.equal(code(await simVerifier({}, garbage).verifier.verify(signed(), body)), 'cert_invalid');
  });

  const badUrls: [string, string, string[]?][] = [
    ['host not allowed', 'https://evil.example.com/v1/notifications/certs/CERT-1'],
    ['http on a non-loopback allowed host', 'http://api.sandbox.paypal.com/v1/notifications/certs/CERT-1', ['api.sandbox.paypal.com']],
    ['http loopback host not in the allow-list', 'http://127.0.0.1:9999/v1/notifications/certs/CERT-1'],
    ['path outside /v1/notifications/certs/', 'http://127.0.0.1:4010/v1/notifications/webhooks'],
    ['dot-segment escape', 'http://127.0.0.1:4010/v1/notifications/certs/../../oauth2/token'],
    ['percent-encoded path', 'http://127.0.0.1:4010/v1/notifications/certs/%2e%2e'],
    ['userinfo', 'http://user:pw@127.0.0.1:4010/v1/notifications/certs/CERT-1'],
    ['empty userinfo', 'https://@api.sandbox.paypal.com/v1/notifications/certs/CERT-1', ['api.sandbox.paypal.com']],
    ['query', 'http://127.0.0.1:4010/v1/notifications/certs/CERT-1?x=1'],
    ['empty query', 'http://127.0.0.1:4010/v1/notifications/certs/CERT-1?'],
    ['fragment', 'http://127.0.0.1:4010/v1/notifications/certs/CERT-1#x'],
    ['backslash', 'http://127.0.0.1:4010\\v1/notifications/certs/CERT-1'],
    ['other scheme', 'ftp://127.0.0.1:4010/v1/notifications/certs/CERT-1'],
    ['not a URL', '/v1/notifications/certs/CERT-1'],
    ['control character', 'http://127.0.0.1:4010/v1/notifications/certs/CERT-1\u0000'],
    ['default-port spelled out but port not allowed', 'http://127.0.0.1:80/v1/notifications/certs/CERT-1'],
    ['host suffix trick', 'https://api.sandbox.paypal.com.evil.com/v1/notifications/certs/CERT-1', ['api.sandbox.paypal.com']],
  ];
  for (const [name, url, hosts] of badUrls) {
    void it(`rejects a cert URL with ${name} as cert_url_not_allowed and never fetches`, async () => {
      const { verifier, calls } = simVerifier(hosts ? { allowedCertHosts: hosts } : {});
      const r = await verifier.verify(signed({ certUrl: url }), body);
      assert.equal(code(r), 'cert_url_not_allowed');
      assert.equal(r.ok ? 0 : r.failure.status, 401);
      assert.equal(calls.length, 0);
    });
  }

  void it('uses the per-environment default hosts: sandbox accepts api.sandbox.paypal.com and rejects api.paypal.com', async () => {
    const calls: string[] = [];
    const verifier = createOfflineVerifier({ webhookId: WEBHOOK_ID, environment: 'sandbox', extraTrustAnchorsPem: [pki.caPem], fetchCert: (u) => (calls.push(u.href), Promise.resolve(pki.leafPem)) });
    assert.deepEqual(await verifier.verify(signed({ certUrl: 'https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-1' }), body), { ok: true });
    assert.equal(code(await verifier.verify(signed({ certUrl: 'https://api.paypal.com/v1/notifications/certs/CERT-1' }), body)), 'cert_url_not_allowed');
    assert.equal(calls.length, 1);
  });

  void it('maps a throwing fetch to 503 cert_fetch_failed', async () => {
    const { verifier } = simVerifier({ fetchCert: () => Promise.reject(new Error('connect ECONNREFUSED')) });
    const r = await verifier.verify(signed(), body);
    assert.equal(code(r), 'cert_fetch_failed');
    assert.equal(r.ok ? 0 : r.failure.status, 503);
    assert.match(r.ok ? '' : r.failure.message, /ECONNREFUSED/);
  });

  void it('rejects transmission times: malformed or impossible → 400 transmission_time_invalid, too old / too new → 401 outside window', async () => {
    const { verifier, calls } = simVerifier();
    for (const bad of ['yesterday', '2015-02-30T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00']) {
      const r = await verifier.verify(signed({ transmissionTime: bad }), body);
      assert.equal(code(r), 'transmission_time_invalid', bad);
      assert.equal(r.ok ? 0 : r.failure.status, 400);
    }
    for (const offsetMs of [-(3 * 24 + 2) * 3600_000, 10 * 60_000]) {
      const t = new Date(Date.now() + offsetMs).toISOString();
      assert.equal(code(await verifier.verify(signed({ transmissionTime: t }), body)), 'transmission_time_outside_window');
    }
    assert.equal(calls.length, 0);
    // inside the window with a zone offset and fractional seconds: accepted (signed verbatim)
    const local = new Date(Date.now() - 3600_000 + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    assert.deepEqual(await verifier.verify(signed({ transmissionTime: local }), body), { ok: true });
  });

  void it('parses ISO 8601 transmission times with offsets and fractions exactly', () => {
    assert.equal(parseTransmissionTime('2015-05-12T20:14:14.5+02:00')?.toISOString(), '2015-05-12T18:14:14.500Z');
    assert.equal(parseTransmissionTime('2024-02-29T00:00:00Z')?.toISOString(), '2024-02-29T00:00:00.000Z');
    assert.equal(parseTransmissionTime('2023-02-29T00:00:00Z'), undefined);
  });

  void it('rejects any algorithm but SHA256withRSA (case-sensitive) with 401 unsupported_algorithm', async () => {
    for (const algo of ['SHA1withRSA', 'sha256withrsa', 'SHA256withECDSA', 'none']) {
      const r = await simVerifier().verifier.verify({ ...signed(), 'paypal-auth-algo': algo }, body);
      assert.equal(code(r), 'unsupported_algorithm', algo);
      assert.equal(r.ok ? 0 : r.failure.status, 401);
    }
  });

  void it('answers 503 verification_unavailable instead of throwing on an internal error', async () => {
    const r = await simVerifier().verifier.verify(signed(), undefined as unknown as Buffer);
    assert.equal(code(r), 'verification_unavailable');
  });
});

void describe('certificate cache', () => {
  void it('fetches once for two verifications, and once for two concurrent ones', async () => {
    const { verifier, calls } = simVerifier();
    assert.deepEqual(await verifier.verify(signed(), body), { ok: true });
    assert.deepEqual(await verifier.verify(signed(), body), { ok: true });
    assert.equal(calls.length, 1);
    const second = simVerifier();
    const both = await Promise.all([second.verifier.verify(signed(), body), second.verifier.verify(signed(), body)]);
    assert.deepEqual(both, [{ ok: true }, { ok: true }]);
    assert.equal(second.calls.length, 1);
  });

  void it('refetches after the TTL expires (injected clock)', async () => {
    let now = Date.now();
    const { verifier, calls } = simVerifier({ now: () => new Date(now), certCache: { ttlMs: 60_000 } });
    await verifier.verify(signed(), body);
    now += 59_000;
    await verifier.verify(signed(), body);
    assert.equal(calls.length, 1);
    now += 2_000;
    assert.deepEqual(await verifier.verify(signed({ transmissionTime: new Date(now).toISOString() }), body), { ok: true });
    assert.equal(calls.length, 2);
  });

  void it('evicts the least recently used URL beyond maxEntries', async () => {
    const { verifier, calls } = simVerifier({ certCache: { maxEntries: 2 } });
    const url = (n: number): string => `http://127.0.0.1:4010/v1/notifications/certs/CERT-${n}`;
    for (const n of [1, 2, 1, 3]) await verifier.verify(signed({ certUrl: url(n) }), body); // 3 evicts 2 (1 was used recently)
    assert.equal(calls.length, 3);
    await verifier.verify(signed({ certUrl: url(1) }), body);
    assert.equal(calls.length, 3);
    await verifier.verify(signed({ certUrl: url(2) }), body);
    assert.deepEqual(calls.map((u) => u.pathname.split('/').pop()), ['CERT-1', 'CERT-2', 'CERT-3', 'CERT-2']);
  });

  void it('remembers a fetch failure only briefly (10 s), then fetches again', async () => {
    let now = Date.now();
    let fail = true;
    const calls: string[] = [];
    const { verifier } = simVerifier({ now: () => new Date(now), fetchCert: (u) => (calls.push(u.href), fail ? Promise.reject(new Error('boom')) : Promise.resolve(pki.leafPem)) });
    assert.equal(code(await verifier.verify(signed(), body)), 'cert_fetch_failed');
    fail = false;
    assert.equal(code(await verifier.verify(signed(), body)), 'cert_fetch_failed');
    assert.equal(calls.length, 1);
    now += 10_001;
    assert.deepEqual(await verifier.verify(signed({ transmissionTime: new Date(now).toISOString() }), body), { ok: true });
    assert.equal(calls.length, 2);
  });

  void it('TtlLruCache: expiry, recency and the size bound', () => {
    const c = new TtlLruCache<string>(2);
    c.set('a', 'A', 100, 0);
    c.set('b', 'B', 100, 0);
    assert.equal(c.get('a', 50), 'A'); // a is now most recent
    c.set('c', 'C', 100, 50);
    assert.deepEqual(c.keys(), ['a', 'c']);
    assert.equal(c.get('a', 100), undefined); // expired at 0 + 100
    assert.equal(c.size, 1);
    c.set('z', 'Z', 0, 0);
    assert.equal(c.get('z', 0), undefined);
    assert.throws(() => new TtlLruCache(0), RangeError);
  });
});
