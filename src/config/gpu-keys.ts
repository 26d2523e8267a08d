import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { inspect } from 'node:util';
import ssh2 from 'ssh2';

/**
 * SSH private keys for the GPU hosts (see config/gpu.ts): read and parsed at start, so a missing or
 * undecryptable key stops the start; their contents live only inside SshPrivateKey, which prints as
 * "[redacted]" however it is logged.
 */

/** The largest key file read; real keys are a few KB (RSA 16384 is ~12 KB). */
const MAX_KEY_BYTES = 64 * 1024;

/** A private key read at start. Its bytes and passphrase never print: not in logs, JSON or errors. */
export class SshPrivateKey {
  readonly #data: Buffer;
  readonly #passphrase: string | undefined;
  /** ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, …: safe to show. */
  readonly type: string;

  constructor(data: Buffer, type: string, passphrase?: string) {
    this.#data = data;
    this.type = type;
    this.#passphrase = passphrase;
  }

  /** For ssh2's connect options, and nothing else. */
  material(): { privateKey: Buffer; passphrase?: string } {
    return { privateKey: this.#data, ...(this.#passphrase === undefined ? {} : { passphrase: this.#passphrase }) };
  }

  toJSON(): string {
    return `[redacted ${this.type} private key]`;
  }

  toString(): string {
    return this.toJSON();
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}

/** Why a file could not be read, in a few words (the errno's meaning, never its message). */
export function readFailure(error: unknown, path?: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  // A relative path is read from where the bot was started, which is often not where one thinks.
  if (code === 'ENOENT')
    return path && !isAbsolute(path) && !path.startsWith('~') ? `no such file in ${process.cwd()}` : 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return code ?? 'unreadable';
}

/** `~`, `~/…` under the bot's home, absolute as is, anything else against `base`. */
export function expandPath(path: string, base: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(base, path);
}

/**
 * Reads and parses a private key. The problem, when there is one, names the file and the cause in
 * our own words: never the key's bytes, never the passphrase, never ssh2's message verbatim.
 */
export function readKey(
  path: string,
  passphrase: string | undefined,
  passphraseHow: string,
): SshPrivateKey | { problem: string } {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    return { problem: `cannot be read (${readFailure(error)}: ${path})` };
  }
  if (data.length > MAX_KEY_BYTES) return { problem: `is not a private key (${path} is far larger than any SSH key)` };
  const parsed = ssh2.utils.parseKey(data, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || key === undefined) {
    const said = key instanceof Error ? key.message : '';
    if (/no passphrase given/i.test(said)) return { problem: `${path} is encrypted: ${passphraseHow}` };
    if (/passphrase/i.test(said)) return { problem: `${path} could not be decrypted with the passphrase given` };
    return { problem: `${path} is not a private key the bot can read (OpenSSH, PEM or PuTTY format)` };
  }
  if (!key.isPrivateKey()) return { problem: `${path} is a public key; point it at the private key (without .pub)` };
  return new SshPrivateKey(data, key.type, passphrase);
}
