// A PayPal certificate served alone, whose issuer is neither served nor shipped (PayPal renewed it under another
// intermediate of its CA): the issuer is fetched from the certificate's CA Issuers address, on allowed CA hosts only,
// and trusted only if it chains to a trusted root.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CA_ISSUER_HOSTS, caIssuerUrl, fetchIssuerPem } from '../../src/paypal/ca-issuer';
import { createOfflineVerifier, EXPECTED_CERT_SUBJECT, type OfflineVerifierOptions, type VerificationResult } from '../../src/paypal/signature';
import { mintCert, signWebhook, vectorCert, type TestCert } from '../fixtures/paypal-vectors/helpers';

const CERT_URL = 'https://api.paypal.com/v1/notifications/certs/CERT-renewed-1';
const WEBHOOK_ID = 'WH-CA-ISSUER-1';
const ISSUER_URL = 'http://ca.test/EVRSACAG2.crt';
const body = Buffer.from('{"id":"WH-2","event_type":"PAYMENT.CAPTURE.COMPLETED"}', 'utf8');

const root = mintCert({ cn: 'Test Global Root G2', ca: true });
const intermediate = mintCert({ cn: 'Test EV RSA CA G2', ca: true, issuer: root });
const paypalLeaf = (issuer: TestCert, opts: { cn?: string; caIssuers?: string } = {}) => {
  const cn = opts.cn ?? EXPECTED_CERT_SUBJECT.live;
  return mintCert({ cn, san: [cn], issuer, caIssuers: opts.caIssuers ?? ISSUER_URL });
};

function code(r: VerificationResult): string {
  return r.ok ? 'ok' : r.failure.code;
}

/** A live-environment verifier trusting `root`, whose cert URL serves `leaf` alone; counts issuer downloads. */
function verifierFor(leaf: TestCert, issuerPem: string | Error, overrides: Partial<OfflineVerifierOptions> = {}) {
  const fetched: string[] = [];
  const verifier = createOfflineVerifier({
    webhookId: WEBHOOK_ID,
    environment: 'live',
    extraTrustAnchorsPem: [root.pem],
    fetchCert: () => Promise.resolve(leaf.pem),
    caIssuerHosts: ['ca.test'],
    fetchIssuer: (url) => {
      fetched.push(url.href);
      return issuerPem instanceof Error ? Promise.reject(issuerPem) : Promise.resolve(issuerPem);
    },
    ...overrides,
  });
  const verify = () => verifier.verify(signWebhook({ keyPem: leaf.keyPem, webhookId: WEBHOOK_ID, body, certUrl: CERT_URL }), body);
  return { verify, fetched };
}

void describe('offline verifier: the issuer fetched from the certificate\'s CA Issuers address', () => {
  void it('verifies a leaf served alone once its issuer is fetched, and fetches it once per cached certificate', async () => {
    const { verify, fetched } = verifierFor(paypalLeaf(intermediate), intermediate.pem);
    assert.deepEqual(await verify(), { ok: true });
    assert.deepEqual(await verify(), { ok: true });
    assert.deepEqual(fetched, [ISSUER_URL]);
  });

  void it('without an allowed CA host the same leaf is cert_untrusted, and nothing is fetched', async () => {
    for (const caIssuerHosts of [[], ['cacerts.digicert.com']]) {
      const { verify, fetched } = verifierFor(paypalLeaf(intermediate), intermediate.pem, { caIssuerHosts });
      assert.equal(code(await verify()), 'cert_untrusted');
      assert.deepEqual(fetched, []);
    }
  });

  void it('a fetched issuer that does not chain to a trusted root adds no trust (cert_untrusted)', async () => {
    const strangerRoot = mintCert({ cn: 'Test Global Root G2', ca: true }); // same name, another key
    const strangerCa = mintCert({ cn: 'Test EV RSA CA G2', ca: true, issuer: strangerRoot });
    const { verify, fetched } = verifierFor(paypalLeaf(strangerCa), strangerCa.pem);
    assert.equal(code(await verify()), 'cert_untrusted');
    assert.equal(fetched.length, 1);
  });

  void it('a leaf that is not PayPal\'s never makes the verifier fetch anything', async () => {
    const { verify, fetched } = verifierFor(paypalLeaf(intermediate, { cn: 'www.example.com' }), intermediate.pem);
    assert.notEqual(code(await verify()), 'ok');
    assert.deepEqual(fetched, []);
  });

  void it('an issuer download that fails answers 503 cert_fetch_failed, so PayPal delivers again', async () => {
    const { verify } = verifierFor(paypalLeaf(intermediate), new Error('connect ECONNREFUSED'));
    const r = await verify();
    assert.equal(code(r), 'cert_fetch_failed');
    assert.equal(r.ok ? 0 : r.failure.status, 503);
  });
});

