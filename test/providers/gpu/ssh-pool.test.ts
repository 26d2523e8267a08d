import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SshError } from '../../../src/providers/gpu/errors.ts';
import { RemoteHost } from '../../../src/providers/gpu/remote.ts';
import { type ConnectionState, fingerprintOf, keyTypeOf, type SshPool } from '../../../src/providers/gpu/ssh-pool.ts';
import { type Sshd, startSshd } from '../../support/sshd.ts';
import { eventually, hostFor, poolFor, sleep } from './helpers.ts';

let sshd: Sshd;
const pools: SshPool[] = [];
const track = (pool: SshPool) => {
  pools.push(pool);
  return pool;
};

beforeAll(async () => {
  sshd = await startSshd();
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});
afterAll(async () => {
  await sshd?.stop();
});

async function failure(promise: Promise<unknown>): Promise<SshError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SshError) return error;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

describe('host key pinning (real sshd)', () => {
  it('computes fingerprints exactly as ssh-keygen -lf prints them', () => {
    const blob = Buffer.from(sshd.hostKey.publicKey.split(' ')[1] as string, 'base64');
    expect(fingerprintOf(blob)).toBe(sshd.hostKey.fingerprint);
    expect(keyTypeOf(blob)).toBe('ssh-ed25519');
  });

  it('connects when the host presents the pinned key', async () => {
    const pool = track(poolFor([hostFor(sshd)]));
    const result = await pool.connection('test-gpu').exec('echo connected');
    expect(result).toMatchObject({ code: 0, stdout: 'connected\n' });
  });

  it('accepts the whole ssh-keygen -lf line and asks for that key type only', async () => {
    const pool = track(
      poolFor([hostFor(sshd, { hostKey: { fingerprint: sshd.hostKey.fingerprint, type: 'ED25519' } })]),
    );
    expect((await pool.connection('test-gpu').exec('true')).code).toBe(0);
  });

  it('refuses a host whose key is not the pinned one, names both fingerprints, and runs nothing', async () => {
    const other = sshd.makeKey('other_host_key');
    const logins = sshd.acceptedLogins();
    const marker = join(sshd.dir, 'must-not-exist');
    const pool = track(poolFor([hostFor(sshd, { hostKey: { fingerprint: other.fingerprint } })]));
    const error = await failure(pool.connection('test-gpu').exec(`touch ${marker}`));
    expect(error.kind).toBe('host_key_mismatch');
    expect(error.retryable).toBe(false);
    expect(error.expected).toBe(other.fingerprint);
    expect(error.seen).toBe(sshd.hostKey.fingerprint);
    expect(error.message).toContain(other.fingerprint);
    expect(error.message).toContain(sshd.hostKey.fingerprint);
    expect(error.message).toContain('ssh-ed25519');
    expect(error.hint).toMatch(/ssh-keygen -lf/);
    // Refused during key exchange: the server never saw an authentication attempt.
    expect(existsSync(marker)).toBe(false);
    await sleep(100);
    expect(sshd.acceptedLogins()).toBe(logins);
    // And while the pool waits to retry, operations fail fast with the same verdict.
    const again = await failure(pool.connection('test-gpu').exec('true'));
    expect(again.kind).toBe('host_key_mismatch');
  });

  it('says auth when the host refuses the key', async () => {
    const stranger = sshd.makeKey('stranger');
    const pool = track(poolFor([hostFor(sshd, { key: stranger })]));
    const error = await failure(pool.connection('test-gpu').exec('true'));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(stranger.path);
    expect(error.message).toContain(`"${sshd.user}"`);
    expect(error.hint).toMatch(/authorized_keys/);
    expect(JSON.stringify(error)).not.toContain(stranger.privateKey.toString('utf8').split('\n')[1]);
  });

  it('says unreachable, retryably, when nothing listens', async () => {
    const pool = track(poolFor([hostFor(sshd, { port: 1 })]));
    const error = await failure(pool.connection('test-gpu').exec('true'));
    expect(error).toMatchObject({ kind: 'unreachable', retryable: true, host: 'test-gpu' });
    expect(error.message).toMatch(/refused the connection/);
  });
});

describe('one shared connection', () => {
  it('runs concurrent commands and SFTP on one connection, as channels', async () => {
    const before = sshd.acceptedLogins();
    const pool = track(poolFor([hostFor(sshd)], { maxChannels: 4 }));
    const connection = pool.connection('test-gpu');
    const remote = new RemoteHost(connection, sshd.dir);
    const jobs = Array.from({ length: 12 }, (_, i) => connection.exec(`sleep 0.2; echo ${i}`));
    const files = Array.from({ length: 4 }, () => remote.exists(sshd.hostKey.path));
    const results = await Promise.all(jobs);
    expect(await Promise.all(files)).toEqual([true, true, true, true]);
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    expect(connection.stats()).toMatchObject({ connects: 1, drops: 0, state: 'ready', openChannels: 0 });
    await sleep(100);
    expect(sshd.acceptedLogins() - before).toBe(1);
  });

  it('queues channels beyond maxChannels instead of overrunning the server’s MaxSessions', async () => {
    const pool = track(poolFor([hostFor(sshd)], { maxChannels: 2 }));
    const connection = pool.connection('test-gpu');
    await connection.exec('true');
    const running = Array.from({ length: 5 }, () => connection.exec('sleep 0.3'));
    await sleep(100);
    expect(connection.stats()).toMatchObject({ openChannels: 2, queuedChannels: 3 });
    await Promise.all(running);
    expect(connection.stats()).toMatchObject({ openChannels: 0, queuedChannels: 0 });
  });
});

