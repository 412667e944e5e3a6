// PayPal's signing certificates chain to a root the product ships, so verification does not depend on which roots
// the running Node's bundled store still holds (Node 24.22 no longer holds DigiCert High Assurance EV Root CA).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { rootCertificates } from 'node:tls';
import { SHIPPED_ROOT_FILE, createTrustStore, validateCertificatePem } from '../../src/paypal/cert-chain';
import { EXPECTED_CERT_SUBJECT } from '../../src/paypal/signature';
import { vectorCert } from '../fixtures/paypal-vectors/helpers';

const EV_ROOT = 'CN=DigiCert High Assurance EV Root CA';
const commonNames = (certs: readonly X509Certificate[]) => certs.map((c) => c.subject.split('\n').find((l) => l.startsWith('CN=')));

test('PayPal\'s live and sandbox certificates chain to the shipped DigiCert root with Node\'s root store left out', () => {
  const trust = createTrustStore([], []);
  for (const [file, subject] of [
    ['live-2025-01-31_2026-03-03.pem', EXPECTED_CERT_SUBJECT.live],
    ['live-2024-03-08_2025-03-07.pem', EXPECTED_CERT_SUBJECT.live],
    ['sandbox-2017-02-18_2019-04-26.pem', EXPECTED_CERT_SUBJECT.sandbox],
  ] as const) {
    const result = validateCertificatePem(vectorCert(file), trust, subject);
    assert.ok(result.ok, `${file}: ${result.ok ? '' : result.failure.message}`);
    assert.deepEqual(commonNames(result.value.chains[0]!.certs).slice(1), ['CN=DigiCert SHA2 Extended Validation Server CA', EV_ROOT], file);
  }
});

test('the shipped root is one anchor, whether Node\'s root store holds it (Node 20) or not (Node 24)', () => {
  const evRoots = (trust: ReturnType<typeof createTrustStore>) => [...trust.anchors.values()].flat().filter((c) => c.subject.includes(EV_ROOT));
  const withoutIt = rootCertificates.filter((pem) => !new X509Certificate(pem).subject.includes(EV_ROOT));
  const withIt = [...withoutIt, readFileSync(join(__dirname, '../../src/paypal/certs', SHIPPED_ROOT_FILE), 'utf8')];
  assert.equal(evRoots(createTrustStore([], withoutIt)).length, 1);
  assert.equal(evRoots(createTrustStore([], withIt)).length, 1, 'not twice');
  assert.equal(evRoots(createTrustStore()).length, 1, 'this Node\'s own store');
});
