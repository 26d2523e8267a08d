import {
  createJsonClient,
  type FailureHints,
  HttpFailure,
  type JsonClient,
  toHostedError,
} from '../http/json-client.ts';
import { scrub } from '../openai/errors.ts';
import { ProviderError } from '../types.ts';
import { type Names, namesFor } from './names.ts';

/**
 * Everything the adapter's parts share: the JSON client over Fireworks' REST API (bearer auth,
 * retries of reads, Retry-After), the account's resource names, and the plain fetch for signed
 * URLs, which must never carry the API key.
 */
export interface FireworksContext {
  http: JsonClient;
  names: Names;
  /** For signed URLs (dataset uploads, the metrics file): no Authorization header, ever. */
  fetch: typeof fetch;
  /** Signed URLs must be https unless the API itself is reached over http (a local stand-in). */
  requireHttps: boolean;
  secrets(): string[];
}

export const LABEL = 'Fireworks AI';

export interface ContextOptions {
  apiKey: string;
  accountId: string;
  baseURL?: string;
  fetch?: typeof fetch;
  maxRetries?: number;
  retryBaseMs?: number;
  maxRetryWaitMs?: number;
}

export const DEFAULT_BASE_URL = 'https://api.fireworks.ai';

export function createContext(o: ContextOptions): FireworksContext {
  const baseURL = (o.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const http = createJsonClient({
    label: LABEL,
    baseURL,
    apiKey: o.apiKey,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.maxRetries !== undefined ? { maxRetries: o.maxRetries } : {}),
    ...(o.retryBaseMs !== undefined ? { retryBaseMs: o.retryBaseMs } : {}),
    ...(o.maxRetryWaitMs !== undefined ? { maxRetryWaitMs: o.maxRetryWaitMs } : {}),
  });
  return {
    http,
    names: namesFor(o.accountId),
    fetch: o.fetch ?? fetch,
    requireHttps: baseURL.startsWith('https:'),
    secrets: () => [o.apiKey],
  };
}

/** What a person does about each kind of refusal, in Fireworks' words and our variables. */
export const HINTS: FailureHints = {
  auth: 'Check FIREWORKS_API_KEY: create a key at app.fireworks.ai (Settings → API Keys), set it, and restart the bot.',
  permission:
    'The API key must belong to the account FIREWORKS_ACCOUNT_ID names (the <id> in accounts/<id>); check both in the Fireworks console.',
  quota: 'Add credits or raise the spending limit in Fireworks billing (app.fireworks.ai → Billing), then try again.',
};

/** What the operation was, for the few places a status means something more specific. */
export type Operation = 'read' | 'create' | 'upload' | 'cancel' | 'complete';

/**
 * Any failure as a ProviderError: HTTP failures by their status (through the shared mapping, with
 * Fireworks' hints), a refused upload as an invalid file. Our own ProviderErrors pass as they are.
 */
export function toFireworksError(error: unknown, op: Operation = 'read', notFound?: string): unknown {
  if (error instanceof ProviderError) return error;
  const mapped = toHostedError(error, LABEL, { ...HINTS, ...(notFound ? { notFound } : {}) });
  if (!(mapped instanceof ProviderError)) return mapped;
  if (op === 'upload' && mapped.kind === 'invalid_request') {
    return rekind(mapped, 'invalid_file', {
      hint: 'Fireworks takes JSONL with one {"messages": [...]} chat example per line (at least 3); run /finetune validate on the file, fix what it reports, and start again.',
    });
  }
  return mapped;
}

/** A `.catch` handler: rethrows the failure as a ProviderError. */
export function fail(op: Operation = 'read', notFound?: string) {
  return (error: unknown): never => {
    throw toFireworksError(error, op, notFound);
  };
}

/** The same error with a different kind or hint (ProviderError's fields are read-only). */
export function rekind(e: ProviderError, kind: ProviderError['kind'], change: { hint?: string; message?: string }) {
  return new ProviderError(kind, change.message ?? e.message, {
    hint: change.hint ?? e.hint,
    retryable: e.retryable,
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.requestId !== undefined ? { requestId: e.requestId } : {}),
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  });
}

/** Whether a failure is an HTTP status among `statuses` (before mapping). */
export function isStatus(error: unknown, ...statuses: number[]): error is HttpFailure {
  return error instanceof HttpFailure && statuses.includes(error.status);
}

/** Text from outside (a signed URL's answer) made safe to show: no key, no signature, short. */
export function safeText(ctx: FireworksContext, text: string): string {
  return scrub(text, ctx.secrets())
    .replace(/https?:\/\/\S+/g, '[link]')
    .slice(0, 300);
}
