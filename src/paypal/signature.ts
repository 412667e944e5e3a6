import { constants, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { DEFAULT_CERT_CACHE_MAX_ENTRIES, DEFAULT_CERT_CACHE_TTL_MS, TtlLruCache } from './cert-cache';
import { CertFetchError, fetchCertificatePem } from './cert-fetch';
import { webhookSignedMessage } from './signed-message';
import { readWebhookHeaders, type WebhookTransmission } from './webhook-headers';

/** Why a webhook was not accepted; stable identifiers for logs, metrics and the intake's error body. */
export type VerificationFailureCode =
  | 'missing_header' | 'duplicate_header' | 'unsupported_algorithm' | 'cert_url_not_allowed' | 'cert_fetch_failed'
  | 'cert_invalid' | 'cert_untrusted' | 'cert_expired' | 'cert_subject_mismatch' | 'transmission_time_invalid'
  | 'transmission_time_outside_window' | 'signature_invalid' | 'verification_unavailable';

/** A rejected webhook: machine-readable code, human-readable reason and the HTTP status to answer. */
export interface VerificationFailure {
  code: VerificationFailureCode;
  message: string;
  /** HTTP status the intake should answer */
  status: 400 | 401 | 503;
}

/** Outcome of {@link WebhookVerifier.verify}. */
export type VerificationResult = { ok: true } | { ok: false; failure: VerificationFailure };

/** What the intake depends on; both modes implement it. Never throws: every problem is a failure result. */
export interface WebhookVerifier {
  verify(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): Promise<VerificationResult>;
}

/** Configuration of {@link createOfflineVerifier}. */
export interface OfflineVerifierOptions {
  webhookId: string;
  /** Decides the expected cert subject: live → messageverificationcerts.paypal.com, else the sandbox name. */
  environment: 'live' | 'sandbox' | 'simulator';
  /** host[:port] entries; defaults per environment ({@link DEFAULT_ALLOWED_CERT_HOSTS}); simulator has none. */
  allowedCertHosts?: string[];
  /** Extra trust anchors (simulator CA, tests) on top of Node's root store. */
  extraTrustAnchorsPem?: string[];
  /** Injectable clock for the time window, certificate validity and cache expiry. */
  now?: () => Date;
  /** How far in the future the transmission time may be; default 5 min. */
  maxAheadMs?: number;
  /** How far in the past the transmission time may be; default 3 days + 1 h (PayPal retries for 3 days). */
  maxBehindMs?: number;
  /** Certificate cache bounds; defaults 1 h, 32 entries. */
  certCache?: { ttlMs?: number; maxEntries?: number };
  /** Certificate download; default {@link fetchCertificatePem}. */
  fetchCert?: (url: URL) => Promise<string>;
  /**
   * Deadline (headers and body) for the default guarded download; default 5 s (`DEFAULT_CERT_FETCH_TIMEOUT_MS`).
   * Ignored when `fetchCert` is given. Lets tests exercise a stalled cert server without waiting 5 s.
   */
  certFetchTimeoutMs?: number;
}

/** HTTP status per failure: 400 malformed request, 401 not authentic, 503 cannot decide now (PayPal retries). */
export const FAILURE_STATUS: Readonly<Record<VerificationFailureCode, 400 | 401 | 503>> = {
  missing_header: 400, duplicate_header: 400, transmission_time_invalid: 400,
  unsupported_algorithm: 401, cert_url_not_allowed: 401, cert_invalid: 401, cert_untrusted: 401, cert_expired: 401,
  cert_subject_mismatch: 401, transmission_time_outside_window: 401, signature_invalid: 401,
  cert_fetch_failed: 503, verification_unavailable: 503,
};

/** Builds a {@link VerificationFailure} with the status from {@link FAILURE_STATUS}. */
export function verificationFailure(code: VerificationFailureCode, message: string): VerificationFailure {
  return { code, message, status: FAILURE_STATUS[code] };
}

/** The only algorithm PayPal uses; compared case-sensitively, as PayPal sends it. */
export const SUPPORTED_AUTH_ALGO = 'SHA256withRSA';
/** Subject (SAN DNS name or CN) PayPal's signing certificate must carry, per environment. */
export const EXPECTED_CERT_SUBJECT = {
  live: 'messageverificationcerts.paypal.com',
  sandbox: 'messageverificationcerts.sandbox.paypal.com',
  simulator: 'messageverificationcerts.sandbox.paypal.com',
} as const;
/** Cert URL hosts accepted when `allowedCertHosts` is not given. The simulator must be configured explicitly. */
export const DEFAULT_ALLOWED_CERT_HOSTS: Readonly<Record<OfflineVerifierOptions['environment'], readonly string[]>> = {
  live: ['api.paypal.com', 'api-m.paypal.com'],
  sandbox: ['api.sandbox.paypal.com', 'api-m.sandbox.paypal.com'],
  simulator: [],
};
/** Default window: 5 minutes ahead (clock skew), 3 days + 1 hour behind (PayPal's retry period). */
export const DEFAULT_MAX_AHEAD_MS = 5 * 60 * 1000;
/** See {@link DEFAULT_MAX_AHEAD_MS}. */
export const DEFAULT_MAX_BEHIND_MS = (3 * 24 + 1) * 60 * 60 * 1000;
/** DigiCert's EV server intermediate, shipped because PayPal's cert URL may serve only the leaf. */
export const SHIPPED_INTERMEDIATE_FILE = 'DigiCertSHA2ExtendedValidationServerCA.pem';

// A failed lookup is remembered only briefly: it dampens repeated fetches of one bad URL, while a PayPal-side
// blip heals on the next delivery attempt.
const FAILURE_CACHE_TTL_MS = 10_000;
// Distinct cert URLs downloaded at once; forged headers with many random (allowed-host) URLs must not fan out.
const MAX_CONCURRENT_FETCHES = 4;
const MAX_CHAIN_CERTS = 10;
const MAX_CHAIN_DEPTH = 6;
const CERT_PATH = /^\/v1\/notifications\/certs\/[A-Za-z0-9._-]+$/;
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Check<T> = { ok: true; value: T } | { ok: false; failure: VerificationFailure };

/** Parses PayPal's ISO 8601 transmission time strictly (real calendar dates, explicit zone); undefined if invalid. */
export function parseTransmissionTime(value: string): Date | undefined {
  const m = ISO_8601.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offH = Number(m[10] ?? 0);
  const offM = Number(m[11] ?? 0);
  // Date.parse would roll 2015-02-30 over to March; range-check every field instead.
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59 || offH > 23 || offM > 59) return undefined;
  const fractionMs = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetMs = (m[9] === '-' ? -1 : 1) * (offH * 60 + offM) * 60_000;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, fractionMs) - offsetMs);
}

