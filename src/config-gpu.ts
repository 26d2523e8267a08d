import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { inspect } from 'node:util';
import ssh2 from 'ssh2';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { optionalText } from './config-fields.ts';
import { CATALOGUE } from './cost/catalogue.ts';
import { loadCatalogue } from './cost/load.ts';

/**
 * The GPU hosts the bot may train on, over SSH: from GPU_HOSTS_FILE (YAML or JSON, any number of
 * hosts) or from the GPU_SSH_* variables (one host). Part of the one schema in config.ts: the
 * variables are fields there, `checkGpuFields` reports every mistake as one line naming the variable
 * (and, in a hosts file, the host and the field), and `gpuConfig` builds the result. Key files are
 * read and parsed here, at start, so a missing or undecryptable key stops the start; their contents
 * live only inside SshPrivateKey, which prints as "[redacted]" however it is logged.
 */

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_PYTHON = 'python3';
/** Resolved on the host against the SSH user's home (see GpuHost.workDir). */
export const DEFAULT_WORK_DIR = '~/finetune-bot-jobs';

/** The largest key file read; real keys are a few KB (RSA 16384 is ~12 KB). */
const MAX_KEY_BYTES = 64 * 1024;
const MAX_HOSTS_FILE_BYTES = 1024 * 1024;

/** The pinned host key: the SHA256 fingerprint as `ssh-keygen -lf` prints it, and its type when given. */
export interface PinnedHostKey {
  /** `SHA256:` and 43 characters of unpadded base64, e.g. `SHA256:a7hQhxEm5AVskOGOEC8QaNROwgsG5PX+QHfBojbjyXo`. */
  fingerprint: string;
  /** From a whole `ssh-keygen -lf` line (`… (ED25519)`): the bot then asks the host for that key type only. */
  type?: HostKeyType;
}

export const HOST_KEY_TYPES = ['ED25519', 'ECDSA', 'RSA', 'DSA'] as const;
export type HostKeyType = (typeof HOST_KEY_TYPES)[number];

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

const ENV = {
  name: 'GPU_SSH_NAME',
  address: 'GPU_SSH_HOST',
  port: 'GPU_SSH_PORT',
  user: 'GPU_SSH_USER',
  key_path: 'GPU_SSH_KEY_PATH',
  key_passphrase: 'GPU_SSH_KEY_PASSPHRASE',
  host_key: 'GPU_SSH_HOST_KEY',
  python: 'GPU_SSH_PYTHON',
  work_dir: 'GPU_SSH_WORK_DIR',
  gpu_type: 'GPU_SSH_GPU_TYPE',
  gpu_count: 'GPU_SSH_GPU_COUNT',
  max_jobs: 'GPU_SSH_MAX_JOBS',
} as const;

/** The variables, for config.ts's schema: text here; every check is in checkGpuFields. */
export const gpuFields = {
  GPU_HOSTS_FILE: optionalText,
  GPU_SSH_HOST: optionalText,
  GPU_SSH_PORT: optionalText,
  GPU_SSH_USER: optionalText,
  GPU_SSH_KEY_PATH: optionalText,
  GPU_SSH_KEY_PASSPHRASE: optionalText,
  GPU_SSH_HOST_KEY: optionalText,
  GPU_SSH_NAME: optionalText,
  GPU_SSH_PYTHON: optionalText,
  GPU_SSH_WORK_DIR: optionalText,
  GPU_SSH_GPU_TYPE: optionalText,
  GPU_SSH_GPU_COUNT: optionalText,
  GPU_SSH_MAX_JOBS: optionalText,
};

export const GPU_VARIABLES = Object.keys(gpuFields) as ReadonlyArray<keyof typeof gpuFields>;

// ---------------------------------------------------------------------------------------------------
// One host's fields, shared by the file and the environment.

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
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
function hostSchema(gpuTypes: readonly string[]) {
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

type HostInput = z.output<ReturnType<typeof hostSchema>>;

// ---------------------------------------------------------------------------------------------------
// Resolving: every mistake as { variable, message }, the message without the variable's name.

interface Problem {
  variable: string;
  message: string;
}

interface Resolved {
  config?: GpuConfig;
  problems: Problem[];
}

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === '' ? undefined : v;
}

/** The GPU types a host may name: the catalogue the bot runs with (PRICES_FILE over the built-in one). */
function gpuTypesFor(env: Env): string[] {
  try {
    return Object.keys(loadCatalogue(value(env, 'PRICES_FILE')).gpus);
  } catch {
    // A bad PRICES_FILE is reported on its own line (src/main.ts); judge hosts by the built-in catalogue.
    return Object.keys(CATALOGUE.gpus);
  }
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return code ?? 'unreadable';
}

