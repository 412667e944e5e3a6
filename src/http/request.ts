import { request, type Dispatcher } from 'undici';

/**
 * Outbound HTTP for the hot paths (PayPal's API, the merchant's service, the simulator's webhook deliveries).
 *
 * undici's `request` rather than the global `fetch`: Node 20's `fetch` is the same undici behind WHATWG streams,
 * AbortSignal.timeout and Response objects, and costs ~0.9 ms CPU per small loopback POST against ~0.12 ms here
 * (`npm run bench http`). Every order makes several such calls, so it was a visible share of a worker's CPU.
 */

/** One request's settings. */
export interface HttpRequestOptions {
  method: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Deadline for the whole exchange: connect, answer and body. */
  timeoutMs: number;
  /** Aborts the request early (e.g. an activity's cancellation signal). */
  signal?: AbortSignal;
  /** Body bytes kept; past them reading stops (the connection is dropped) and `truncated` is set. Default 1 MiB. */
  maxBodyBytes?: number;
}

/** A complete answer: status, headers and the body as UTF-8 text. */
export interface HttpResponse {
  status: number;
  /** The status is 2xx. */
  ok: boolean;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** True when the body was longer than `maxBodyBytes`. */
  truncated: boolean;
}

/** Why no answer came: the deadline passed, the caller aborted, or the network failed (refused, reset, DNS). */
export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';
  constructor(
    message: string,
    readonly reason: 'timeout' | 'aborted' | 'network',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Sends one request and reads its whole (bounded) body; throws {@link HttpRequestError} when there is no answer. */
export async function httpRequest(url: string, opts: HttpRequestOptions): Promise<HttpResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`no complete answer within ${opts.timeoutMs} ms`));
  }, opts.timeoutMs);
  const onAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await request(url, { method: opts.method, headers: opts.headers, body: opts.body, signal: controller.signal });
    const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (kept + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - kept));
        truncated = true;
        break; // leaving the loop destroys the body stream: an endless answer cannot hold us until the deadline
      }
      chunks.push(chunk);
      kept += chunk.length;
    }
    const status = res.statusCode;
    return { status, ok: status >= 200 && status < 300, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), truncated };
  } catch (err) {
    // Messages leave the URL out: a merchant's endpoint may carry a token in its query string.
    if (timedOut) throw new HttpRequestError(`no complete answer within ${opts.timeoutMs} ms`, 'timeout', { cause: err });
    if (controller.signal.aborted) throw new HttpRequestError('request aborted', 'aborted', { cause: err });
    const { message, code } = err as { message?: string; code?: string };
    throw new HttpRequestError(`${message ?? String(err)}${code && !message?.includes(code) ? ` (${code})` : ''}`, 'network', { cause: err });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
