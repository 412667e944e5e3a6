import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { fetchCertificatePem } from '../paypal/cert-fetch';
import { buildChains, checkChainValidity, checkLeafSubject, commonName, createTrustStore, parseCertificatePem } from '../paypal/cert-chain';
import {
  checkCertUrl,
  checkTransmissionWindow,
  DEFAULT_ALLOWED_CERT_HOSTS,
  DEFAULT_MAX_AHEAD_MS,
  DEFAULT_MAX_BEHIND_MS,
  EXPECTED_CERT_SUBJECT,
  parseTransmissionTime,
  SUPPORTED_AUTH_ALGO,
  verifyRsaSha256,
} from '../paypal/signature';
import { webhookSignedMessage } from '../paypal/signed-message';
import { readWebhookHeaders } from '../paypal/webhook-headers';

/** Arguments of {@link verifyWebhookCommand} (mirrors the CLI flags). */
export interface VerifyWebhookArgs {
  /** JSON object of header → value, or raw `Name: value` lines (an HTTP request/status line is skipped). */
  headersFile: string;
  /** The raw body exactly as received. */
  bodyFile: string;
  webhookId: string;
  /** Use this PEM instead of fetching the cert URL (chain, subject and validity are still checked). */
  certFile?: string;
  /** ISO time to check against (window, validity); default now. */
  at?: string;
  /** Expected certificate subject; default guessed from the cert URL host. */
  environment?: 'live' | 'sandbox' | 'simulator';
  /** Extra trust anchors (PEM files), e.g. the simulator CA. */
  caFile?: string[];
  /** Print one JSON document instead of ✓/✗ lines. */
  json?: boolean;
}

interface CheckLine {
  check: string;
  ok: boolean;
  detail: string;
}

