import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';
import { ProviderError } from '../types.ts';
import type { ApiFailure, Dialect, Operation } from './dialect.ts';

export interface ErrorContext {
  dialect: Dialect;
  op: Operation;
  /** The file the call was about (upload, or the job's training file on create). */
  fileId?: string;
  /** The credentials in use, removed from anything we show. */
  secrets: () => Iterable<string>;
}

// Shapes of credentials that might be echoed back: OpenAI keys, bearer headers, JWTs (Entra tokens).
const SECRET_SHAPES = [
  /\bsk-[A-Za-z0-9_*-]{6,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  /\bapi-key\s*[:=]\s*\S+/gi,
];

/** The text with every known credential and anything shaped like one replaced. */
export function scrub(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would blank unrelated words; real keys and tokens are long.
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  for (const shape of SECRET_SHAPES) out = out.replace(shape, '[redacted]');
  return out;
}

const FILE_PARAMS = new Set(['training_file', 'validation_file', 'file']);
const FILE_ID = /\bfile-[A-Za-z0-9]+/;

/**
 * Any failure of an SDK call as a ProviderError: a message that is safe to show, the category a
 * person acts on, and a hint. ProviderErrors pass through; programming errors are rethrown as they are.
 */
export function toProviderError(error: unknown, ctx: ErrorContext): ProviderError {
  if (error instanceof ProviderError) return error;
  const label = ctx.dialect.label;
  if (error instanceof APIConnectionTimeoutError) {
    return new ProviderError('network', `${label} did not answer in time.`, {
      hint: 'Try again in a minute; if it keeps happening, check the network between the bot and the provider.',
      retryable: true,
    });
  }
  if (error instanceof APIUserAbortError) {
    return new ProviderError('network', `The request to ${label} was cancelled.`, {
      hint: 'Try again.',
      retryable: true,
    });
  }
  if (error instanceof APIConnectionError) {
    return new ProviderError('network', `Could not reach ${label}.`, {
      hint: 'Check the bot’s network, proxy and the configured endpoint, then try again.',
      retryable: true,
    });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const secrets = [...ctx.secrets()];
    const body = (error.error ?? {}) as { message?: unknown };
    const raw = typeof body.message === 'string' && body.message ? body.message : error.message;
    const failure: ApiFailure = {
      op: ctx.op,
      status: error.status,
      ...(error.code ? { code: String(error.code) } : {}),
      ...(error.param ? { param: String(error.param) } : {}),
      ...(error.type ? { type: String(error.type) } : {}),
      message: scrub(raw, secrets),
      ...(error.requestID ? { requestId: error.requestID } : {}),
      ...(ctx.fileId ? { fileId: ctx.fileId } : {}),
    };
    return ctx.dialect.explain(failure) ?? fromStatus(failure, ctx.dialect);
  }
  if (error instanceof OpenAIError) {
    // Raised before any request: most often the Entra token function failed.
    return new ProviderError('auth', `Could not authenticate with ${label}: ${scrub(error.message, ctx.secrets())}`, {
      hint: ctx.dialect.authHint,
    });
  }
  throw error;
}

function fromStatus(f: ApiFailure, dialect: Dialect): ProviderError {
  const label = dialect.label;
  const meta = { status: f.status, ...(f.requestId ? { requestId: f.requestId } : {}) };
  const said = f.message.replace(/\.?\s*$/, '.');
  switch (true) {
    case f.status === 401:
      return new ProviderError('auth', `${label} refused the credentials: ${said}`, {
        hint: dialect.authHint,
        ...meta,
      });
    case f.status === 403:
      return new ProviderError('permission', `${label} does not allow this: ${said}`, {
        hint: dialect.permissionHint,
        ...meta,
      });
    case f.status === 429 && f.code === 'daily_rate_limit_exceeded':
      return new ProviderError('daily_limit', `${label}'s daily limit on new fine-tuning jobs is reached: ${said}`, {
        hint: 'Trying again today will not help: start the job tomorrow, or pick another base model or provider.',
        ...meta,
      });
    case f.status === 429 && f.code === 'insufficient_quota':
      return new ProviderError('permission', `${label} says the account is out of quota: ${said}`, {
        hint: 'Add credit or raise the spending limit in the provider’s billing settings, then try again.',
        ...meta,
      });
    case f.status === 429:
      return new ProviderError('rate_limit', `${label} is rate-limiting the bot: ${said}`, {
        hint: 'The bot will try again shortly; nothing to do unless it keeps happening.',
        retryable: true,
        ...meta,
      });
    case f.status >= 500:
      return new ProviderError('unavailable', `${label} had a problem on its side (${f.status}): ${said}`, {
        hint: 'Try again in a few minutes; check the provider’s status page if it persists.',
        retryable: true,
        ...meta,
      });
    case isFileProblem(f):
      return fileError(f, label, meta);
    case f.status === 404:
      return new ProviderError('not_found', `${label} has no such ${subject(f.op)}: ${said}`, {
        hint: 'It may have been deleted, or it belongs to another organization, project or resource.',
        ...meta,
      });
    case f.status === 408 || f.status === 409:
      return new ProviderError('unavailable', `${label} could not finish the request now: ${said}`, {
        hint: 'Try again in a minute.',
        retryable: true,
        ...meta,
      });
    default:
      return new ProviderError('invalid_request', `${label} refused the request: ${said}`, {
        hint: 'Check the job settings named in the message and try again.',
        ...meta,
      });
  }
}

function isFileProblem(f: ApiFailure): boolean {
  if (f.op === 'upload') return true;
  if (f.param && FILE_PARAMS.has(f.param)) return true;
  if (f.code && /file/i.test(f.code)) return true;
  return f.status === 404 && f.op === 'create' && FILE_ID.test(f.message);
}

function fileError(f: ApiFailure, label: string, meta: { status: number; requestId?: string }): ProviderError {
  const fileId = FILE_ID.exec(f.message)?.[0] ?? f.fileId;
  const which = f.param === 'validation_file' ? 'validation file' : 'training file';
  const named = fileId ? `${which} ${fileId}` : `the ${which}`;
  const said = f.message.replace(/\.?\s*$/, '.');
  if (f.status === 404) {
    return new ProviderError('invalid_file', `${label} cannot find ${named}: ${said}`, {
      hint: 'Upload the file again (it may have expired or been deleted), then start the job with the new file.',
      ...meta,
    });
  }
  return new ProviderError('invalid_file', `${label} rejected ${named}: ${said}`, {
    hint: 'Run `/finetune validate` on the file to see which lines are wrong, fix them, and upload it again.',
    ...meta,
  });
}

function subject(op: Operation): string {
  return op === 'complete' ? 'model or deployment' : op === 'upload' ? 'file' : 'fine-tuning job';
}
