// PayPal's signing certificate: parse the PEM, build a chain to a trusted root (Node's store, the shipped DigiCert
// root, extra anchors, the shipped DigiCert intermediate), check the leaf is PayPal's, and check validity at a given
// time. Time-independent results are cached by the offline verifier (signature.ts); the clock is applied per webhook.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { verificationFailure, type Check, type VerificationFailure } from './verification-failure';

/** DigiCert's EV server intermediate, shipped because PayPal's cert URL may serve only the leaf. */
export const SHIPPED_INTERMEDIATE_FILE = 'DigiCertSHA2ExtendedValidationServerCA.pem';
/**
 * The root PayPal's webhook signing certificates chain to, shipped as a trust anchor as PayPal's own SDKs ship it.
 * Mozilla's store dropped it from TLS trust for its age in 2026, and Node's bundled store with it (absent from Node
 * 24.22, present in 20.20), so without it every real PayPal webhook would fail as `cert_untrusted` on a current Node
 * (src/paypal/certs/README.md).
 */
export const SHIPPED_ROOT_FILE = 'DigiCertHighAssuranceEVRootCA.pem';

const MAX_CHAIN_CERTS = 10;
const MAX_CHAIN_DEPTH = 6;

/** Parses every `CERTIFICATE` block of a PEM (leaf first, then any intermediates). */
export function parseCertificatePem(pem: string): Check<X509Certificate[]> {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return { ok: false, failure: verificationFailure('cert_invalid', 'no PEM CERTIFICATE block found') };
  if (blocks.length > MAX_CHAIN_CERTS) return { ok: false, failure: verificationFailure('cert_invalid', `PEM holds ${blocks.length} certificates, at most ${MAX_CHAIN_CERTS} allowed`) };
  try {
    return { ok: true, value: blocks.map((b) => new X509Certificate(b)) };
  } catch (err) {
    return { ok: false, failure: verificationFailure('cert_invalid', `certificate does not parse: ${(err as Error).message}`) };
  }
}

/** Trust anchors (Node's root store plus extras) and known intermediates, indexed by subject for chain building. */
export interface TrustStore {
  anchors: Map<string, X509Certificate[]>;
  anchorFingerprints: Set<string>;
  intermediates: X509Certificate[];
}

let nodeRoots: X509Certificate[] | undefined;
let shipped: { roots: X509Certificate[]; intermediates: X509Certificate[] } | undefined;

/**
 * Builds the trust store: Node's root store (`systemRootsPem`, `tls.rootCertificates` unless a test gives its own),
 * the shipped DigiCert root, `extraAnchorsPem`, and the shipped DigiCert intermediate.
 */
export function createTrustStore(extraAnchorsPem: readonly string[] = [], systemRootsPem?: readonly string[]): TrustStore {
  const system = systemRootsPem ? systemRootsPem.map((pem) => new X509Certificate(pem)) : (nodeRoots ??= rootCertificates.map((pem) => new X509Certificate(pem)));
  shipped ??= { roots: shippedCerts(SHIPPED_ROOT_FILE), intermediates: shippedCerts(SHIPPED_INTERMEDIATE_FILE) };
  const roots = [...system, ...shipped.roots, ...extraAnchorsPem.flatMap((pem) => pemCerts(pem))];
  const anchors = new Map<string, X509Certificate[]>();
  const fingerprints = new Set<string>();
  for (const cert of roots) {
    if (fingerprints.has(cert.fingerprint256)) continue; // the shipped root is also in Node's store on older Nodes
    fingerprints.add(cert.fingerprint256);
    anchors.set(cert.subject, [...(anchors.get(cert.subject) ?? []), cert]);
  }
  return { anchors, anchorFingerprints: fingerprints, intermediates: shipped.intermediates };
}

function shippedCerts(file: string): X509Certificate[] {
  return pemCerts(readFileSync(join(__dirname, 'certs', file), 'utf8'));
}

function pemCerts(pem: string): X509Certificate[] {
  const parsed = parseCertificatePem(pem);
  if (!parsed.ok) throw new Error(`trust configuration: ${parsed.failure.message}`);
  return parsed.value;
}

/** One path from the leaf to a trust anchor, with the period in which every certificate on it is valid. */
export interface CertChain {
  certs: X509Certificate[];
  validFromMs: number;
  validToMs: number;
}

/**
 * All chains (up to a few) from `certs[0]` through served or shipped intermediates to a trust anchor. Each link is
 * `checkIssued` + signature `verify` with the issuer key; intermediates must be CAs. Time is not considered here,
 * so one cached result serves any clock; {@link checkChainValidity} applies the clock per call.
 */
