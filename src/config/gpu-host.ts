import { z } from 'zod';
import { CATALOGUE } from '../cost/catalogue.ts';
import { loadCatalogue } from '../cost/load.ts';
import { expandPath, readKey, SshPrivateKey } from './gpu-keys.ts';
import {
  DEFAULT_PYTHON,
  DEFAULT_SSH_PORT,
  DEFAULT_WORK_DIR,
  type Env,
  type GpuHost,
  HOST_KEY_TYPES,
  type PinnedHostKey,
  type Problem,
  type SshAuth,
} from './gpu-types.ts';

/**
 * One GPU host's fields, shared by the hosts file and the environment (see config/gpu.ts): the zod
 * schema that checks them, and buildHost, which turns what it parsed into a GpuHost with its key read.
 */

export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
// A DNS name, IPv4, or IPv6 (optionally in brackets); never starting with "-".
const ADDRESS = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,252})|\[?[0-9A-Fa-f:.]+(?:%[A-Za-z0-9]+)?\]?)$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}\$?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
// A command on PATH (python3) or an absolute path (/opt/venv/bin/python); no spaces or shell characters.
const PROGRAM = /^(?:\/[A-Za-z0-9._+@/-]+|[A-Za-z0-9_][A-Za-z0-9._+-]*)$/;
// Absolute, `~` or `~/…`; the characters are the ones a job folder may hold (see SAFE_DIR in shell.ts).
const WORK_DIR = /^(?:\/|~\/|~$)[A-Za-z0-9._+@/-]*$/;
const FINGERPRINT = /^SHA256:([A-Za-z0-9+/]{43})$/;

const FIELD_HELP = {
  name: 'expects a short name of letters, digits, ".", "_" or "-" (at most 63), such as a100-1',
  address: 'expects a host name or IP address',
  port: 'expects a port number from 1 to 65535',
  user: 'expects the user name the bot logs in as',
  key_path: 'expects the path of the private key file',
  key_passphrase_env: 'expects the name of an environment variable that holds the key’s passphrase',
  python: 'expects a command or absolute path such as python3 or /opt/venv/bin/python, without spaces',
  work_dir: 'expects an absolute path, or ~/… under the SSH user’s home, of letters, digits and ._+@/- (no spaces)',
  gpu_count: 'expects a whole number of GPUs from 1 to 64',
  max_jobs: 'expects a whole number of jobs at once from 1 to 64',
} as const;

const HOST_KEY_HELP =
  'is required: the host key’s SHA256 fingerprint, as `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints it on the host';

function text(pattern: RegExp, help: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : help) })
    .regex(pattern, { error: help });
}

function whole(min: number, max: number, help: string) {
  return z.int({ error: help }).min(min, { error: help }).max(max, { error: help });
}

/** Why `value` is not a pinned fingerprint, or the parsed key. Never quotes the value back. */
export function parseHostKey(value: string): PinnedHostKey | { problem: string } {
  const line = value.trim();
  // A whole `ssh-keygen -lf` line: "256 SHA256:… comment (ED25519)".
  const token = line.split(/\s+/).find((word) => word.startsWith('SHA256:')) ?? line;
  const match = FINGERPRINT.exec(token);
  if (match?.[1] !== undefined) {
    const bytes = Buffer.from(match[1], 'base64');
    if (bytes.length === 32 && bytes.toString('base64').replace(/=+$/, '') === match[1]) {
      const type = /\(([A-Z0-9-]+)\)$/.exec(line)?.[1]?.replace(/-SK$/, '');
      const known = HOST_KEY_TYPES.find((t) => t === type);
      return { fingerprint: token, ...(known ? { type: known } : {}) };
    }
  }
  if (/^MD5:|^([0-9a-f]{2}:){15}[0-9a-f]{2}$/i.test(token)) {
    return { problem: 'is an MD5 fingerprint; pin the SHA256 one that `ssh-keygen -lf` prints by default' };
  }
  if (/^(ssh-|ecdsa-|sk-)/.test(line)) {
    return { problem: 'is a public key, not its fingerprint; pin what `ssh-keygen -lf` prints for it (SHA256:…)' };
  }
  return {
    problem:
      'expects the host key’s SHA256 fingerprint as `ssh-keygen -lf` prints it: SHA256: and 43 characters of base64',
  };
}

const hostKeyField = z
  .string({ error: (issue) => (issue.input === undefined ? HOST_KEY_HELP : 'expects a fingerprint in quotes') })
  .transform((value, ctx) => {
    const parsed = parseHostKey(value);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed;
  });

