import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import got, { type Method, RequestError } from 'got';
import { WechatApiError, WechatHttpError, WechatNetworkError } from './errors.js';
import { type Platform, RETRYABLE_ERRCODES } from './hints.js';
import type { MultipartBody } from '../media/multipart.js';
import type { Redactor } from './redact.js';
import { ambiguityAdvice, neverReachedServer, type RetryPolicy, retryPolicyFor } from './retry-policy.js';

/** Receives log lines; every line is redacted before it gets here. */
export interface Logger {
  debug?(line: string): void;
  warn?(line: string): void;
}

/** Counters a client exposes through `stats()`; tests assert bounded retries and single-flight token fetches. */
export interface ClientStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests repeated after a network error, HTTP 5xx, errcode -1 or 45011. */
  retries: number;
  /** Token fetches from WeChat or the token provider (initial + refreshes). */
  tokenFetches: number;
  /** Calls repeated after 40001/40014/42001 with a refreshed token (at most `TOKEN_REPLACEMENTS` = 6 per call). */
  tokenRetries: number;
}

export interface TransportOptions {
  baseUrl: string;
  platform: Platform;
  redactor: Redactor;
  /** Per-attempt timeout, milliseconds. */
  timeoutMs: number;
  /** Extra attempts after the first for retryable failures. */
  retries: number;
  /** First backoff step, milliseconds; doubles each attempt, full jitter, capped at 30 s. */
  retryBaseMs: number;
  logger?: Logger | undefined;
  stats: ClientStats;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path below baseUrl, e.g. `/cgi-bin/draft/add`. */
  path: string;
  query?: Query;
  json?: unknown;
  /** A multipart upload body, streamed afresh for every attempt (see `encodeMultipart`). */
  multipart?: MultipartBody;
  headers?: Record<string, string>;
  /** How failed attempts may be repeated; default `retryPolicyFor(path)` ('create' for draft/add etc.). */
  retry?: RetryPolicy;
  /**
   * Called before an attempt is repeated although the failed one may have reached WeChat (a 'repeatable' call
   * after a drop or timeout), e.g. to count one more use of a quota. Throwing stops the retries with that error.
   */
  onAmbiguousRetry?: () => Promise<void>;
}

