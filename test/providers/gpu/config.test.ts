import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { GPU_VARIABLES, parseHostKey } from '../../../src/config/gpu.ts';
import { ConfigError, loadConfig } from '../../../src/config/index.ts';

const http = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 's3cret' };
const FP = 'SHA256:a7hQhxEm5AVskOGOEC8QaNROwgsG5PX+QHfBojbjyXo';
const PASSPHRASE = 'correct horse battery';

// Made while the file loads: the it.each tables below are built before any hook runs.
const dir = mkdtempSync(join(tmpdir(), 'ftbot-gpu-config-'));
const key = join(dir, 'id_ed25519');
const encrypted = join(dir, 'id_encrypted');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bot', '-f', key]);
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'bot', '-f', encrypted]);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The printed lines of a refused configuration: one per mistake. */
function lines(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig({ ...http, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

const host = (fields: Record<string, unknown>) =>
  Object.entries({
    name: 'a100-1',
    address: '10.0.0.5',
    user: 'train',
    key_path: key,
    host_key: FP,
    gpu_type: 'A100-80GB',
    ...fields,
  })
    .filter(([, v]) => v !== undefined)
    .map(([k, v], i) => `${i === 0 ? '  - ' : '    '}${k}: ${JSON.stringify(v)}`)
    .join('\n');

describe('GPU_HOSTS_FILE', () => {
  it('reads a YAML fleet with defaults: port 22, python3, ~/finetune-bot-jobs, one job per GPU', () => {
    const path = file(
      'fleet.yaml',
      `hosts:\n${host({})}\n${host({ name: 'h100-a', address: 'gpu.example.com', port: 2222, gpu_type: 'H100-80GB', gpu_count: 4, python: '/opt/venv/bin/python', work_dir: '/data/jobs/', max_jobs: 2, host_key: `256 ${FP} root@gpu (ED25519)` })}\n`,
    );
    const { gpu } = loadConfig({ ...http, GPU_HOSTS_FILE: path });
    expect(gpu?.source).toBe('file');
    expect(gpu?.file).toBe(path);
    const [a, b] = gpu?.hosts ?? [];
    expect(a).toMatchObject({
      name: 'a100-1',
      address: '10.0.0.5',
      port: 22,
      user: 'train',
      auth: { kind: 'key', path: key },
      hostKey: { fingerprint: FP },
      python: 'python3',
      workDir: '~/finetune-bot-jobs',
      gpuType: 'A100-80GB',
      gpuCount: 1,
      maxJobs: 1,
    });
    expect(a?.hostKey.type).toBeUndefined();
    expect(b).toMatchObject({
      name: 'h100-a',
      port: 2222,
      python: '/opt/venv/bin/python',
      workDir: '/data/jobs',
      gpuCount: 4,
      maxJobs: 2,
      hostKey: { fingerprint: FP, type: 'ED25519' },
    });
    expect(a?.auth.kind === 'key' && a.auth.key.type).toBe('ssh-ed25519');
  });

  it('reads JSON too, and resolves key paths against the file’s folder', () => {
    const path = file(
      'fleet.json',
      JSON.stringify({
        hosts: [{ name: 'l4', address: '::1', user: 'u', key_path: 'id_ed25519', host_key: FP, gpu_type: 'L4' }],
      }),
    );
    const { gpu } = loadConfig({ ...http, GPU_HOSTS_FILE: path });
    expect(gpu?.hosts[0]).toMatchObject({ address: '::1', auth: { kind: 'key', path: key } });
  });

  it('uses the SSH agent for a host without key_path when SSH_AUTH_SOCK is set', () => {
    const path = file('agent.yaml', `hosts:\n${host({ key_path: undefined })}\n`);
    const { gpu } = loadConfig({ ...http, GPU_HOSTS_FILE: path, SSH_AUTH_SOCK: '/tmp/agent.sock' });
    expect(gpu?.hosts[0]?.auth).toEqual({ kind: 'agent', socket: '/tmp/agent.sock' });
    expect(lines({ GPU_HOSTS_FILE: path })).toEqual([
      `GPU_HOSTS_FILE ${path}: host "a100-1" key_path is required: the private key to log in with (or run the bot with an SSH agent, SSH_AUTH_SOCK)`,
    ]);
  });

  it('accepts a GPU type that PRICES_FILE adds to the catalogue', () => {
    const prices = file(
      'prices.json',
      JSON.stringify({
        gpus: {
          'RTX-4090': {
            name: 'NVIDIA RTX 4090 24GB',
            memory_gb: 24,
            peak_bf16_tflops: 165,
            specs_source: 'test',
            hourly_usd: 0.4,
            serving_tokens_per_s: 1000,
            as_of: '2026-01-01',
            source: 'test',
          },
        },
      }),
    );
    const path = file('custom.yaml', `hosts:\n${host({ gpu_type: 'RTX-4090' })}\n`);
    expect(lines({ GPU_HOSTS_FILE: path })[0]).toMatch(/gpu_type expects one of .*A100-80GB/);
    expect(loadConfig({ ...http, GPU_HOSTS_FILE: path, PRICES_FILE: prices }).gpu?.hosts[0]?.gpuType).toBe('RTX-4090');
  });

  it.each([
    ['bad YAML', 'hosts:\n  - name: a\n    port: [1, 2\n', /: is not valid YAML at line \d+, column \d+: /],
    ['no hosts', 'hosts: []\n', /: lists no hosts$/],
    ['wrong top level', 'servers: []\n', /: has unknown top-level field "servers"; the hosts go under "hosts:"$/],
    [
      'unknown GPU type',
      `hosts:\n${host({ gpu_type: 'A100' })}\n`,
      /: host "a100-1" gpu_type expects one of A10G, L4, L40S, .*H100-80GB.* \(the price catalogue’s GPUs; PRICES_FILE can add more\)$/,
    ],
    ['bad port', `hosts:\n${host({ port: 'ssh' })}\n`, /: host "a100-1" port expects a port number from 1 to 65535$/],
    [
      'port out of range',
      `hosts:\n${host({ port: 70000 })}\n`,
      /: host "a100-1" port expects a port number from 1 to 65535$/,
    ],
    [
      'missing key file',
      `hosts:\n${host({ key_path: './nope' })}\n`,
      /: host "a100-1" key_path cannot be read \(no such file: \/.*\/nope\)$/,
    ],
    [
      'bad fingerprint',
      `hosts:\n${host({ host_key: 'SHA256:tooShort' })}\n`,
      /: host "a100-1" host_key expects the host key’s SHA256 fingerprint as `ssh-keygen -lf` prints it/,
    ],
    [
      'MD5 fingerprint',
      `hosts:\n${host({ host_key: 'MD5:12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0' })}\n`,
      /host_key is an MD5 fingerprint; pin the SHA256 one/,
    ],
    [
      'public key as fingerprint',
      `hosts:\n${host({ host_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG' })}\n`,
      /host_key is a public key, not its fingerprint/,
    ],
    [
      'missing fingerprint',
      `hosts:\n${host({ host_key: undefined })}\n`,
      /host "a100-1" host_key is required: the host key’s SHA256 fingerprint, as `ssh-keygen -lf \/etc\/ssh\/ssh_host_ed25519_key.pub` prints it on the host$/,
    ],
    ['unknown field', `hosts:\n${host({ keypath: '/x' })}\n`, /: host "a100-1" has unknown field "keypath"$/],
    [
      'relative work dir',
      `hosts:\n${host({ work_dir: 'jobs' })}\n`,
      /host "a100-1" work_dir expects an absolute path, or ~\/… under the SSH user’s home/,
    ],
    ['dot-dot work dir', `hosts:\n${host({ work_dir: '/data/../etc' })}\n`, /work_dir .*no "\." or "\.\." segments$/],
    [
      'python with spaces',
      `hosts:\n${host({ python: 'python3 -c evil' })}\n`,
      /host "a100-1" python expects a command or absolute path/,
    ],
    [
      'zero GPUs',
      `hosts:\n${host({ gpu_count: 0 })}\n`,
      /host "a100-1" gpu_count expects a whole number of GPUs from 1 to 64$/,
    ],
    ['unnamed host', `hosts:\n${host({ name: undefined })}\n`, /: host #1 name is required$/],
  ])('%s: one clear line naming the file, the host and the field', (_what, content, line) => {
    const path = file('hosts.yaml', content);
    const out = lines({ GPU_HOSTS_FILE: path });
    expect(out).toHaveLength(1);
    expect(out[0]?.startsWith(`GPU_HOSTS_FILE ${path}: `)).toBe(true);
    expect(out[0]).toMatch(line);
  });

  it('reports every mistake, one line each, every line naming the variable', () => {
    const path = file(
      'many.yaml',
      `hosts:\n${host({ port: 0, gpu_type: 'TPU' })}\n${host({ name: 'b', key_path: './missing' })}\n${host({ name: 'a100-1' })}\n`,
    );
    expect(lines({ GPU_HOSTS_FILE: path, PORT: 'eighty' })).toEqual([
      'PORT expects a port number from 0 to 65535',
      `GPU_HOSTS_FILE ${path}: host "a100-1" port expects a port number from 1 to 65535`,
      expect.stringMatching(new RegExp(`^GPU_HOSTS_FILE ${path}: host "a100-1" gpu_type expects one of `)),
      `GPU_HOSTS_FILE ${path}: host "b" key_path cannot be read (no such file: ${join(dir, 'missing')})`,
      `GPU_HOSTS_FILE ${path}: host "a100-1" name is also the name of host #1; names must be unique`,
    ]);
  });

  it('says so when the file cannot be read', () => {
    expect(lines({ GPU_HOSTS_FILE: join(dir, 'absent.yaml') })).toEqual([
      `GPU_HOSTS_FILE ${join(dir, 'absent.yaml')}: cannot be read (no such file)`,
    ]);
  });

  it('decrypts a key with the passphrase from the variable key_passphrase_env names, and never shows it', () => {
    const path = file('enc.yaml', `hosts:\n${host({ key_path: encrypted, key_passphrase_env: 'A100_KEY_PASS' })}\n`);
    const config = loadConfig({ ...http, GPU_HOSTS_FILE: path, A100_KEY_PASS: PASSPHRASE });
    const h = config.gpu?.hosts[0];
    expect(h?.auth.kind === 'key' && h.auth.key.material().passphrase).toBe(PASSPHRASE);
    const shown = [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      String(h?.auth.kind === 'key' && h.auth.key),
    ];
    const keyText = readFileSync(encrypted, 'utf8').split('\n')[1] as string;
    for (const text of shown) {
      expect(text).not.toContain(PASSPHRASE);
      expect(text).not.toContain(keyText);
      expect(text).toContain('[redacted ssh-ed25519 private key]');
    }

    const wrong = lines({ GPU_HOSTS_FILE: path, A100_KEY_PASS: 'not it at all' });
    expect(wrong).toEqual([
      `GPU_HOSTS_FILE ${path}: host "a100-1" key_path ${encrypted} could not be decrypted with the passphrase given`,
    ]);
    expect(lines({ GPU_HOSTS_FILE: path })).toEqual([
      `GPU_HOSTS_FILE ${path}: host "a100-1" key_passphrase_env names A100_KEY_PASS, which is not set`,
      `GPU_HOSTS_FILE ${path}: host "a100-1" key_path ${encrypted} is encrypted: set key_passphrase_env to the name of an environment variable that holds its passphrase`,
    ]);
  });

  it('never quotes a key file’s contents back, even when it is not a key', () => {
    const notKey = file('secret.txt', 'hunter2-super-secret-token-value');
    const path = file('notkey.yaml', `hosts:\n${host({ key_path: notKey })}\n`);
    const out = lines({ GPU_HOSTS_FILE: path });
    expect(out).toEqual([
      `GPU_HOSTS_FILE ${path}: host "a100-1" key_path ${notKey} is not a private key the bot can read (OpenSSH, PEM or PuTTY format)`,
    ]);
    expect(out.join('\n')).not.toContain('hunter2');
    const pub = file('pub.yaml', `hosts:\n${host({ key_path: `${key}.pub` })}\n`);
    expect(lines({ GPU_HOSTS_FILE: pub })[0]).toMatch(
      /is a public key; point it at the private key \(without \.pub\)$/,
    );
  });
});

describe('GPU_SSH_* (one host)', () => {
  const one = {
    GPU_SSH_HOST: 'gpu1.lan',
    GPU_SSH_USER: 'train',
    GPU_SSH_KEY_PATH: key,
    GPU_SSH_HOST_KEY: FP,
    GPU_SSH_GPU_TYPE: 'L40S',
  };

  it('configures one host, named after its address unless GPU_SSH_NAME says otherwise', () => {
    const { gpu } = loadConfig({ ...http, ...one, GPU_SSH_GPU_COUNT: '2' });
    expect(gpu).toMatchObject({
      source: 'env',
      hosts: [
        { name: 'gpu1.lan', address: 'gpu1.lan', port: 22, user: 'train', gpuType: 'L40S', gpuCount: 2, maxJobs: 2 },
      ],
    });
    const named = loadConfig({
      ...http,
      ...one,
      GPU_SSH_NAME: 'lab',
      GPU_SSH_PORT: '2200',
      GPU_SSH_PYTHON: '/venv/bin/python',
      GPU_SSH_WORK_DIR: '/scratch/ft',
      GPU_SSH_MAX_JOBS: '3',
    }).gpu?.hosts[0];
    expect(named).toMatchObject({
      name: 'lab',
      port: 2200,
      python: '/venv/bin/python',
      workDir: '/scratch/ft',
      maxJobs: 3,
    });
  });

  it('leaves gpu out of the config when no GPU variable is set', () => {
    expect(loadConfig(http).gpu).toBeUndefined();
  });

  it.each([
    [{ GPU_SSH_PORT: 'ssh' }, 'GPU_SSH_PORT expects a port number from 1 to 65535'],
    [{ GPU_SSH_HOST_KEY: 'abc' }, /^GPU_SSH_HOST_KEY expects the host key’s SHA256 fingerprint/],
    [
      { GPU_SSH_HOST_KEY: undefined },
      /^GPU_SSH_HOST_KEY is required with GPU_SSH_HOST: the host key’s SHA256 fingerprint/,
    ],
    [{ GPU_SSH_USER: undefined }, 'GPU_SSH_USER is required with GPU_SSH_HOST'],
    [{ GPU_SSH_GPU_TYPE: undefined }, /^GPU_SSH_GPU_TYPE is required with GPU_SSH_HOST: one of A10G, /],
    [{ GPU_SSH_GPU_TYPE: 'V100' }, /^GPU_SSH_GPU_TYPE expects one of A10G, /],
    [
      { GPU_SSH_KEY_PATH: join(tmpdir(), 'no-such-key') },
      `GPU_SSH_KEY_PATH cannot be read (no such file: ${join(tmpdir(), 'no-such-key')})`,
    ],
    [
      { GPU_SSH_KEY_PATH: undefined },
      /^GPU_SSH_KEY_PATH is required: the private key to log in with \(or run the bot with an SSH agent/,
    ],
    [{ GPU_SSH_KEY_PATH: encrypted }, `GPU_SSH_KEY_PATH ${encrypted} is encrypted: set GPU_SSH_KEY_PASSPHRASE`],
    [{ GPU_SSH_MAX_JOBS: '0' }, 'GPU_SSH_MAX_JOBS expects a whole number of jobs at once from 1 to 64'],
    [{ GPU_SSH_HOST: 'bad host' }, 'GPU_SSH_HOST expects a host name or IP address'],
    [{ GPU_SSH_HOST: undefined }, 'GPU_SSH_HOST is required when other GPU_SSH_ variables are set'],
  ])('%j → one line naming the variable', (change, line) => {
    const out = lines({ ...one, ...change });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(line);
  });

  it('refuses GPU_SSH_* beside GPU_HOSTS_FILE, naming each', () => {
    expect(lines({ GPU_HOSTS_FILE: '/etc/gpu-hosts.yaml', GPU_SSH_HOST: 'gpu1', GPU_SSH_PORT: '22' })).toEqual([
      'GPU_SSH_HOST cannot be used with GPU_HOSTS_FILE; describe the host in the file instead',
      'GPU_SSH_PORT cannot be used with GPU_HOSTS_FILE; describe the host in the file instead',
    ]);
  });

  it('decrypts with GPU_SSH_KEY_PASSPHRASE', () => {
    const config = loadConfig({ ...http, ...one, GPU_SSH_KEY_PATH: encrypted, GPU_SSH_KEY_PASSPHRASE: PASSPHRASE });
    expect(config.gpu?.hosts[0]?.auth.kind).toBe('key');
    expect(JSON.stringify(config)).not.toContain(PASSPHRASE);
  });
});

describe('pinned fingerprints', () => {
  it('takes the SHA256 token or the whole ssh-keygen -lf line', () => {
    expect(parseHostKey(FP)).toEqual({ fingerprint: FP });
    expect(parseHostKey(`256 ${FP} root@vm (ED25519)`)).toEqual({ fingerprint: FP, type: 'ED25519' });
    expect(parseHostKey(`3072 ${FP} a comment with spaces (RSA)`)).toEqual({ fingerprint: FP, type: 'RSA' });
    // 43 characters, but not the base64 of 32 bytes (the last character carries spare bits).
    expect(parseHostKey(`${FP.slice(0, -1)}z`)).toHaveProperty('problem');
  });
});

describe('documentation', () => {
  it('documents every GPU variable in README and .env.example', () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = readFileSync('.env.example', 'utf8');
    expect(GPU_VARIABLES.length).toBe(13);
    for (const name of GPU_VARIABLES) {
      expect(readme, `README documents ${name}`).toContain(`\`${name}\``);
      expect(example, `.env.example lists ${name}`).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
  });
});