function expandPath(path: string, base: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(base, path);
}

/**
 * Reads and parses a private key. The problem, when there is one, names the file and the cause in
 * our own words: never the key's bytes, never the passphrase, never ssh2's message verbatim.
 */
function readKey(
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

function issueMessage(issue: z.core.$ZodIssue): { field: string; message: string } {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return { field: '', message: `has unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}` };
  }
  return { field: String(issue.path[0] ?? ''), message: issue.message };
}

interface HostContext {
  /** How a line about this host starts: `hosts.yaml: host "a100-1"`, or '' in the environment. */
  where: (field: string) => { variable: string; prefix: string };
  keyBase: string;
  passphrase: (input: HostInput) => { value?: string; how: string; problem?: Problem };
  agentSocket: string | undefined;
}

function buildHost(input: HostInput, ctx: HostContext, problems: Problem[]): GpuHost | undefined {
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

function resolveFile(file: string, env: Env): Resolved {
  const problems: Problem[] = [];
  const line = (message: string) => ({ variable: 'GPU_HOSTS_FILE', message: `${file}: ${message}` });
  let textContent: string;
  try {
    const data = readFileSync(file);
    if (data.length > MAX_HOSTS_FILE_BYTES) return { problems: [line('is larger than 1 MB; is it the right file?')] };
    textContent = data.toString('utf8');
  } catch (error) {
    return { problems: [line(`cannot be read (${readFailure(error)})`)] };
  }
  let data: unknown;
  if (/\.json$/i.test(file)) {
    try {
      data = JSON.parse(textContent);
    } catch (error) {
      return { problems: [line(`is not valid JSON (${(error as Error).message.split('\n')[0]})`)] };
    }
  } else {
    const doc = parseDocument(textContent, { uniqueKeys: true, prettyErrors: true });
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'syntax error';
      return {
        problems: [line(`is not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${reason}`)],
      };
    }
    data = doc.toJS();
  }
  const top = z
    .strictObject({ hosts: z.array(z.unknown(), { error: 'expects a list' }).min(1, { error: 'lists no hosts' }) })
    .safeParse(data);
  if (!top.success) {
    const unknown = top.error.issues.find((i) => i.code === 'unrecognized_keys');
    if (unknown?.code === 'unrecognized_keys') {
      return { problems: [line(`has unknown top-level field "${unknown.keys[0]}"; the hosts go under "hosts:"`)] };
    }
    const issue = top.error.issues[0];
    if (issue?.path[0] === 'hosts' && issue.message === 'lists no hosts') return { problems: [line('lists no hosts')] };
    return { problems: [line('expects a "hosts:" list, each entry a host with name, address, user, host_key, …')] };
  }
  const schema = hostSchema(gpuTypesFor(env));
  const hosts: GpuHost[] = [];
  const seen = new Map<string, number>();
  top.data.hosts.forEach((entry, index) => {
    const named =
      typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string'
        ? (entry as { name: string }).name
        : undefined;
    const label = named !== undefined && HOST_NAME.test(named) ? `host "${named}"` : `host #${index + 1}`;
    const where = (field: string) => ({
      variable: 'GPU_HOSTS_FILE',
      prefix: `${file}: ${label} ${field}${field ? ' ' : ''}`,
    });
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(line(`${label} expects fields such as name, address, user, host_key`));
      return;
    }
    if (named !== undefined) {
      const first = seen.get(named);
      if (first !== undefined) {
        problems.push(line(`${label} name is also the name of host #${first + 1}; names must be unique`));
        return;
      }
      seen.set(named, index);
    }
    const parsed = schema.safeParse(entry);
    if (!parsed.success) {
      const fields = new Set<string>();
      for (const issue of parsed.error.issues) {
        const { field, message } = issueMessage(issue);
        if (fields.has(field)) continue;
        fields.add(field);
        problems.push(line(`${label}${field ? ` ${field}` : ''} ${message}`));
      }
      return;
    }
    const host = buildHost(
      parsed.data,
      {
        where,
        keyBase: dirname(resolve(file)),
        agentSocket: value(env, 'SSH_AUTH_SOCK'),
        passphrase: (input) => {
          const name = input.key_passphrase_env;
          const how = 'set key_passphrase_env to the name of an environment variable that holds its passphrase';
          if (name === undefined) return { how };
          const pass = env[name];
          if (pass === undefined || pass === '') {
            return { how, problem: line(`${label} key_passphrase_env names ${name}, which is not set`) };
          }
          return { value: pass, how };
        },
      },
      problems,
    );
    if (host) hosts.push(host);
  });
  return problems.length > 0 ? { problems } : { config: { source: 'file', file, hosts }, problems };
}