/** Checks a parsed transmission time against `now`; a failure if it is too far ahead or behind. */
export function checkTransmissionWindow(at: Date, now: Date, maxAheadMs: number, maxBehindMs: number): VerificationFailure | undefined {
  const delta = at.getTime() - now.getTime();
  if (delta > maxAheadMs) return verificationFailure('transmission_time_outside_window', `transmission time ${at.toISOString()} is more than ${maxAheadMs} ms ahead of now (${now.toISOString()})`);
  if (-delta > maxBehindMs) return verificationFailure('transmission_time_outside_window', `transmission time ${at.toISOString()} is more than ${maxBehindMs} ms before now (${now.toISOString()})`);
  return undefined;
}

/**
 * Decides, before any network access, whether a `PAYPAL-CERT-URL` may be fetched: https (http only for a loopback
 * host that is explicitly allowed, i.e. the simulator), host[:port] in `allowedHosts`, path
 * `/v1/notifications/certs/<name>`, and no userinfo, query, fragment, escapes or whitespace.
 */
export function checkCertUrl(raw: string, allowedHosts: readonly string[]): Check<URL> {
  const no = (why: string): Check<URL> => ({ ok: false, failure: verificationFailure('cert_url_not_allowed', `cert URL ${JSON.stringify(raw.slice(0, 200))} rejected: ${why}`) });
  if (raw.length > 2048) return no('too long');
  // Checked on the raw string because the URL parser silently drops an empty "?"/"#" and normalises escapes.
  if (/[\s\\@?#%]/.test(raw) || [...raw].some((c) => c < ' ' || c === '\u007f')) return no('userinfo, query, fragment, escapes, whitespace or control characters are not allowed');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return no('not a valid absolute URL');
  }
  if (url.username !== '' || url.password !== '') return no('userinfo is not allowed');
  const allowed = new Set(allowedHosts.flatMap((entry) => normaliseHost(entry, url.protocol)));
  if (!allowed.has(url.host)) return no(`host ${url.host} is not in the allowed cert hosts [${allowedHosts.join(', ')}]`);
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTNAMES.has(url.hostname)) return no('https is required (plain http only for an allowed loopback host)');
  } else if (url.protocol !== 'https:') {
    return no(`scheme ${url.protocol} is not allowed`);
  }
  if (!CERT_PATH.test(url.pathname)) return no(`path ${url.pathname} is not /v1/notifications/certs/<name>`);
  return { ok: true, value: url };
}