export interface JsonResponse {
  kind: 'json';
  status: number;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

export interface BinaryResponse {
  kind: 'binary';
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, not yet read: pipe it somewhere. */
  stream: Readable;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * JSON parsed from the bytes whatever the Content-Type says (WeChat sends JSON as text/plain,
 * https://github.com/doocs/md/pull/1878).
 */
export function sniffJson(buffer: Buffer): Record<string, unknown> | undefined {
  let i = 0;
  while (
    i < buffer.length &&
    (buffer[i] === 0x20 || buffer[i] === 0x0a || buffer[i] === 0x0d || buffer[i] === 0x09)
  )
    i++;
  if (buffer[i] !== 0x7b) return undefined;
  try {
    const value: unknown = JSON.parse(buffer.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** True when the response headers describe a file download rather than a JSON answer. */
function looksBinary(headers: IncomingHttpHeaders): boolean {
  if (headers['content-disposition']) return true;
  const type = String(headers['content-type'] ?? '').toLowerCase();
  if (type === '') return false;
  return !(type.includes('json') || type.startsWith('text/'));
}

/**
 * The HTTP layer under both clients (errcodes:
 * https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html): got with
 * per-attempt timeouts, bounded retries with exponential backoff and full jitter on errcode -1 and 45011
 * (WeChat did not do it), and on network errors and HTTP 5xx as the call's `RetryPolicy` allows: a 'create'
 * call (draft/add, freepublish/submit, add_material, message/send, …) is repeated after a network error only
 * when the request provably never reached WeChat, and never after HTTP 5xx. JSON sniffed from the body;
 * downloads told apart from JSON errors and streamed. Never retries other errcodes.
 */
export class Transport {
  readonly #o: TransportOptions;
  constructor(options: TransportOptions) {
    this.#o = options;
  }

  get platform(): Platform {
    return this.#o.platform;
  }

  /** `path` + `query` as a full URL string. */
  url(path: string, query: Query = {}): string {
    const url = new URL(this.#o.baseUrl.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  log(level: 'debug' | 'warn', line: string): void {
    this.#o.logger?.[level]?.(this.#o.redactor.redact(line));
  }

  redact(text: string): string {
    return this.#o.redactor.redact(text);
  }

  #endpoint(path: string): string {
    return path.replace(/^\//, '');
  }

  async #backoff(attempt: number, why: string, req: HttpRequest): Promise<void> {
    this.#o.stats.retries++;
    const cap = Math.min(30_000, this.#o.retryBaseMs * 2 ** attempt);
    const delay = Math.round(Math.random() * cap);
    this.log(
      'warn',
      `retry ${attempt + 1}/${this.#o.retries} of ${req.method} ${req.path} in ${delay} ms: ${why}`,
    );
    await sleep(delay);
  }

  #gotOptions(req: HttpRequest) {
    return {
      method: req.method as Method,
      headers: {
        'user-agent': 'md2wx-wechat/0.1',
        ...(req.multipart
          ? { 'content-type': req.multipart.contentType, 'content-length': String(req.multipart.length) }
          : {}),
        ...req.headers,
      },
      timeout: { request: this.#o.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      ...(req.json !== undefined ? { json: req.json } : {}),
      ...(req.multipart ? { body: req.multipart.stream() } : {}),
    };
  }

  /**
   * Send `req` and return the parsed JSON object. Throws `WechatApiError` for errcode ≠ 0 (after retrying -1 and
   * 45011), `WechatNetworkError` when every attempt failed on the network, `WechatHttpError` for a non-JSON body.
   */
  async json(req: HttpRequest): Promise<Record<string, unknown>> {
    const res = await this.send(req, false);
    if (res.kind !== 'json') throw new Error('unreachable');
    return res.body;
  }

  /**
   * Send `req`; when `binary` is true a file answer comes back as a stream (`BinaryResponse`) and a JSON answer
   * is parsed (errors thrown as for `json`). Retries happen only before the response body starts.
   */
  async send(req: HttpRequest, binary: boolean): Promise<JsonResponse | BinaryResponse> {
    const endpoint = this.#endpoint(req.path);
    const url = this.url(req.path, req.query);
    const policy = req.retry ?? retryPolicyFor(req.path);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.#o.retries;
      this.#o.stats.requests++;
      const started = Date.now();
      let status: number;
      let headers: IncomingHttpHeaders;
      let buffer: Buffer;
      try {
        if (binary) {
          const stream = got.stream(url, { ...this.#gotOptions(req), isStream: true });
          const response = await new Promise<import('got').Response>((resolve, reject) => {
            stream.once('response', resolve);
            stream.once('error', reject);
          });
          status = response.statusCode;
          headers = response.headers;
          if (status >= 200 && status < 300 && looksBinary(headers)) {
            this.log('debug', `${req.method} ${url} → ${status} binary (${Date.now() - started} ms)`);
            return { kind: 'binary', status, headers, stream };
          }
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          buffer = Buffer.concat(chunks);
        } else {
          const response = await got(url, { ...this.#gotOptions(req), responseType: 'buffer' });
          status = response.statusCode;
          headers = response.headers;
          buffer = response.body;
        }
      } catch (error) {
        const reason =
          error instanceof RequestError ? `${error.code ?? 'error'} ${error.message}` : String(error);
        const unsent = neverReachedServer(error);
        if (!last && (unsent || policy === 'repeatable')) {
          if (!unsent) await req.onAmbiguousRetry?.();
          await this.#backoff(attempt, this.redact(reason), req);
          continue;
        }
        throw new WechatNetworkError(endpoint, attempt + 1, this.redact(reason), {
          ambiguous: !unsent && policy === 'create',
          advice: ambiguityAdvice(req.path),
        });
      }
      this.log('debug', `${req.method} ${url} → ${status} (${Date.now() - started} ms)`);
      const body = sniffJson(buffer);
      if (body && typeof body.errcode === 'number' && body.errcode !== 0) {
        const errcode = body.errcode;
        const errmsg = this.redact(String(body.errmsg ?? ''));
        if (RETRYABLE_ERRCODES.has(errcode) && !last) {
          await this.#backoff(attempt, `errcode ${errcode} ${errmsg}`, req);
          continue;
        }
        throw new WechatApiError({ errcode, errmsg, endpoint, platform: this.#o.platform });
      }
      if (status >= 500 && !last && policy === 'repeatable') {
        await this.#backoff(attempt, `HTTP ${status}`, req);
        continue;
      }
      if (body && status >= 200 && status < 300) return { kind: 'json', status, body, headers };
      if (binary && status >= 200 && status < 300) {
        // A text body that is not JSON (e.g. a .txt file served as text/plain): still a download.
        return { kind: 'binary', status, headers, stream: Readable.from([buffer]) };
      }
      // Redact the whole (bounded) body before cutting it: a token cut in half would escape redaction.
      const snippet = this.#o.redactor.redactAndTruncate(buffer.subarray(0, 65_536).toString('utf8'), 200);
      throw new WechatHttpError(
        endpoint,
        status,
        body ? this.#o.redactor.redactAndTruncate(JSON.stringify(body), 200) : `unexpected body: ${snippet}`,
      );
    }
  }
}
