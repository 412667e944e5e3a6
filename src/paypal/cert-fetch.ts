/**
 * Guarded download of PayPal's message-verification certificate.
 *
 * The URL comes from a request header, so even after the verifier's allow-list check this fetch assumes a hostile
 * or broken peer: no redirects (an allowed host must not bounce us elsewhere), a deadline for the whole exchange
 * (headers and body, so a slow-drip body cannot pin a request), a byte cap enforced while streaming (not after
 * buffering), and a plausibility check that the answer is a PEM certificate.
 */

/** Default deadline for the whole fetch, headers and body: 5 s. */
export const DEFAULT_CERT_FETCH_TIMEOUT_MS = 5000;
/** Default cap on the response body: 64 KiB (a PayPal leaf plus a chain is ~2-6 KiB). */
export const DEFAULT_CERT_FETCH_MAX_BYTES = 64 * 1024;

/** Why a certificate fetch failed; callers map every kind to a retryable 503. */
export type CertFetchErrorKind = 'redirect' | 'http_status' | 'timeout' | 'too_large' | 'not_pem' | 'network';

/** A failed certificate download, with a machine-readable kind and a message naming the URL. */
export class CertFetchError extends Error {
  override readonly name = 'CertFetchError';
  /**
   * @param kind what went wrong
   * @param url the certificate URL that was requested
   */
  constructor(
    readonly kind: CertFetchErrorKind,
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (${url})`, options);
  }
}

/** Limits for {@link fetchCertificatePem}. */
export interface CertFetchOptions {
  /** Deadline for the whole request including the body; default {@link DEFAULT_CERT_FETCH_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Maximum body size in bytes; default {@link DEFAULT_CERT_FETCH_MAX_BYTES}. */
  maxBytes?: number;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * GETs `url` and returns the body as text if it is a PEM certificate (or chain). Does not decide whether the URL
 * is allowed: the verifier checks that before calling. Throws {@link CertFetchError} on any failure.
 */
export async function fetchCertificatePem(url: URL, opts: CertFetchOptions = {}): Promise<string> {
  const body = await fetchCertificateBytes(url, 'application/x-pem-file, text/plain;q=0.9, */*;q=0.1', opts);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new CertFetchError('not_pem', 'certificate response is not UTF-8 text', url.href);
  }
  if (!PEM_CERT.test(text)) throw new CertFetchError('not_pem', 'certificate response contains no PEM CERTIFICATE block', url.href);
  return text;
}

/**
 * The guarded GET behind {@link fetchCertificatePem}, returning the body's bytes (a CA's issuer certificate is DER).
 * Throws {@link CertFetchError} on any failure.
 */
export async function fetchCertificateBytes(url: URL, accept: string, opts: CertFetchOptions = {}): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CERT_FETCH_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_CERT_FETCH_MAX_BYTES;
  const href = url.href;
  // One signal for the whole exchange: undici also aborts the body stream with it, so a stalled body read ends.
  const signal = AbortSignal.timeout(timeoutMs);

  let res: Response;
  try {
    res = await fetch(href, {
      method: 'GET',
      redirect: 'manual',
      signal,
      headers: { accept },
    });
  } catch (err) {
    throw toFetchError(err, signal, href, timeoutMs);
  }

  if (res.status >= 300 && res.status < 400) {
    await discard(res);
    throw new CertFetchError('redirect', `redirect refused: certificate URL answered ${res.status}`, href);
  }
  if (res.status !== 200) {
    await discard(res);
    throw new CertFetchError('http_status', `certificate URL answered HTTP ${res.status}, expected 200`, href);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discard(res);
    throw new CertFetchError('too_large', `certificate response declares ${declared} bytes, limit is ${maxBytes}`, href);
  }

  return readCapped(res, maxBytes, signal, href, timeoutMs);
}

/** Reads the body chunk by chunk, cancelling the stream as soon as the byte cap is exceeded. */
async function readCapped(res: Response, maxBytes: number, signal: AbortSignal, href: string, timeoutMs: number): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new CertFetchError('too_large', `certificate response exceeds ${maxBytes} bytes`, href);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof CertFetchError) throw err;
    await reader.cancel().catch(() => undefined);
    throw toFetchError(err, signal, href, timeoutMs);
  }
  return Buffer.concat(chunks, total);
}

async function discard(res: Response): Promise<void> {
  // Release the connection without reading an unbounded body.
  await res.body?.cancel().catch(() => undefined);
}

function toFetchError(err: unknown, signal: AbortSignal, href: string, timeoutMs: number): CertFetchError {
  if (signal.aborted) return new CertFetchError('timeout', `certificate fetch exceeded ${timeoutMs} ms`, href, { cause: err });
  const detail = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  return new CertFetchError('network', `certificate fetch failed: ${detail}`, href, { cause: err });
}
