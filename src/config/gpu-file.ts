import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { buildHost, gpuTypesFor, HOST_NAME, hostSchema, issueMessage, value } from './gpu-host.ts';
import { readFailure } from './gpu-keys.ts';
import type { Env, GpuHost, Problem, Resolved } from './gpu-types.ts';

/**
 * GPU_HOSTS_FILE (see config/gpu.ts): read, parsed as YAML or JSON, and every host in it checked;
 * each mistake is a line naming the file, the host and the field.
 */

const MAX_HOSTS_FILE_BYTES = 1024 * 1024;

/** The hosts in `file`, or every mistake in it; reads the file and the key files it names. */
export function resolveFile(file: string, env: Env): Resolved {
  const problems: Problem[] = [];
  const line = (message: string) => ({ variable: 'GPU_HOSTS_FILE', message: `${file}: ${message}` });
  let textContent: string;
  try {
    const data = readFileSync(file);
    if (data.length > MAX_HOSTS_FILE_BYTES) return { problems: [line('is larger than 1 MB; is it the right file?')] };
    textContent = data.toString('utf8');
  } catch (error) {
    return { problems: [line(`cannot be read (${readFailure(error, file)})`)] };
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