function resolveEnv(env: Env): Resolved {
  const address = value(env, ENV.address);
  const input: Record<string, unknown> = {};
  for (const [field, variable] of Object.entries(ENV)) {
    if (field === 'key_passphrase') continue;
    const v = value(env, variable);
    if (v === undefined) continue;
    input[field] = /^(port|gpu_count|max_jobs)$/.test(field) && /^\d{1,6}$/.test(v) ? Number(v) : v;
  }
  input.name ??= address !== undefined && HOST_NAME.test(address) ? address : 'gpu';
  const schema = hostSchema(gpuTypesFor(env));
  const parsed = schema.safeParse(input);
  const problems: Problem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const { field, message } = issueMessage(issue);
      const variable = ENV[field as keyof typeof ENV] ?? 'GPU_SSH_HOST';
      const required = message.startsWith('is required');
      problems.push({
        variable,
        message: required ? message.replace(/^is required/, 'is required with GPU_SSH_HOST') : message,
      });
    }
    return { problems };
  }
  const host = buildHost(
    parsed.data,
    {
      where: (field) => ({ variable: ENV[field as keyof typeof ENV] ?? 'GPU_SSH_HOST', prefix: '' }),
      keyBase: process.cwd(),
      agentSocket: value(env, 'SSH_AUTH_SOCK'),
      passphrase: () => {
        const pass = env[ENV.key_passphrase];
        return { how: `set ${ENV.key_passphrase}`, ...(pass ? { value: pass } : {}) };
      },
    },
    problems,
  );
  if (!host || problems.length > 0) return { problems };
  return { config: { source: 'env', hosts: [host] }, problems };
}

/** Every GPU host in the environment, or every mistake in it; reads the hosts file and key files. */
export function resolveGpuHosts(env: Env): Resolved {
  const file = value(env, 'GPU_HOSTS_FILE');
  const single = GPU_VARIABLES.filter((name) => name !== 'GPU_HOSTS_FILE' && value(env, name) !== undefined);
  if (file !== undefined) {
    if (single.length > 0) {
      return {
        problems: single.map((variable) => ({
          variable,
          message: 'cannot be used with GPU_HOSTS_FILE; describe the host in the file instead',
        })),
      };
    }
    return resolveFile(file, env);
  }
  if (single.length === 0) return { problems: [] };
  if (value(env, ENV.address) === undefined) {
    return { problems: [{ variable: ENV.address, message: 'is required when other GPU_SSH_ variables are set' }] };
  }
  return resolveEnv(env);
}

// ---------------------------------------------------------------------------------------------------
// config.ts's two hooks. checkGpuFields runs inside the schema's cross-variable rules and hands what
// it resolved to gpuConfig, which loadConfig calls right after, so the files are read once per start.

let handoff: { key: string; resolved: Resolved } | undefined;

function envKey(env: Env): string {
  return JSON.stringify([...GPU_VARIABLES, 'PRICES_FILE', 'SSH_AUTH_SOCK'].map((name) => value(env, name) ?? null));
}

/** Adds one issue per variable; a hosts file's several mistakes are one line each, all naming GPU_HOSTS_FILE. */
export function checkGpuFields(raw: Env, ctx: z.RefinementCtx): void {
  const resolved = resolveGpuHosts(raw);
  handoff = { key: envKey(raw), resolved };
  const byVariable = new Map<string, string[]>();
  for (const problem of resolved.problems) {
    const lines = byVariable.get(problem.variable) ?? [];
    if (!lines.includes(problem.message)) lines.push(problem.message);
    byVariable.set(problem.variable, lines);
  }
  for (const [variable, lines] of byVariable) {
    // config.ts keeps one problem per variable and writes the name before it; the later lines carry
    // the name themselves, so every printed line still says which variable to fix.
    ctx.addIssue({ code: 'custom', path: [variable], message: lines.join(`\n${variable} `) });
  }
}

/** `{ gpu }` when hosts are configured, `{}` when not; for loadConfig's result. */
export function gpuConfig(env: Env): { gpu?: GpuConfig } {
  const key = envKey(env);
  const resolved = handoff?.key === key ? handoff.resolved : resolveGpuHosts(env);
  handoff = undefined;
  if (resolved.problems.length > 0) {
    throw new Error(resolved.problems.map((p) => `${p.variable} ${p.message}`).join('\n'));
  }
  return resolved.config ? { gpu: resolved.config } : {};
}
