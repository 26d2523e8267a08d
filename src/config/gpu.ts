import type { z } from 'zod';
import { optionalText } from './fields.ts';
import { resolveFile } from './gpu-file.ts';
import { buildHost, gpuTypesFor, HOST_NAME, hostSchema, issueMessage, value } from './gpu-host.ts';
import type { Env, GpuConfig, Problem, Resolved } from './gpu-types.ts';

export { parseHostKey } from './gpu-host.ts';
export { SshPrivateKey } from './gpu-keys.ts';
export {
  DEFAULT_PYTHON,
  DEFAULT_SSH_PORT,
  DEFAULT_WORK_DIR,
  type GpuConfig,
  type GpuHost,
  HOST_KEY_TYPES,
  type HostKeyType,
  type PinnedHostKey,
  type SshAuth,
} from './gpu-types.ts';

/**
 * The GPU hosts the bot may train on, over SSH: from GPU_HOSTS_FILE (YAML or JSON, any number of
 * hosts) or from the GPU_SSH_* variables (one host). Part of the one schema in config/index.ts: the
 * variables are fields there, `checkGpuFields` reports every mistake as one line naming the variable
 * (and, in a hosts file, the host and the field), and `gpuConfig` builds the result. Key files are
 * read and parsed at start, so a missing or undecryptable key stops the start; their contents
 * live only inside SshPrivateKey, which prints as "[redacted]" however it is logged.
 *
 * The parts: config/gpu-types.ts (the shapes), config/gpu-host.ts (one host's schema, shared by the
 * file and the environment), config/gpu-file.ts (GPU_HOSTS_FILE), config/gpu-keys.ts (key files).
 * This file holds the variables, the single host from GPU_SSH_*, and config/index.ts's two hooks.
 */

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

/** The variables, for config/index.ts's schema: text here; every check is in checkGpuFields. */
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
// The single host from the GPU_SSH_* variables, and which of the two ways the environment uses.

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
// config/index.ts's two hooks. checkGpuFields runs inside the schema's cross-variable rules and hands what
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
    // config/index.ts keeps one problem per variable and writes the name before it; the later lines carry
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
