import type { SshPrivateKey } from './gpu-keys.ts';

/** The GPU host configuration's shapes and defaults (see config/gpu.ts); no code runs here. */

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_PYTHON = 'python3';
/** Resolved on the host against the SSH user's home (see GpuHost.workDir). */
export const DEFAULT_WORK_DIR = '~/finetune-bot-jobs';

/** The pinned host key: the SHA256 fingerprint as `ssh-keygen -lf` prints it, and its type when given. */
export interface PinnedHostKey {
  /** `SHA256:` and 43 characters of unpadded base64, e.g. `SHA256:a7hQhxEm5AVskOGOEC8QaNROwgsG5PX+QHfBojbjyXo`. */
  fingerprint: string;
  /** From a whole `ssh-keygen -lf` line (`… (ED25519)`): the bot then asks the host for that key type only. */
  type?: HostKeyType;
}

export const HOST_KEY_TYPES = ['ED25519', 'ECDSA', 'RSA', 'DSA'] as const;
export type HostKeyType = (typeof HOST_KEY_TYPES)[number];

export type SshAuth = { kind: 'key'; path: string; key: SshPrivateKey } | { kind: 'agent'; socket: string };

export interface GpuHost {
  /** How people and the bot refer to it, e.g. `a100-1`. */
  name: string;
  address: string;
  port: number;
  user: string;
  auth: SshAuth;
  hostKey: PinnedHostKey;
  /** The Python that runs the trainer on the host: a command on its PATH or an absolute path. */
  python: string;
  /**
   * Where job folders go: an absolute path, or `~`/`~/…` for the SSH user's home, which the transport
   * resolves on the host once it is connected (the bot cannot know the remote home from here).
   */
  workDir: string;
  /** A key of the price catalogue's `gpus` (built-in or added by PRICES_FILE). */
  gpuType: string;
  gpuCount: number;
  /** Jobs it runs at once; the rest queue. Default: its GPU count. */
  maxJobs: number;
}

export interface GpuConfig {
  source: 'file' | 'env';
  /** GPU_HOSTS_FILE as given, when the hosts came from a file. */
  file?: string;
  hosts: GpuHost[];
}

// Resolving: every mistake as { variable, message }, the message without the variable's name.

export interface Problem {
  variable: string;
  message: string;
}

export interface Resolved {
  config?: GpuConfig;
  problems: Problem[];
}

export type Env = Record<string, string | undefined>;