describe('exec', () => {
  it('returns exit codes, stdout and stderr separately', async () => {
    const connection = track(poolFor([hostFor(sshd)])).connection('test-gpu');
    expect(await connection.exec("echo out; echo 'err line' >&2; exit 3")).toEqual({
      code: 3,
      stdout: 'out\n',
      stderr: 'err line\n',
      stdoutTruncated: false,
      stderrTruncated: false,
    });
    expect((await connection.exec('exit 0')).code).toBe(0);
    const killed = await connection.exec('kill -9 $$');
    expect(killed.code).toBeNull();
    expect(killed.signal).toBe('SIGKILL');
  });

  it('caps output: the head of stdout, the tail of stderr', async () => {
    const connection = track(poolFor([hostFor(sshd)])).connection('test-gpu');
    const result = await connection.exec('head -c 2000000 /dev/zero | tr "\\0" a; (seq 1 20000) >&2', {
      maxStdoutBytes: 1000,
      maxStderrBytes: 12,
    });
    expect(result.stdout).toBe('a'.repeat(1000));
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stderr).toBe('19999\n20000\n');
    expect(result.stderrTruncated).toBe(true);
  });

  it('passes stdin, and stops a command past its time limit', async () => {
    const connection = track(poolFor([hostFor(sshd)])).connection('test-gpu');
    expect((await connection.exec('wc -c', { stdin: 'hello' })).stdout.trim()).toBe('5');
    const started = Date.now();
    const error = await failure(connection.exec('sleep 30', { timeoutMs: 300 }));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await connection.exec('echo still fine')).stdout).toBe('still fine\n');
  });
});

describe('reconnecting', () => {
  it('sees a real cut, reconnects, and the next operation works on a new connection', async () => {
    const states: ConnectionState[] = [];
    const pool = track(poolFor([hostFor(sshd)], { onStateChange: (_host, state) => states.push(state) }));
    const connection = pool.connection('test-gpu');
    expect((await connection.exec('echo one')).stdout).toBe('one\n');
    const inFlight = failure(connection.exec('sleep 5; echo never'));
    await sleep(200);
    expect(await sshd.cutConnections()).toBeGreaterThan(0);
    const error = await inFlight;
    expect(error).toMatchObject({ kind: 'disconnected', retryable: true });
    const result = await eventually('the reconnect', () => connection.exec('echo two'));
    expect(result.stdout).toBe('two\n');
    expect(connection.stats()).toMatchObject({ connects: 2, drops: 1, state: 'ready' });
    expect(states).toEqual(['connecting', 'ready', 'connecting', 'ready']);
  });

  it('notices a connection that stops answering, by keepalive, and replaces it', async () => {
    const pool = track(poolFor([hostFor(sshd)], { keepaliveIntervalMs: 200, keepaliveCountMax: 2 }));
    const connection = pool.connection('test-gpu');
    await connection.exec('true');
    const release = await sshd.freezeConnections();
    try {
      const started = Date.now();
      await eventually('the keepalive to give up', async () => {
        if (connection.stats().drops < 1) throw new Error('not yet');
      });
      // Three missed keepalives at 200 ms, not a TCP timeout of minutes.
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await release();
    }
    expect((await eventually('a new connection', () => connection.exec('echo ok'))).stdout).toBe('ok\n');
    expect(connection.stats().connects).toBe(2);
  });

  it('backs off while the host is down, fails fast meanwhile, and comes back by itself', async () => {
    const errors: string[] = [];
    const pool = track(
      poolFor([hostFor(sshd)], {
        // Every retry 500 ms after the last failure: long enough to observe the wait, short enough to wait out.
        backoff: { initialMs: 1_000, maxMs: 1_000 },
        random: () => 0.5,
        onStateChange: (_host, state, error) => state === 'waiting' && errors.push(error?.kind ?? ''),
      }),
    );
    const connection = pool.connection('test-gpu');
    await connection.exec('true');
    await sshd.stopListener();
    try {
      const down = await eventually('the pool to give up for now', async () => {
        const e = await failure(connection.exec('true'));
        if (connection.state !== 'waiting') throw new Error(`state ${connection.state}`);
        return e;
      });
      expect(down).toMatchObject({ kind: 'unreachable', retryable: true });
      const started = Date.now();
      expect((await failure(connection.exec('true'))).kind).toBe('unreachable');
      expect(Date.now() - started).toBeLessThan(100);
      expect(connection.stats().failures).toBeGreaterThanOrEqual(1);
      expect(connection.stats().nextAttemptAt).toBeTypeOf('number');
    } finally {
      await sshd.start();
    }
    // No operation needed: the pool retries on its own schedule.
    await eventually('the pool to reconnect by itself', async () => {
      if (connection.state !== 'ready') throw new Error(connection.state);
    });
    expect((await connection.exec('echo back')).stdout).toBe('back\n');
    expect(connection.stats()).toMatchObject({ failures: 0, drops: 1 });
    expect(errors[0]).toBe('unreachable');
  });

  it('closes: operations after close fail with closed, and nothing reconnects', async () => {
    const pool = poolFor([hostFor(sshd)]);
    const connection = pool.connection('test-gpu');
    await connection.exec('true');
    await pool.close();
    expect((await failure(connection.exec('true'))).kind).toBe('closed');
    expect(() => pool.connection('test-gpu')).toThrow(SshError);
    expect(connection.stats().connects).toBe(1);
  });

  it('refuses an unknown host name with invalid', () => {
    const pool = track(poolFor([hostFor(sshd)]));
    expect(() => pool.connection('nope')).toThrow(/No GPU host is named "nope"/);
  });
});
