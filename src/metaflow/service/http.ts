/**
 * GETs against the metadata service: one keep-alive pool, a cap on requests in flight,
 * retries with back-off, and failures turned into the typed errors of `../errors`.
 * Credentials (the base URL's user info, `x-api-key`, extra headers) go into requests only:
 * no message, error or log line built here ever contains them.
 */
import { Pool } from 'undici';
import { BackendDataError, BackendTimeoutError, BackendUnavailableError, MetaflowError } from '../errors';

export interface ServiceOptions {
  /** METAFLOW_SERVICE_URL; a path prefix in it is kept, user info in it becomes basic auth. */
  url: string;
  /** METAFLOW_SERVICE_AUTH_KEY, sent as `x-api-key`. */
  authKey?: string | null;
  /** METAFLOW_SERVICE_HEADERS (the parsed JSON object), sent with every request. */
  headers?: Record<string, string>;
  /** Default 2000. */
  connectTimeoutMs?: number;
  /** Headers and body of one try; default 10000. */
  requestTimeoutMs?: number;
  /** Cap on requests in flight; default 16. */
  maxConcurrent?: number;
  /** Tries in all, like Metaflow's METAFLOW_SERVICE_RETRY_COUNT; default 5. */
  retries?: number;
  /** First back-off delay, doubled per retry; default 250. */
  retryBaseDelayMs?: number;
}

export interface HttpAnswer {
  status: number;
  /** Lower-case names, as undici gives them. */
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface ServiceHttp {
  /** The base URL fit to show: no user info, no query. */
  readonly location: string;
  /** Any answer below 500 but refusals (401, 403, 429); 5xx and network failures are retried, then thrown. */
  get(pathAndQuery: string): Promise<HttpAnswer>;
  requestCount(): number;
  close(): Promise<void>;
}

/** A failed try, classified once so that retrying and the final message agree. */
type Failure =
  | { kind: 'unreachable'; reason: string; retry: boolean }
  | { kind: 'timeout'; retry: true }
  | { kind: 'status'; status: number; retry: boolean };

/** Network errors worth another try: the service restarting, a proxy dropping idle sockets, a DNS blip. */
const RETRYABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EAI_AGAIN: 'name lookup failed',
};

/** A wrong host name: another try will not fix it (nor TLS failures, which `classify` leaves unretried). */
const PERMANENT_CODES: Record<string, string> = {
  ENOTFOUND: 'unknown host name',
};

/**
 * 500 is retried too: for a GET it is safe, and the service answers 500 mostly when its
 * database connection fails (pool exhausted, failover), which passes within seconds.
 */
const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);

/** A gateway turning us away (key, token, rate limit): like 4xx, not retried, but said plainly. */
const REFUSALS = new Set([401, 403, 429]);

export function createServiceHttp(opts: ServiceOptions): ServiceHttp {
  const base = parseBaseUrl(opts.url);
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  const maxConcurrent = Math.max(1, opts.maxConcurrent ?? 16);
  const tries = Math.max(1, opts.retries ?? 5);
  const baseDelayMs = opts.retryBaseDelayMs ?? 250;
  const headers = requestHeaders(opts, base.basicAuth);
  const pool = new Pool(base.origin, {
    connections: maxConcurrent,
    connect: { timeout: opts.connectTimeoutMs ?? 2000 },
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
    keepAliveTimeout: 30_000,
  });
  // The pool caps sockets; the slots cap requests, so a queued request's timer only starts
  // once it is sent and a back-off sleep does not hold a slot.
  const slots = new Slots(maxConcurrent);
  let requests = 0;

  async function tryOnce(path: string): Promise<HttpAnswer | Failure> {
    await slots.acquire();
    const signal = AbortSignal.timeout(requestTimeoutMs);
    try {
      requests += 1;
      const res = await pool.request({ path, method: 'GET', headers, signal });
      const text = await res.body.text();
      if (RETRYABLE_STATUSES.has(res.statusCode)) return { kind: 'status', status: res.statusCode, retry: true };
      if (res.statusCode >= 500 || REFUSALS.has(res.statusCode)) {
        return { kind: 'status', status: res.statusCode, retry: false };
      }
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      return classify(err, signal);
    } finally {
      slots.release();
    }
  }

  async function get(pathAndQuery: string): Promise<HttpAnswer> {
    const path = base.prefix + pathAndQuery;
    for (let attempt = 1; ; attempt++) {
      const outcome = await tryOnce(path);
      if (!('kind' in outcome)) return outcome;
      if (!outcome.retry || attempt >= tries) throw failureError(outcome, base.location, pathAndQuery, requestTimeoutMs);
      await sleep(backoffMs(baseDelayMs, attempt));
    }
  }

  return {
    location: base.location,
    get,
    requestCount: () => requests,
    close: () => pool.close(),
  };
}

