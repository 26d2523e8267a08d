import { readdirSync, readFileSync } from 'node:fs';
import { type GpuHost, SshPrivateKey } from '../../../src/config/gpu.ts';
import { type PoolOptions, SshPool } from '../../../src/providers/gpu/ssh-pool.ts';
import type { KeyPair, Sshd } from '../../support/sshd.ts';

/** A GpuHost pointing at the test sshd, logging in with its authorized user key. */
export function hostFor(sshd: Sshd, overrides: Partial<GpuHost> & { key?: KeyPair } = {}): GpuHost {
  const { key = sshd.userKey, ...rest } = overrides;
  return {
    name: 'test-gpu',
    address: sshd.host,
    port: sshd.port,
    user: sshd.user,
    auth: { kind: 'key', path: key.path, key: new SshPrivateKey(key.privateKey, 'ssh-ed25519') },
    hostKey: { fingerprint: sshd.hostKey.fingerprint },
    python: 'python3',
    workDir: `${sshd.dir}/jobs`,
    gpuType: 'A100-80GB',
    gpuCount: 1,
    maxJobs: 1,
    ...rest,
  };
}

/** Quick reconnects, so the tests need not wait out production backoff. */
export const FAST: PoolOptions = {
  backoff: { initialMs: 50, maxMs: 300 },
  readyTimeoutMs: 5_000,
  keepaliveIntervalMs: 1_000,
  keepaliveCountMax: 3,
};

export function poolFor(hosts: GpuHost[], options: PoolOptions = {}): SshPool {
  return new SshPool(hosts, { ...FAST, ...options });
}

export async function eventually<T>(what: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`timed out waiting for ${what}: ${(last as Error)?.message ?? last}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process's state, group and session, from /proc (the test sshd runs on this machine). */
export function procStat(pid: number): { state: string; pgid: number; sid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state = '', , pgid, sid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, pgid: Number(pgid), sid: Number(sid) };
  } catch {
    return undefined;
  }
}

/** The live (not zombie) processes of a process group. */
export function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const stat = procStat(pid);
      return stat !== undefined && stat.pgid === pgid && stat.state !== 'Z';
    });
}
