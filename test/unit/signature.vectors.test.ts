// Real PayPal-signed vectors (copied into test/fixtures/paypal-vectors) through the offline verifier.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { createOfflineVerifier, type OfflineVerifierOptions } from '../../src/paypal/signature';
import { header, negativeVectors, positiveVectors, unverifiableVector, vectorCert, type Vector } from '../fixtures/paypal-vectors/helpers';

// v03 comes from a Java SDK test whose cert URL is the placeholder `https://api.sandbox.paypal.com/v1/notifications/test`
// (not a cert path). The cert URL is not part of the signed message, so the test substitutes a well-formed one.
const V03_CERT_URL = 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-v03-placeholder';

function environmentOf(v: Vector): 'live' | 'sandbox' {
  return new URL(header(v, 'PAYPAL-CERT-URL')).hostname === 'api.paypal.com' ? 'live' : 'sandbox';
}

function headersOf(v: Vector): Record<string, string> {
  return v.id.startsWith('v03') ? { ...v.headers, 'PAYPAL-CERT-URL': V03_CERT_URL } : v.headers;
}

function verifierFor(v: Vector, overrides: Partial<OfflineVerifierOptions> = {}): { verify: ReturnType<typeof createOfflineVerifier>['verify']; fetched: string[] } {
  const fetched: string[] = [];
  const certFile = v.cert_file;
  const verifier = createOfflineVerifier({
    webhookId: v.webhook_id,
    environment: environmentOf(v),
    allowedCertHosts: [new URL(header(v, 'PAYPAL-CERT-URL')).host],
    now: () => new Date(header(v, 'PAYPAL-TRANSMISSION-TIME')),
    fetchCert: (url) => {
      fetched.push(url.href);
      if (certFile === null) return Promise.reject(new Error('404 certificate not found'));
      return Promise.resolve(vectorCert(certFile));
    },
    ...overrides,
  });
  return { verify: (h, b) => verifier.verify(h, b), fetched };
}

void describe('PayPal vectors (offline verifier)', () => {
  const positives = positiveVectors();

  void it('has 26 positive vectors (v01-v05, 20 x v06, v07)', () => {
    assert.equal(positives.length, 26);
  });

  for (const v of positives) {
    void it(`verifies ${v.id} at its transmission time`, async () => {
      const { verify, fetched } = verifierFor(v);
      const result = await verify(headersOf(v), Buffer.from(v.body, 'utf8'));
      assert.deepEqual(result, { ok: true });
      assert.deepEqual(fetched, [headersOf(v)['PAYPAL-CERT-URL']]);
    });
  }

  void it('rejects v03 with its original placeholder cert URL as cert_url_not_allowed, without fetching', async () => {
    const v = positives.find((p) => p.id.startsWith('v03'));
    assert.ok(v);
    const { verify, fetched } = verifierFor(v);
    const result = await verify(v.headers, Buffer.from(v.body, 'utf8'));
    assert.equal(result.ok ? 'ok' : result.failure.code, 'cert_url_not_allowed');
    assert.equal(fetched.length, 0);
  });

  // Check order puts the transmission-time window before the certificate, so at the real "now" the (years old)
  // vectors fail on the window; with the window opened up, the expired certificate is what fails.
  for (const v of positives.filter((_, i) => i < 6 || i === positives.length - 1)) {
    void it(`fails ${v.id} at the real now with transmission_time_outside_window, and with cert_expired once the window is wide`, async () => {
      const atNow = await verifierFor(v, { now: () => new Date() }).verify(headersOf(v), Buffer.from(v.body, 'utf8'));
      assert.equal(atNow.ok ? 'ok' : atNow.failure.code, 'transmission_time_outside_window');
      assert.equal(atNow.ok ? 0 : atNow.failure.status, 401);
      const wide = await verifierFor(v, { now: () => new Date(), maxBehindMs: 100 * 365 * 86400_000 }).verify(headersOf(v), Buffer.from(v.body, 'utf8'));
      assert.equal(wide.ok ? 'ok' : wide.failure.code, 'cert_expired');
    });
  }

  const expectedNegative: Record<string, string> = {
    'n01-body-event-id-changed': 'signature_invalid',
    'n02-signature-prefix-changed': 'signature_invalid',
    'n03-transmission-id-changed': 'signature_invalid',
    'n04-auth-algo-sha1': 'unsupported_algorithm',
    'n05-wrong-webhook-id': 'signature_invalid',
    'n06-body-whitespace-added': 'signature_invalid',
    'n07-transmission-time-reformatted': 'signature_invalid',
  };
  const negatives = negativeVectors();

  void it('has the 7 documented negative cases', () => {
    assert.deepEqual(negatives.map((n) => n.id).sort(), Object.keys(expectedNegative).sort());
  });

  for (const n of negatives) {
    void it(`rejects negative case ${n.id} with ${expectedNegative[n.id]}`, async () => {
      const result = await verifierFor(n).verify(n.headers, Buffer.from(n.body, 'utf8'));
      assert.equal(result.ok, false);
      assert.equal(result.ok ? 'ok' : result.failure.code, expectedNegative[n.id]);
      assert.equal(result.ok ? 0 : result.failure.status, 401);
    });
  }

  void it('rejects u01 (certificate unobtainable) with 503 cert_fetch_failed', async () => {
    const u = unverifiableVector();
    const result = await verifierFor(u).verify(u.headers, Buffer.from(u.body, 'utf8'));
    assert.equal(result.ok ? 'ok' : result.failure.code, 'cert_fetch_failed');
    assert.equal(result.ok ? 0 : result.failure.status, 503);
  });

  for (const certFile of ['sandbox-2015-03-18_2017-03-22.pem', 'sandbox-2017-02-18_2019-04-26.pem', 'live-2024-03-08_2025-03-07.pem', 'live-2025-01-31_2026-03-03.pem']) {
    void it(`rejects u01 with signature_invalid when served ${certFile} (checked inside that cert's validity)`, async () => {
      const u = unverifiableVector();
      const leaf = new X509Certificate(vectorCert(certFile));
      const inside = new Date((Date.parse(leaf.validFrom) + Date.parse(leaf.validTo)) / 2);
      const result = await verifierFor({ ...u, cert_file: certFile }, {
        environment: certFile.startsWith('live') ? 'live' : 'sandbox',
        now: () => inside,
        maxAheadMs: 100 * 365 * 86400_000,
        maxBehindMs: 100 * 365 * 86400_000,
      }).verify(u.headers, Buffer.from(u.body, 'utf8'));
      assert.equal(result.ok ? 'ok' : result.failure.code, 'signature_invalid');
    });
  }

  void it('rejects a sandbox vector when the verifier expects the live subject (cert_subject_mismatch)', async () => {
    const v = positives[0];
    assert.ok(v);
    const result = await verifierFor(v, { environment: 'live' }).verify(v.headers, Buffer.from(v.body, 'utf8'));
    assert.equal(result.ok ? 'ok' : result.failure.code, 'cert_subject_mismatch');
  });

  void it('verifies a vector when the served PEM also carries the intermediate (leaf first)', async () => {
    const v = positives[0];
    assert.ok(v);
    const chainPem = vectorCert('sandbox-2015-03-18_2017-03-22.pem') + vectorCert('DigiCertSHA2ExtendedValidationServerCA.pem');
    const result = await verifierFor(v, { fetchCert: () => Promise.resolve(chainPem) }).verify(v.headers, Buffer.from(v.body, 'utf8'));
    assert.deepEqual(result, { ok: true });
  });
});