/** The fields as written in a hosts file; the environment's values are mapped onto the same names. */
export function hostSchema(gpuTypes: readonly string[]) {
  const gpuHelp = `expects one of ${gpuTypes.join(', ')} (the price catalogue’s GPUs; PRICES_FILE can add more)`;
  return z.strictObject({
    name: text(HOST_NAME, FIELD_HELP.name),
    address: text(ADDRESS, FIELD_HELP.address),
    port: whole(1, 65535, FIELD_HELP.port).default(DEFAULT_SSH_PORT),
    user: text(USER, FIELD_HELP.user),
    key_path: z.string({ error: FIELD_HELP.key_path }).min(1, { error: FIELD_HELP.key_path }).optional(),
    key_passphrase_env: text(ENV_NAME, FIELD_HELP.key_passphrase_env).optional(),
    host_key: hostKeyField,
    python: text(PROGRAM, FIELD_HELP.python).default(DEFAULT_PYTHON),
    work_dir: text(WORK_DIR, FIELD_HELP.work_dir)
      .refine((dir) => !dir.split('/').some((s) => s === '.' || s === '..'), {
        error: `${FIELD_HELP.work_dir}; no "." or ".." segments`,
      })
      .default(DEFAULT_WORK_DIR),
    gpu_type: z.enum(gpuTypes as [string, ...string[]], {
      error: (issue) => (issue.input === undefined ? `is required: ${gpuHelp.replace(/^expects /, '')}` : gpuHelp),
    }),
    gpu_count: whole(1, 64, FIELD_HELP.gpu_count).default(1),
    max_jobs: whole(1, 64, FIELD_HELP.max_jobs).optional(),
  });
}

export type HostInput = z.output<ReturnType<typeof hostSchema>>;

/** A variable's value, trimmed; blank counts as unset. */
export function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === '' ? undefined : v;
}

/** The GPU types a host may name: the catalogue the bot runs with (PRICES_FILE over the built-in one). */
export function gpuTypesFor(env: Env): string[] {
  try {
    return Object.keys(loadCatalogue(value(env, 'PRICES_FILE')).gpus);
  } catch {
    // A bad PRICES_FILE is reported on its own line (src/main.ts); judge hosts by the built-in catalogue.
    return Object.keys(CATALOGUE.gpus);
  }
}

export function issueMessage(issue: z.core.$ZodIssue): { field: string; message: string } {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return { field: '', message: `has unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}` };
  }
  return { field: String(issue.path[0] ?? ''), message: issue.message };
}

export interface HostContext {
  /** How a line about this host starts: `hosts.yaml: host "a100-1"`, or '' in the environment. */
  where: (field: string) => { variable: string; prefix: string };
  keyBase: string;
  passphrase: (input: HostInput) => { value?: string; how: string; problem?: Problem };
  agentSocket: string | undefined;
}

export function buildHost(input: HostInput, ctx: HostContext, problems: Problem[]): GpuHost | undefined {
  let auth: SshAuth | undefined;
  if (input.key_path !== undefined) {
    const path = expandPath(input.key_path, ctx.keyBase);
    const pass = ctx.passphrase(input);
    if (pass.problem) problems.push(pass.problem);
    const key = readKey(path, pass.value, pass.how);
    const at = ctx.where('key_path');
    if (key instanceof SshPrivateKey) auth = { kind: 'key', path, key };
    else problems.push({ variable: at.variable, message: `${at.prefix}${key.problem}` });
  } else if (ctx.agentSocket) {
    auth = { kind: 'agent', socket: ctx.agentSocket };
  } else {
    const at = ctx.where('key_path');
    problems.push({
      variable: at.variable,
      message: `${at.prefix}is required: the private key to log in with (or run the bot with an SSH agent, SSH_AUTH_SOCK)`,
    });
  }
  if (!auth) return undefined;
  return {
    name: input.name,
    address: input.address.replace(/^\[(.*)\]$/, '$1'),
    port: input.port,
    user: input.user,
    auth,
    hostKey: input.host_key,
    python: input.python,
    workDir: input.work_dir.length > 1 ? input.work_dir.replace(/\/+$/, '') : input.work_dir,
    gpuType: input.gpu_type,
    gpuCount: input.gpu_count,
    maxJobs: input.max_jobs ?? input.gpu_count,
  };
}
