// Property: arbitrary header maps and bodies never make verify() throw and never verify.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createApiVerifier } from '../../src/paypal/api-verifier';
import { createOfflineVerifier } from '../../src/paypal/signature';
import { FAILURE_STATUS } from '../../src/paypal/verification-failure';
import { createSimulatorPki } from '../../src/simulator/certificates';

const pki = createSimulatorPki();
const CERT_URL = 'http://127.0.0.1:4010/v1/notifications/certs/CERT-prop';
const NAMES = ['paypal-auth-algo', 'paypal-cert-url', 'paypal-transmission-id', 'paypal-transmission-sig', 'paypal-transmission-time'];

const randomCase = (s: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((flips) => [...s].map((c, i) => (flips[i] ? c.toUpperCase() : c)).join(''));

const headerValue: fc.Arbitrary<string | string[] | undefined> = fc.oneof(
  fc.string(),
  fc.constantFrom('SHA256withRSA', CERT_URL, new Date().toISOString(), 'a,b', ''),
  fc.base64String({ maxLength: 400 }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant(undefined),
);

// Either fully random maps, or "plausible" ones: all real names (random case), mostly valid values, random signature.
const randomHeaders = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...NAMES).chain(randomCase)), headerValue, { maxKeys: 8 });
const plausibleHeaders = fc
  .record({
    algo: fc.oneof(fc.constant('SHA256withRSA'), fc.string()),
    url: fc.oneof(fc.constant(CERT_URL), fc.webUrl(), fc.string()),
    id: fc.string({ minLength: 1 }),
    sig: fc.oneof(fc.base64String({ minLength: 4, maxLength: 400 }), fc.string({ minLength: 1 })),
    time: fc.oneof(fc.constant(new Date().toISOString()), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
  })
  .map(({ algo, url, id, sig, time }) => ({ [NAMES[0]!]: algo, [NAMES[1]!]: url, [NAMES[2]!]: id, [NAMES[3]!]: sig, [NAMES[4]!]: time }));

void describe('verify() under arbitrary input', () => {
  const offline = createOfflineVerifier({
    webhookId: 'WH-PROP',
    environment: 'simulator',
    allowedCertHosts: ['127.0.0.1:4010'],
    extraTrustAnchorsPem: [pki.caPem],
    fetchCert: () => Promise.resolve(pki.leafPem),
  });
  const api = createApiVerifier({ webhookId: 'WH-PROP', callVerifyApi: () => Promise.resolve({ verification_status: 'FAILURE' }) });

  void it('never throws and never returns ok:true (fixed seed, 200 runs, offline and API mode)', async () => {
    let deep = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(randomHeaders, plausibleHeaders), fc.uint8Array({ maxLength: 512 }), async (headers, bytes) => {
        for (const verifier of [offline, api]) {
          const r = await verifier.verify(headers, Buffer.from(bytes));
          assert.equal(r.ok, false);
          if (r.ok) return;
          // The status follows the code's table entry; the one exception is API mode's 400 for an unusable body.
          const unusableBody = verifier === api && r.failure.code === 'signature_invalid' && r.failure.status === 400;
          assert.equal(r.failure.status, unusableBody ? 400 : FAILURE_STATUS[r.failure.code]);
          assert.equal(typeof r.failure.message, 'string');
          if (verifier === offline && r.failure.code === 'signature_invalid') deep++;
        }
      }),
      { seed: 20251122, numRuns: 200 },
    );
    assert.ok(deep > 0, 'some runs reached the signature check');
  });
});
