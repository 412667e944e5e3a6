// Offline verification of PayPal webhooks, PayPal's preferred method: the PAYPAL-* headers, the replay window, the
// cert URL allow-list (before any network access), the certificate (cert-chain.ts, cached per URL) and the RSA
// signature over the raw bytes. verify() answers every problem with a typed failure (verification-failure.ts),
// never with an exception.
import { constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { DEFAULT_CERT_CACHE_MAX_ENTRIES, DEFAULT_CERT_CACHE_TTL_MS, TtlLruCache } from './cert-cache';
import { DEFAULT_CA_ISSUER_HOSTS, caIssuerUrl, fetchIssuerPem } from './ca-issuer';
import { checkChainValidity, checkLeafSubject, createTrustStore, parseCertificatePem, validateCertificatePem, type ValidatedCertificate } from './cert-chain';
import { CertFetchError, fetchCertificatePem } from './cert-fetch';
import { webhookSignedMessage } from './signed-message';
import { verificationFailure, type Check, type VerificationFailure } from './verification-failure';
import { readWebhookHeaders, type WebhookTransmission } from './webhook-headers';

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
  /** Extra trust anchors (PAYPAL_CA_FILE, the simulator's CA, tests) on top of Node's root store and the shipped DigiCert root. */
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
   * CA hosts whose "CA Issuers" addresses may be fetched when the served certificate's issuer is neither served nor
   * shipped (host[:port]; default {@link DEFAULT_CA_ISSUER_HOSTS}; empty: never).
   */
  caIssuerHosts?: readonly string[];
  /** Issuer certificate download, returning PEM; default {@link fetchIssuerPem}. */
  fetchIssuer?: (url: URL) => Promise<string>;
  /**
   * Deadline (headers and body) for the default guarded download; default 5 s (`DEFAULT_CERT_FETCH_TIMEOUT_MS`).
   * Ignored when `fetchCert` is given. Lets tests exercise a stalled cert server without waiting 5 s.
   */
  certFetchTimeoutMs?: number;
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
// A failed lookup is remembered only briefly: it dampens repeated fetches of one bad URL, while a PayPal-side
// blip heals on the next delivery attempt.
const FAILURE_CACHE_TTL_MS = 10_000;
// Distinct cert URLs downloaded at once; forged headers with many random (allowed-host) URLs must not fan out.
const MAX_CONCURRENT_FETCHES = 4;
const CERT_PATH = /^\/v1\/notifications\/certs\/[A-Za-z0-9._-]+$/;
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

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

/** RSASSA-PKCS1-v1_5 + SHA-256 check of `message` against a base64 signature; false for malformed input. */
export function verifyRsaSha256(key: KeyObject, message: string, signatureBase64: string): boolean {
  if (!BASE64.test(signatureBase64) || signatureBase64.length > 4096) return false;
  try {
    return cryptoVerify('sha256', Buffer.from(message, 'utf8'), { key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
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
  const caIssuerHosts = opts.caIssuerHosts ?? DEFAULT_CA_ISSUER_HOSTS;
  const fetchIssuer = opts.fetchIssuer ?? ((url: URL) => fetchIssuerPem(url, { timeoutMs: opts.certFetchTimeoutMs }));
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
    const served = validateCertificatePem(pem, trust, expectedSubject);
    return served.ok || served.failure.code !== 'cert_untrusted' ? served : withFetchedIssuer(pem, served);
  };

  /**
   * PayPal's cert URL may serve the leaf alone: when its issuer is neither served nor shipped, and the leaf is
   * PayPal's, fetch the issuer from the leaf's CA Issuers address (allowed CA hosts only) and build the chain again.
   * The fetched certificate adds no trust: the chain must still end at a trusted root.
   */
  const withFetchedIssuer = async (pem: string, untrusted: Check<ValidatedCertificate>): Promise<Check<ValidatedCertificate>> => {
    const parsed = parseCertificatePem(pem);
    const leaf = parsed.ok ? parsed.value[0] : undefined;
    const url = leaf && !checkLeafSubject(leaf, expectedSubject) ? caIssuerUrl(leaf, caIssuerHosts) : undefined;
    if (!url) return untrusted;
    let issuerPem: string;
    try {
      issuerPem = await fetchIssuer(url);
    } catch (err) {
      return { ok: false, failure: verificationFailure('cert_fetch_failed', `could not fetch the certificate's issuer: ${err instanceof Error ? err.message : String(err)}`) };
    }
    return validateCertificatePem(`${pem}\n${issuerPem}`, trust, expectedSubject);
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
