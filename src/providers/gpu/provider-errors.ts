import { ProviderError, type ProviderErrorKind } from '../types.ts';
import { SshError, type SshErrorKind } from './errors.ts';

/**
 * The SSH transport's failures in the provider contract's kinds, keeping the transport's words
 * (they name the host and are safe to show) and its hint. A host-key mismatch keeps both
 * fingerprints in the message; it is a refusal to talk to that machine, not an outage.
 */

const KINDS: Record<SshErrorKind, { kind: ProviderErrorKind; retryable?: boolean }> = {
  unreachable: { kind: 'unavailable', retryable: true },
  disconnected: { kind: 'network', retryable: true },
  timeout: { kind: 'unavailable', retryable: true },
  protocol: { kind: 'network', retryable: true },
  auth: { kind: 'auth' },
  host_key_mismatch: { kind: 'permission' },
  permission: { kind: 'permission' },
  not_found: { kind: 'not_found' },
  command_failed: { kind: 'unavailable' },
  unsupported: { kind: 'invalid_request' },
  invalid: { kind: 'invalid_request' },
  closed: { kind: 'unavailable' },
};

export function toProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof SshError) {
    const mapped = KINDS[error.kind];
    let message = error.message;
    if (error.kind === 'host_key_mismatch' && error.expected && error.seen) {
      if (!message.includes(error.expected)) message += ` Expected ${error.expected}.`;
      if (!message.includes(error.seen)) message += ` Seen ${error.seen}.`;
    }
    if (error.kind === 'command_failed' && error.stderr) {
      const tail = error.stderr.trim().split('\n').slice(-3).join(' / ');
      if (tail && !message.includes(tail)) message += ` (${tail.slice(0, 500)})`;
    }
    return new ProviderError(mapped.kind, message, {
      hint: error.hint,
      retryable: mapped.retryable ?? error.retryable,
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new ProviderError('unavailable', `The GPU host operation failed: ${text.slice(0, 300)}`, {
    hint: 'Try again; if it keeps failing, the bot’s logs say why.',
  });
}

/** Whether the failure means "the host is not answering now" (its jobs are left out of snapshots). */
export function isOutage(error: unknown): boolean {
  const e = error instanceof SshError ? KINDS[error.kind] : undefined;
  if (e) return e.retryable === true || (error as SshError).kind === 'closed';
  return error instanceof ProviderError && error.retryable;
}

/**
 * Runs `fn`, turning the transport's failures into ProviderErrors. Anything else passes untouched:
 * a training file's own failure (a Slack download cut short) is the caller's to tell apart.
 */
export async function asProvider<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw error instanceof SshError ? toProviderError(error) : error;
  }
}