/** Parses a headers file: a JSON object, or `Name: value` lines (repeated names become arrays, as Node would see them). */
export function parseHeadersText(text: string): Record<string, string | string[]> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('headers JSON must be an object');
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(parsed)) out[k] = Array.isArray(v) ? v.map(String) : String(v);
    return out;
  }
  const out: Record<string, string | string[]> = {};
  for (const line of trimmed.split(/\r?\n/)) {
    if (line.trim() === '' || /^(HTTP\/|[A-Z]+ \S+ HTTP\/)/.test(line)) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const prev = out[name];
    out[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}

function loopbackHost(certUrl: string): string {
  return guessEnvironment(certUrl) === 'simulator' ? new URL(certUrl).host : '';
}

function guessEnvironment(certUrl: string): 'live' | 'sandbox' | 'simulator' {
  try {
    const host = new URL(certUrl).hostname;
    if (['127.0.0.1', 'localhost', '[::1]'].includes(host)) return 'simulator';
    return host.includes('sandbox') ? 'sandbox' : 'live';
  } catch {
    return 'live';
  }
}

/**
 * Explains, check by check, whether a captured webhook verifies offline. Exit code 0 verified, 1 not verified,
 * 2 usage or I/O error. Unlike the verifier it keeps going after a failed check, to show everything that is wrong.
 */
export async function verifyWebhookCommand(args: VerifyWebhookArgs, out: (line: string) => void): Promise<number> {
  const lines: CheckLine[] = [];
  const hints: string[] = [];
  const report = (check: string, ok: boolean, detail: string): boolean => {
    lines.push({ check, ok, detail });
    if (args.json !== true) out(`${ok ? '✓' : '✗'} ${check}: ${detail}`);
    return ok;
  };
  const finish = (): number => {
    const verified = lines.every((l) => l.ok);
    if (args.json === true) out(JSON.stringify({ verified, checks: lines, hints }, null, 2));
    else {
      for (const h of hints) out(`hint: ${h}`);
      out(verified ? 'VERIFIED' : 'NOT VERIFIED');
    }
    return verified ? 0 : 1;
  };

  let headers: Record<string, string | string[]>;
  let body: Buffer;
  let certPem: string | undefined;
  let anchors: string[];
  let at: Date;
  try {
    headers = parseHeadersText(await readFile(args.headersFile, 'utf8'));
    body = await readFile(args.bodyFile);
    certPem = args.certFile === undefined ? undefined : await readFile(args.certFile, 'utf8');
    anchors = await Promise.all((args.caFile ?? []).map((f) => readFile(f, 'utf8')));
    at = args.at === undefined ? new Date() : new Date(args.at);
    if (Number.isNaN(at.getTime())) throw new Error(`--at ${JSON.stringify(args.at)} is not a date`);
    if (args.webhookId === '') throw new Error('a webhook id is required');
  } catch (err) {
    out(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }

  const read = readWebhookHeaders(headers);
  if (!read.ok) {
    report('headers', false, `${read.reason.code}: ${read.reason.message}`);
    return finish();
  }
  const t = read.value;
  report('headers', true, 'all five PAYPAL-* headers present once');
  const env = args.environment ?? guessEnvironment(t.certUrl);
  report('algorithm', t.authAlgo === SUPPORTED_AUTH_ALGO, t.authAlgo === SUPPORTED_AUTH_ALGO ? t.authAlgo : `${JSON.stringify(t.authAlgo)} is not ${SUPPORTED_AUTH_ALGO}`);

  const sentAt = parseTransmissionTime(t.transmissionTime);
  if (!sentAt) report('time window', false, `${JSON.stringify(t.transmissionTime)} is not an ISO 8601 timestamp`);
  else {
    const w = checkTransmissionWindow(sentAt, at, DEFAULT_MAX_AHEAD_MS, DEFAULT_MAX_BEHIND_MS);
    report('time window', !w, w ? w.message : `${t.transmissionTime} is within the window at ${at.toISOString()}`);
  }

  // The simulator has no fixed host: accept the cert URL's own host when it is loopback (checkCertUrl re-checks).
  const hosts = env === 'simulator' ? [loopbackHost(t.certUrl)] : DEFAULT_ALLOWED_CERT_HOSTS[env];
  const url = checkCertUrl(t.certUrl, hosts);
  report('cert url', url.ok, url.ok ? `${url.value.href} (${env})` : url.failure.message);

  if (certPem === undefined) {
    if (!url.ok) {
      report('certificate', false, 'not fetched because the cert URL is not allowed; pass --cert <pem> to check the rest');
      return finish();
    }
    try {
      certPem = await fetchCertificatePem(url.value);
      report('certificate', true, `fetched from ${url.value.href}`);
    } catch (err) {
      report('certificate', false, err instanceof Error ? err.message : String(err));
      return finish();
    }
  } else report('certificate', true, `read from ${args.certFile ?? ''} (not fetched)`);

  const parsed = parseCertificatePem(certPem);
  const leaf = parsed.ok ? parsed.value[0] : undefined;
  if (!parsed.ok || !leaf) {
    report('certificate parse', false, parsed.ok ? 'empty' : parsed.failure.message);
    return finish();
  }
  let trust;
  try {
    trust = createTrustStore(anchors);
  } catch (err) {
    out(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const chains = buildChains(parsed.value, trust);
  const chainText = chains[0]?.certs.map((c) => commonName(c) ?? c.subject).join(' → ');
  report('chain', chains.length > 0, chainText ?? `no chain from "${commonName(leaf) ?? ''}" (issuer "${leaf.issuer.replace(/\n/g, ', ')}") to a trusted root`);
  const subject = checkLeafSubject(leaf, EXPECTED_CERT_SUBJECT[env]);
  report('subject', !subject, subject ? subject.message : `${EXPECTED_CERT_SUBJECT[env]}`);

  // Without a chain, validity is still worth showing for the leaf alone.
  const validityChains = chains.length > 0 ? chains : [{ certs: [leaf], validFromMs: Date.parse(leaf.validFrom), validToMs: Date.parse(leaf.validTo) }];
  const expired = checkChainValidity(validityChains, at.getTime());
  report('validity', !expired, expired ? expired.message : `valid at ${at.toISOString()} (leaf ${leaf.validFrom} – ${leaf.validTo})`);
  if (expired && sentAt && !checkChainValidity(validityChains, sentAt.getTime())) {
    hints.push(`the certificate was valid at the transmission time; rerun with --at ${t.transmissionTime} to check the delivery as it arrived`);
  }

  report('body crc32', true, `${crc32(body) >>> 0} over ${body.length} bytes`);
  const message = webhookSignedMessage({ transmissionId: t.transmissionId, transmissionTime: t.transmissionTime, webhookId: args.webhookId, rawBody: body });
  report('signed message', true, message);
  const sigOk = verifyRsaSha256(leaf.publicKey, message, t.transmissionSig);
  report('signature', sigOk, sigOk ? 'SHA256withRSA signature matches' : 'does not match (wrong webhook id, altered body/headers, or a different certificate)');
  return finish();
}