export function buildChains(certs: readonly X509Certificate[], trust: TrustStore): CertChain[] {
  const [leaf, ...served] = certs;
  if (!leaf) return [];
  const pool = [...served, ...trust.intermediates].filter((c) => c.ca);
  const found: CertChain[] = [];
  const issues = (child: X509Certificate, issuer: X509Certificate): boolean => {
    try {
      return child.checkIssued(issuer) && child.verify(issuer.publicKey);
    } catch {
      return false;
    }
  };
  const walk = (path: X509Certificate[]): void => {
    const cur = path[path.length - 1];
    if (!cur || found.length >= 4 || path.length > MAX_CHAIN_DEPTH) return;
    if (trust.anchorFingerprints.has(cur.fingerprint256)) return void found.push(chainOf(path));
    for (const anchor of trust.anchors.get(cur.issuer) ?? []) {
      if (issues(cur, anchor)) found.push(chainOf([...path, anchor]));
    }
    for (const next of pool) {
      if (!path.some((p) => p.fingerprint256 === next.fingerprint256) && next.subject === cur.issuer && issues(cur, next)) walk([...path, next]);
    }
  };
  walk([leaf]);
  return found;
}

function chainOf(certs: X509Certificate[]): CertChain {
  return {
    certs,
    validFromMs: Math.max(...certs.map((c) => Date.parse(c.validFrom))),
    validToMs: Math.min(...certs.map((c) => Date.parse(c.validTo))),
  };
}

/** Undefined if some chain is entirely valid at `atMs`; else `cert_expired` naming the first invalid certificate. */
export function checkChainValidity(chains: readonly CertChain[], atMs: number): VerificationFailure | undefined {
  if (chains.some((c) => atMs >= c.validFromMs && atMs <= c.validToMs)) return undefined;
  const at = new Date(atMs).toISOString();
  for (const [i, cert] of (chains[0]?.certs ?? []).entries()) {
    const role = i === 0 ? 'leaf certificate' : `issuer certificate "${commonName(cert) ?? cert.subject}"`;
    if (atMs < Date.parse(cert.validFrom)) return verificationFailure('cert_expired', `${role} is not valid before ${cert.validFrom} (checked at ${at})`);
    if (atMs > Date.parse(cert.validTo)) return verificationFailure('cert_expired', `${role} expired at ${cert.validTo} (checked at ${at})`);
  }
  return verificationFailure('cert_expired', `no certificate chain is valid at ${at}`);
}

/** The leaf's subject CN, if any. */
export function commonName(cert: X509Certificate): string | undefined {
  return cert.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3);
}

/** Undefined if the leaf is for `expected` (SAN DNS via checkHost without wildcards, or CN); else a mismatch. */
export function checkLeafSubject(leaf: X509Certificate, expected: string): VerificationFailure | undefined {
  if (leaf.checkHost(expected, { wildcards: false }) !== undefined) return undefined;
  if (commonName(leaf)?.toLowerCase() === expected.toLowerCase()) return undefined;
  return verificationFailure('cert_subject_mismatch', `certificate subject "${commonName(leaf) ?? leaf.subject}" / SAN "${leaf.subjectAltName ?? ''}" is not ${expected}`);
}

/** A certificate that passed parsing, chain building and the subject check; what the cache holds. */
export interface ValidatedCertificate {
  leaf: X509Certificate;
  publicKey: KeyObject;
  chains: CertChain[];
}

/** Parses a PEM and runs the time-independent checks: RSA key, chain to an anchor, expected subject. */
export function validateCertificatePem(pem: string, trust: TrustStore, expectedSubject: string): Check<ValidatedCertificate> {
  const parsed = parseCertificatePem(pem);
  if (!parsed.ok) return parsed;
  const leaf = parsed.value[0];
  if (!leaf) return { ok: false, failure: verificationFailure('cert_invalid', 'empty certificate list') };
  const details = leaf.publicKey.asymmetricKeyDetails;
  if (leaf.publicKey.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) {
    return { ok: false, failure: verificationFailure('cert_invalid', 'leaf key is not RSA with at least 2048 bits') };
  }
  const chains = buildChains(parsed.value, trust);
  if (chains.length === 0) return { ok: false, failure: verificationFailure('cert_untrusted', `no chain from "${commonName(leaf) ?? leaf.subject}" (issuer "${leaf.issuer.replace(/\n/g, ', ')}") to a trusted root`) };
  const subject = checkLeafSubject(leaf, expectedSubject);
  if (subject) return { ok: false, failure: subject };
  return { ok: true, value: { leaf, publicKey: leaf.publicKey, chains } };
}