/** Parses a body that should be JSON whatever its content type says (the service says text/plain). */
export function parseJson(answer: HttpAnswer, endpoint: string): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    throw new BackendDataError(`The Metaflow metadata service answered GET ${endpoint} with something that is not JSON.`);
  }
}

export function header(answer: HttpAnswer, name: string): string | null {
  const value = answer.headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

interface BaseUrl {
  origin: string;
  /** Path prefix without trailing slash (`/api/metadata`), or ''. */
  prefix: string;
  location: string;
  basicAuth: string | null;
}

function parseBaseUrl(url: string): BaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MetaflowError('METAFLOW_SERVICE_URL is not a valid URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MetaflowError('METAFLOW_SERVICE_URL must start with http:// or https://.');
  }
  const prefix = parsed.pathname.replace(/\/+$/, '');
  // Like Python's requests, user info in the URL means basic auth.
  const basicAuth =
    parsed.username || parsed.password
      ? Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')
      : null;
  return { origin: parsed.origin, prefix, location: parsed.origin + prefix, basicAuth };
}

function requestHeaders(opts: ServiceOptions, basicAuth: string | null): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'metaflowbot' };
  if (basicAuth) headers.authorization = `Basic ${basicAuth}`;
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = value;
  // Metaflow's client sets the key after the configured headers, so the key wins.
  if (opts.authKey) headers['x-api-key'] = opts.authKey;
  return headers;
}

function classify(err: unknown, signal: AbortSignal): Failure {
  if (signal.aborted) return { kind: 'timeout', retry: true };
  const code = errorCode(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'timeout', retry: true };
  if (code && code in RETRYABLE_CODES) return { kind: 'unreachable', reason: RETRYABLE_CODES[code], retry: true };
  if (code && code in PERMANENT_CODES) return { kind: 'unreachable', reason: PERMANENT_CODES[code], retry: false };
  // TLS and other socket failures: name the code only, the error message may quote the URL.
  return { kind: 'unreachable', reason: code ? `network error ${code}` : 'network error', retry: false };
}

/** Node puts the code on the error, on its cause, or (happy eyeballs) on each of an AggregateError's errors. */
function errorCode(err: unknown): string | null {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | null;
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' ? code : null;
}

function failureError(failure: Failure, location: string, endpoint: string, timeoutMs: number): MetaflowError {
  switch (failure.kind) {
    case 'timeout':
      return new BackendTimeoutError(
        `The Metaflow metadata service at ${location} did not answer GET ${endpoint} within ${formatSeconds(timeoutMs)}.`,
      );
    case 'unreachable':
      return new BackendUnavailableError(`The Metaflow metadata service at ${location} is not reachable (${failure.reason}).`);
    case 'status':
      if (failure.status === 429) {
        return new BackendUnavailableError(`The Metaflow metadata service at ${location} is limiting requests (HTTP 429); try again shortly.`);
      }
      if (REFUSALS.has(failure.status)) {
        return new BackendUnavailableError(
          `The Metaflow metadata service at ${location} refused access (HTTP ${failure.status}); check METAFLOW_SERVICE_AUTH_KEY and METAFLOW_SERVICE_HEADERS.`,
        );
      }
      return new BackendUnavailableError(
        `The Metaflow metadata service at ${location} failed to answer GET ${endpoint} (HTTP ${failure.status}).`,
      );
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Doubling delays with jitter, so that the callers that failed together do not retry together. */
function backoffMs(baseMs: number, attempt: number): number {
  const ceiling = baseMs * 2 ** (attempt - 1);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}
