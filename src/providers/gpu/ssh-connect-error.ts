import { SshError } from './errors.ts';
import { type SshEndpoint, sameText } from './ssh-types.ts';

/** An ssh2 connect failure in words, with the kind a caller acts on. */
export function connectError(
  host: SshEndpoint,
  readyTimeoutMs: number,
  error: unknown,
  seen: { fingerprint: string; type: string } | undefined,
): SshError {
  const where = `${host.address}:${host.port}`;
  const expected = host.hostKey.fingerprint;
  if (seen && !sameText(seen.fingerprint, expected)) {
    return new SshError(
      'host_key_mismatch',
      host.name,
      `GPU host "${host.name}" (${where}) presented host key ${seen.fingerprint} (${seen.type}), but ${expected} is pinned; refusing to connect.`,
      {
        expected,
        seen: seen.fingerprint,
        hint:
          'If the host was reinstalled or its keys changed, confirm the new key with its admin (on the host: ' +
          '`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`) and update the pinned fingerprint. ' +
          'Otherwise something may be intercepting the connection: do not change the pin.',
        retryable: false,
      },
    );
  }
  const e = error as Error & { level?: string; code?: string };
  const message = e?.message ?? String(error);
  const level = e?.level;
  if (level === 'client-authentication' || level === 'agent') {
    const how = host.auth.kind === 'key' ? `the key ${host.auth.path}` : 'the SSH agent’s keys';
    return new SshError('auth', host.name, `GPU host "${host.name}" refused ${how} for user "${host.user}".`, {
      hint:
        level === 'agent'
          ? `The SSH agent failed (${message}); check SSH_AUTH_SOCK, or set a key path for the host.`
          : `Add the bot’s public key to ~${host.user}/.ssh/authorized_keys on the host, or fix the configured user.`,
      retryable: false,
      cause: error,
    });
  }
  if (level === 'client-timeout') {
    return new SshError(
      'unreachable',
      host.name,
      `GPU host "${host.name}" (${where}) did not complete the SSH handshake within ${Math.round(readyTimeoutMs / 1000)} s.`,
      { hint: 'Check that the host is up and that the bot’s network can reach its SSH port.', cause: error },
    );
  }
  if (level === 'client-socket' || level === 'client-dns' || /connection closed/.test(message)) {
    const reason =
      e.code === 'ECONNREFUSED'
        ? 'refused the connection'
        : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
          ? 'has an address that does not resolve'
          : e.code
            ? `could not be reached (${e.code})`
            : 'closed the connection before it was ready';
    return new SshError('unreachable', host.name, `GPU host "${host.name}" (${where}) ${reason}.`, {
      hint: 'Check that the host is up, that sshd runs on that port, and that the bot’s network can reach it. The bot keeps retrying.',
      cause: error,
    });
  }
  return new SshError('protocol', host.name, `GPU host "${host.name}" (${where}): SSH failed (${message}).`, {
    hint: 'Check the host’s sshd configuration (key types, ciphers) and its logs.',
    retryable: true,
    cause: error,
  });
}