function normaliseHost(entry: string, protocol: string): string[] {
  try {
    const u = new URL(`${protocol}//${entry.trim()}`);
    return u.pathname === '/' && u.username === '' ? [u.host] : [];
  } catch {
    return [];
  }
}

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

let systemRoots: X509Certificate[] | undefined;
let shippedIntermediates: X509Certificate[] | undefined;

/** Builds the trust store: `tls.rootCertificates`, `extraAnchorsPem`, and the shipped DigiCert intermediate. */
export function createTrustStore(extraAnchorsPem: readonly string[] = []): TrustStore {
  systemRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  shippedIntermediates ??= pemCerts(readFileSync(join(__dirname, 'certs', SHIPPED_INTERMEDIATE_FILE), 'utf8'));
  const extras = extraAnchorsPem.flatMap((pem) => pemCerts(pem));
  const anchors = new Map<string, X509Certificate[]>();
  for (const cert of [...systemRoots, ...extras]) anchors.set(cert.subject, [...(anchors.get(cert.subject) ?? []), cert]);
  return { anchors, anchorFingerprints: new Set([...systemRoots, ...extras].map((c) => c.fingerprint256)), intermediates: shippedIntermediates };
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

/** RSASSA-PKCS1-v1_5 + SHA-256 check of `message` against a base64 signature; false for malformed input. */
export function verifyRsaSha256(key: KeyObject, message: string, signatureBase64: string): boolean {
  if (!BASE64.test(signatureBase64) || signatureBase64.length > 4096) return false;
  try {
    return cryptoVerify('sha256', Buffer.from(message, 'utf8'), { key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
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

/**
 * The checks both verification modes run locally before anything costly: headers present once, the only
 * supported algorithm, and a transmission time inside the replay window.
 */
export function checkTransmission(
  headers: Record<string, string | string[] | undefined>,
  now: Date,
  maxAheadMs: number,
  maxBehindMs: number,
): { ok: true; value: WebhookTransmission } | { ok: false; failure: VerificationFailure } {
  const read = readWebhookHeaders(headers);
  if (!read.ok) return { ok: false, failure: read.reason };
  const t = read.value;
  if (t.authAlgo !== SUPPORTED_AUTH_ALGO) return { ok: false, failure: verificationFailure('unsupported_algorithm', `PAYPAL-AUTH-ALGO ${JSON.stringify(t.authAlgo.slice(0, 64))} is not ${SUPPORTED_AUTH_ALGO}`) };
  const sentAt = parseTransmissionTime(t.transmissionTime);
  if (!sentAt) return { ok: false, failure: verificationFailure('transmission_time_invalid', `PAYPAL-TRANSMISSION-TIME ${JSON.stringify(t.transmissionTime.slice(0, 64))} is not an ISO 8601 timestamp`) };
  const window = checkTransmissionWindow(sentAt, now, maxAheadMs, maxBehindMs);
  if (window) return { ok: false, failure: window };
  return { ok: true, value: t };
}

/**
 * Wraps a verification so it never throws: anything unexpected (a bug, resource exhaustion) becomes a 503
 * `verification_unavailable`, so PayPal retries instead of the event being lost.
 */
export function neverThrowing(run: WebhookVerifier['verify']): WebhookVerifier {
  return {
    async verify(headers, rawBody) {
      try {
        return await run(headers, rawBody);
      } catch (err) {
        return { ok: false, failure: verificationFailure('verification_unavailable', `internal verification error: ${err instanceof Error ? err.message : String(err)}`) };
      }
    },
  };
}

/**
 * Offline verification, PayPal's preferred method. Checks in this order, stopping at the first failure:
 * headers → algorithm → transmission time (format, window) → cert URL (no network yet) → certificate (cache or
 * fetch) → parse → chain to a trust anchor → leaf subject → validity at now() → signature.
 */
export function createOfflineVerifier(opts: OfflineVerifierOptions): WebhookVerifier {
  const now = opts.now ?? (() => new Date());
  const maxAheadMs = opts.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS;
  const maxBehindMs = opts.maxBehindMs ?? DEFAULT_MAX_BEHIND_MS;
  const allowedHosts = opts.allowedCertHosts ?? DEFAULT_ALLOWED_CERT_HOSTS[opts.environment];
  const expectedSubject = EXPECTED_CERT_SUBJECT[opts.environment];
  const ttlMs = opts.certCache?.ttlMs ?? DEFAULT_CERT_CACHE_TTL_MS;
  const maxEntries = opts.certCache?.maxEntries ?? DEFAULT_CERT_CACHE_MAX_ENTRIES;
  const fetchCert = opts.fetchCert ?? ((url: URL) => fetchCertificatePem(url, { timeoutMs: opts.certFetchTimeoutMs }));
  const trust = createTrustStore(opts.extraTrustAnchorsPem); // loud at startup on a bad anchor file
  const cache = new TtlLruCache<ValidatedCertificate>(maxEntries);
  const failures = new TtlLruCache<VerificationFailure>(maxEntries); // separate, so junk URLs cannot evict good ones
  const inFlight = new Map<string, Promise<Check<ValidatedCertificate>>>();

  const loadCertificate = async (url: URL): Promise<Check<ValidatedCertificate>> => {
    let pem: string;
    try {
      pem = await fetchCert(url);
    } catch (err) {
      const detail = err instanceof CertFetchError || err instanceof Error ? err.message : String(err);
      return { ok: false, failure: verificationFailure('cert_fetch_failed', `could not fetch certificate: ${detail}`) };
    }
    return validateCertificatePem(pem, trust, expectedSubject);
  };

  const certificateFor = async (url: URL): Promise<Check<ValidatedCertificate>> => {
    const key = url.href;
    const nowMs = now().getTime();
    const hit = cache.get(key, nowMs);
    if (hit) return { ok: true, value: hit };
    const failed = failures.get(key, nowMs);
    if (failed) return { ok: false, failure: failed };
    let pending = inFlight.get(key); // concurrent deliveries share one download
    if (!pending) {
      if (inFlight.size >= MAX_CONCURRENT_FETCHES) return { ok: false, failure: verificationFailure('cert_fetch_failed', 'too many certificate downloads in progress') };
      pending = loadCertificate(url).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const result = await pending;
    const storedAt = now().getTime();
    if (result.ok) cache.set(key, result.value, ttlMs, storedAt);
    else failures.set(key, result.failure, Math.min(ttlMs, FAILURE_CACHE_TTL_MS), storedAt);
    return result;
  };

  const run = async (headers: Record<string, string | string[] | undefined>, rawBody: Buffer): Promise<VerificationResult> => {
    const pre = checkTransmission(headers, now(), maxAheadMs, maxBehindMs);
    if (!pre.ok) return pre;
    const t = pre.value;
    const url = checkCertUrl(t.certUrl, allowedHosts);
    if (!url.ok) return url;
    const cert = await certificateFor(url.value);
    if (!cert.ok) return cert;
    const expired = checkChainValidity(cert.value.chains, now().getTime());
    if (expired) return { ok: false, failure: expired };
    const message = webhookSignedMessage({ transmissionId: t.transmissionId, transmissionTime: t.transmissionTime, webhookId: opts.webhookId, rawBody });
    if (!verifyRsaSha256(cert.value.publicKey, message, t.transmissionSig)) {
      return { ok: false, failure: verificationFailure('signature_invalid', 'signature does not match the body, transmission id/time and webhook id') };
    }
    return { ok: true };
  };

  return neverThrowing(run);
}
