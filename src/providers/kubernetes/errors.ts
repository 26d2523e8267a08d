import { ProviderError } from '../types.ts';

/**
 * What a Kubernetes API call can fail with, in the provider contract's kinds. The API server answers
 * errors with a `Status` object (kind, reason, message, code); its message names the object and
 * the verb ("jobs.batch \"ftbot-ft-abc234\" is forbidden: User … cannot create …") and never holds
 * credentials, so it is shown as it is. A server that cannot be reached is retryable: the job is
 * left as it was and followed again later, never failed for it.
 */

export type KubeErrorKind = 'http' | 'unreachable' | 'timeout' | 'tls';

export class KubeError extends Error {
  override name = 'KubeError';
  readonly kind: KubeErrorKind;
  /** The HTTP status, for `http`. */
  readonly status?: number;
  /** The Status object's reason: AlreadyExists, NotFound, Forbidden, Invalid, … */
  readonly reason?: string;
  readonly retryAfterMs?: number;
  constructor(
    kind: KubeErrorKind,
    message: string,
    opts: { status?: number; reason?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.reason !== undefined) this.reason = opts.reason;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

export const isStatus = (error: unknown, status: number): boolean =>
  error instanceof KubeError && error.kind === 'http' && error.status === status;

/** Errors of the client's fetch (undici): the code on the cause says why no answer came. */
const TLS = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i;

function causeCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The client's ApiException (status code, body text, headers), or a fetch that got no answer. */
export function toKubeError(error: unknown, what: string, server: string): KubeError {
  if (error instanceof KubeError) return error;
  const e = error as { code?: unknown; body?: unknown; headers?: Record<string, string> };
  if (error instanceof Error && typeof e.code === 'number' && 'body' in e) {
    let status: { message?: string; reason?: string } = {};
    try {
      status = typeof e.body === 'string' ? JSON.parse(e.body) : ((e.body as object) ?? {});
    } catch {
      status = { message: typeof e.body === 'string' ? e.body.slice(0, 300) : undefined };
    }
    const retryAfter = Number(e.headers?.['retry-after']);
    return new KubeError('http', status.message?.slice(0, 500) || `HTTP ${e.code} from the Kubernetes API`, {
      status: e.code,
      ...(status.reason ? { reason: status.reason } : {}),
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  const code = causeCode(error) ?? (error instanceof Error ? error.message : String(error));
  const kind = TLS.test(code) ? 'tls' : 'unreachable';
  return new KubeError(kind, `The Kubernetes API server (${server}) did not answer ${what}: ${code.slice(0, 200)}.`, {
    cause: error,
  });
}

const RBAC_HINT =
  'Give the bot’s account the Role in README (“GPU clusters (Kubernetes)”): jobs, pods, pods/log and secrets in the namespace.';
const LATER =
  'The job is left as it is and followed again when the API server answers; if it lasts, check the cluster and KUBECONFIG.';

export function toProviderError(error: unknown, what = 'the call'): ProviderError {
  if (error instanceof ProviderError) return error;
  if (!(error instanceof KubeError)) {
    const text = error instanceof Error ? error.message : String(error);
    return new ProviderError('unavailable', `The Kubernetes call failed (${what}): ${text.slice(0, 300)}`, {
      hint: 'Try again; if it keeps failing, the bot’s logs say why.',
      retryable: true,
    });
  }
  switch (error.kind) {
    case 'unreachable':
    case 'timeout':
      return new ProviderError('unavailable', error.message, { hint: LATER, retryable: true });
    case 'tls':
      return new ProviderError('network', error.message, {
        hint: 'The API server’s certificate was not accepted: check certificate-authority in the kubeconfig.',
      });
  }
  const opts = { status: error.status as number };
  const message = `Kubernetes said: ${error.message}`;
  if (error.status === 401) {
    return new ProviderError('auth', message, {
      ...opts,
      hint: 'The cluster refused the bot’s credentials: renew the token or the kubeconfig (KUBECONFIG).',
    });
  }
  if (error.status === 403) return new ProviderError('permission', message, { ...opts, hint: RBAC_HINT });
  if (error.status === 404) {
    return new ProviderError('not_found', message, {
      ...opts,
      hint: 'It was deleted in the cluster; start the job again.',
    });
  }
  if (error.status === 429) {
    return new ProviderError('rate_limit', message, {
      ...opts,
      hint: 'The API server is busy; the bot tries again shortly.',
      retryable: true,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    });
  }
  if ((error.status ?? 0) >= 500)
    return new ProviderError('unavailable', message, { ...opts, hint: LATER, retryable: true });
  return new ProviderError('invalid_request', message, {
    ...opts,
    hint: 'Check the GPU_K8S_ settings against the cluster (README, “GPU clusters (Kubernetes)”).',
  });
}

/** Whether the failure means "the cluster is not answering now" (its jobs are left out of snapshots). */
export function isOutage(error: unknown): boolean {
  if (error instanceof KubeError) return error.kind !== 'http' || (error.status ?? 0) >= 500 || error.status === 429;
  return error instanceof ProviderError && error.retryable;
}