void describe('caIssuerUrl', () => {
  const url = (caIssuers: string, hosts: string[]) => caIssuerUrl(new X509Certificate(paypalLeaf(intermediate, { caIssuers }).pem), hosts)?.href;
  void it('takes http(s) addresses on an allowed host only, compared exactly, without credentials', () => {
    assert.equal(url('http://cacerts.digicert.com/DigiCertEVRSACAG2.crt', ['cacerts.digicert.com']), 'http://cacerts.digicert.com/DigiCertEVRSACAG2.crt');
    assert.equal(url('https://cacerts.digicert.com/x.crt', ['cacerts.digicert.com']), 'https://cacerts.digicert.com/x.crt');
    assert.equal(url('http://cacerts.digicert.com.evil.test/x.crt', ['cacerts.digicert.com']), undefined);
    assert.equal(url('http://cacerts.digicert.com:8080/x.crt', ['cacerts.digicert.com']), undefined);
    assert.equal(url('http://user:pw@cacerts.digicert.com/x.crt', ['cacerts.digicert.com']), undefined);
    assert.equal(url('ldap://cacerts.digicert.com/x.crt', ['cacerts.digicert.com']), undefined);
    assert.equal(caIssuerUrl(new X509Certificate(intermediate.pem), ['cacerts.digicert.com']), undefined, 'no AIA extension');
  });

  void it('finds the issuer address PayPal\'s real certificates carry, on the default CA host', () => {
    for (const file of ['live-2025-01-31_2026-03-03.pem', 'live-2024-03-08_2025-03-07.pem', 'sandbox-2017-02-18_2019-04-26.pem']) {
      assert.equal(caIssuerUrl(new X509Certificate(vectorCert(file)), DEFAULT_CA_ISSUER_HOSTS)?.href, 'http://cacerts.digicert.com/DigiCertSHA2ExtendedValidationServerCA.crt', file);
    }
  });
});

void describe('fetchIssuerPem', () => {
  let server: Server;
  let base = '';
  before(async () => {
    const der = new X509Certificate(intermediate.pem).raw;
    server = createServer((req, res) => {
      if (req.url === '/der.crt') res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(der);
      else if (req.url === '/pem.crt') res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(intermediate.pem);
      else if (req.url === '/moved.crt') res.writeHead(302, { location: '/der.crt' }).end();
      else res.writeHead(200).end('not a certificate');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  void it('turns a DER or PEM answer into PEM, and refuses redirects and anything that is not a certificate', async () => {
    const expected = new X509Certificate(intermediate.pem).fingerprint256;
    for (const path of ['/der.crt', '/pem.crt']) assert.equal(new X509Certificate(await fetchIssuerPem(new URL(`${base}${path}`))).fingerprint256, expected, path);
    await assert.rejects(fetchIssuerPem(new URL(`${base}/moved.crt`)), /redirect refused/);
    await assert.rejects(fetchIssuerPem(new URL(`${base}/other.crt`)), /does not parse/);
  });
});
