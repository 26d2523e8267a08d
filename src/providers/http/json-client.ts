import { setTimeout as sleep } from 'node:timers/promises';
import { scrub } from '../openai/errors.ts';
import { ProviderError } from '../types.ts';

/**
 * A small JSON-over-HTTPS client for the providers without an SDK we use (Together AI, Fireworks
 * AI): bearer auth, a timeout per request, retries of what is safe to retry with jittered
 * exponential backoff that honours Retry-After, and every failure as an HttpFailure that the
 * provider's own mapping turns into a ProviderError. One policy for both, instead of two.
 */

export interface JsonClientOptions {
  /** The provider's name in messages: "Together AI". */
  label: string;
  baseURL: string;
  apiKey: string;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch;
  /** Retries of a failed idempotent request (429, 5xx, network); default 2. */
  maxRetries?: number;
  /** Per request, in milliseconds; default 60 s (uploads set their own). */
  timeoutMs?: number;
  /** The first backoff step; default 500 ms, doubled each try, with full jitter. */
  retryBaseMs?: number;
  /** The longest wait between tries, Retry-After included; default 30 s. */
  maxRetryWaitMs?: number;
  /** For tests: how a wait happens. */
  wait?: (ms: number) => Promise<void>;
}

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Relative to baseURL, with its leading slash. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** A multipart body (uploads); sent as it is. */
  form?: FormData;
  /** Raw bytes (a signed upload URL); with `url` to leave baseURL and the bearer out. */
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** An absolute URL (signed upload links); the API key is then not sent. */
  url?: string;
  /**
   * Whether a failed try may be sent again. Default: GET and DELETE only. A create is never
   * retried here: a lost answer could start the job twice, and the caller's start finds it first.
   */
  retry?: boolean;
  timeoutMs?: number;
}

/** A request the provider answered with an error status, or one that got no answer. */
export class HttpFailure extends Error {
  override name = 'HttpFailure';
  /** 0: no answer (network, timeout). */
  readonly status: number;
  /** The provider's error message and code, when the body said; already scrubbed of secrets. */
  readonly detail: string;
  readonly code?: string;
  readonly retryAfterMs?: number;
  readonly requestId?: string;
  readonly timedOut: boolean;

  constructor(o: {
    status: number;
    detail: string;
    code?: string;
    retryAfterMs?: number;
    requestId?: string;
    timedOut?: boolean;
  }) {
    super(o.status === 0 ? o.detail : `HTTP ${o.status}: ${o.detail}`);
    this.status = o.status;
    this.detail = o.detail;
    this.timedOut = o.timedOut ?? false;
    if (o.code !== undefined) this.code = o.code;
    if (o.retryAfterMs !== undefined) this.retryAfterMs = o.retryAfterMs;
    if (o.requestId !== undefined) this.requestId = o.requestId;
  }
}

export interface JsonClient {
  readonly label: string;
  readonly baseURL: string;
  request<T>(req: JsonRequest): Promise<T>;
  /**
   * The answer itself, redirects not followed (an upload that answers 302 with a signed URL); an
   * error status still throws an HttpFailure. Never retried: the callers are one-off steps.
   */
  respond(req: JsonRequest): Promise<Response>;
  /** The credential in use, for scrubbing what the caller shows. */
  secrets(): string[];
}

// 409 is left out: a conflict says something about the request, and callers act on it.
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

export function createJsonClient(o: JsonClientOptions): JsonClient {
  const doFetch = o.fetch ?? fetch;
  const maxRetries = o.maxRetries ?? 2;
  const base = o.baseURL.replace(/\/+$/, '');
  const wait = o.wait ?? ((ms: number) => sleep(ms));
  const secrets = () => [o.apiKey];

  async function once(req: JsonRequest, redirect: RequestInit['redirect'] = 'follow'): Promise<Response> {
    const url = req.url ?? withQuery(`${base}${req.path}`, req.query);
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (!req.url) headers.authorization = `Bearer ${o.apiKey}`;
    let body: RequestInit['body'] | undefined = req.body;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form) {
      body = req.form;
    }
    const timeoutMs = req.timeoutMs ?? o.timeoutMs ?? 60_000;
    try {
      return await doFetch(url, {
        method: req.method,
        headers,
        redirect,
        ...(body !== undefined ? { body } : {}),
        // Streams need half-duplex in Node's fetch.
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      } as RequestInit);
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError';
      throw new HttpFailure({
        status: 0,
        detail: timedOut ? `${o.label} did not answer in time.` : `Could not reach ${o.label}.`,
        timedOut,
      });
    }
  }

  return {
    label: o.label,
    baseURL: base,
    secrets,
    async respond(req: JsonRequest): Promise<Response> {
      const res = await once(req, 'manual');
      if (res.status >= 400) throw await failureOf(res, secrets());
      return res;
    },
    async request<T>(req: JsonRequest): Promise<T> {
      const retry = req.retry ?? (req.method === 'GET' || req.method === 'DELETE');
      for (let attempt = 0; ; attempt++) {
        let failure: HttpFailure;
        try {
          const res = await once(req);
          if (res.ok) return (await readJson(res)) as T;
          failure = await failureOf(res, secrets());
        } catch (error) {
          if (!(error instanceof HttpFailure)) throw error;
          failure = error;
        }
        const capMs = o.maxRetryWaitMs ?? 30_000;
        // A provider that asks for a longer wait than we would hold a request for gets it: the
        // error carries Retry-After to the caller instead of a try it said would fail.
        const again =
          retry &&
          attempt < maxRetries &&
          (failure.status === 0 || RETRYABLE.has(failure.status)) &&
          (failure.retryAfterMs ?? 0) <= capMs;
        if (!again) throw failure;
        await wait(backoffMs(attempt, failure.retryAfterMs, o.retryBaseMs ?? 500, capMs));
      }
    },
  };
}

/** Full jitter on an exponential step; a Retry-After the provider sent is the floor. */
export function backoffMs(attempt: number, retryAfterMs: number | undefined, baseMs: number, capMs: number): number {
  const step = Math.min(capMs, baseMs * 2 ** attempt);
  const jittered = Math.random() * step;
  return Math.min(capMs, Math.max(jittered, retryAfterMs ?? 0));
}

function withQuery(url: string, query: JsonRequest['query']): string {
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${url}?${text}` : url;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpFailure({ status: res.status, detail: 'The answer was not JSON.' });
  }
}

async function failureOf(res: Response, secrets: string[]): Promise<HttpFailure> {
  const text = await res.text().catch(() => '');
  let detail = res.statusText || `status ${res.status}`;
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const error = (typeof body.error === 'object' && body.error !== null ? body.error : body) as Record<
      string,
      unknown
    >;
    const message = error.message ?? body.message ?? (typeof body.error === 'string' ? body.error : undefined);
    if (typeof message === 'string' && message.trim() !== '') detail = message.trim();
    const c = error.code ?? error.type ?? body.code;
    if (typeof c === 'string' || typeof c === 'number') code = String(c);
  } catch {
    // Not JSON (a proxy's HTML page): the status line is all we say.
  }
  const retryAfterMs = retryAfter(res.headers);
  const requestId = res.headers.get('x-request-id') ?? res.headers.get('request-id') ?? undefined;
  return new HttpFailure({
    status: res.status,
    detail: scrub(detail, secrets).slice(0, 500),
    ...(code !== undefined ? { code } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(requestId ? { requestId } : {}),
  });
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfter(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.max(ms, 0) : undefined;
}

/** What a hosted provider's failure means to the person, with its own hints where they differ. */
export interface FailureHints {
  auth: string;
  permission: string;
  quota: string;
  notFound?: string;
}

/**
 * An HttpFailure as a ProviderError: the category decides what the person can do (fix the key, pay,
 * wait, change the request). Anything else passes through unchanged.
 */
export function toHostedError(error: unknown, label: string, hints: FailureHints): unknown {
  if (!(error instanceof HttpFailure)) return error;
  const meta = {
    status: error.status,
    ...(error.requestId ? { requestId: error.requestId } : {}),
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  };
  const said = error.detail;
  if (error.status === 0) {
    return new ProviderError('network', said, {
      hint: 'Try again in a minute; if it keeps happening, check the network between the bot and the provider.',
      retryable: true,
    });
  }
  if (error.status === 401)
    return new ProviderError('auth', `${label} refused the API key: ${said}`, { hint: hints.auth, ...meta });
  if (error.status === 402)
    return new ProviderError('quota', `${label} refused for billing: ${said}`, { hint: hints.quota, ...meta });
  if (error.status === 403) {
    return new ProviderError('permission', `${label} does not allow this: ${said}`, {
      hint: hints.permission,
      ...meta,
    });
  }
  if (error.status === 404) {
    return new ProviderError('not_found', `${label} found no such thing: ${said}`, {
      hint: hints.notFound ?? 'Check the id; it may have been deleted.',
      ...meta,
    });
  }
  if (error.status === 429) {
    const wait =
      error.retryAfterMs !== undefined ? ` ${label} asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s.` : '';
    return new ProviderError('rate_limit', `${label} is rate-limiting the bot.${wait}`, {
      hint: 'Wait a little and try again; the bot already retried its reads.',
      retryable: true,
      ...meta,
    });
  }
  if (error.status >= 500) {
    return new ProviderError('unavailable', `${label} had a problem on its side (HTTP ${error.status}): ${said}`, {
      hint: 'Try again in a few minutes; the provider’s status page says whether it is down.',
      retryable: true,
      ...meta,
    });
  }
  return new ProviderError('invalid_request', `${label} refused the request: ${said}`, {
    hint: 'Check the settings in the form against what the provider allows for this model.',
    ...meta,
  });
}
