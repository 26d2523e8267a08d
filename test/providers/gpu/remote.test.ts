import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SshError } from '../../../src/providers/gpu/errors.ts';
import { RemoteHost, splitCompleteLines } from '../../../src/providers/gpu/remote.ts';
import type { SshPool } from '../../../src/providers/gpu/ssh-pool.ts';
import { type Sshd, startSshd } from '../../support/sshd.ts';
import { eventually, groupMembers, hostFor, poolFor, procStat, sleep } from './helpers.ts';

let sshd: Sshd;
let pool: SshPool;
let remote: RemoteHost;
let work: string;
let seq = 0;
/** A fresh job folder name per test; ids follow our pattern. */
const nextJobId = () => `ft-${'abcdefgh'[seq % 8]}${'jkmnpqrs'[Math.floor(seq++ / 8) % 8]}2345`;

beforeAll(async () => {
  sshd = await startSshd();
  work = join(sshd.dir, 'jobs');
  pool = poolFor([hostFor(sshd, { workDir: work })]);
  remote = new RemoteHost(pool.connection('test-gpu'), work);
});
const started: number[] = [];
afterEach(async () => {
  for (const pgid of started.splice(0)) await remote.signalGroup(pgid, 'KILL').catch(() => {});
});
afterAll(async () => {
  await pool?.close();
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

/** A deterministic multi-MB stream in uneven chunks, hashed as it is produced. */
async function* generated(totalBytes: number, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  let sent = 0;
  let n = 0;
  while (sent < totalBytes) {
    const size = Math.min(totalBytes - sent, 1 + ((n++ * 7919) % 100_000));
    const chunk = randomBytes(size);
    hash.update(chunk);
    sent += size;
    yield chunk;
  }
}

describe('paths and folders', () => {
  it('resolves the work directory and job folders; refuses what is not a job id', async () => {
    expect(await remote.workDir()).toBe(work);
    expect(await remote.jobDir('ft-abc234')).toBe(`${work}/ft-abc234`);
    for (const bad of ['ft-ABC234', 'ft-abc23', '../etc', 'ft-abc23l', "ft-abc234'; rm -rf ~"]) {
      expect((await failure(remote.jobDir(bad))).kind).toBe('invalid');
    }
  });

  it('resolves ~ against the SSH user’s home on the host', async () => {
    const home = new RemoteHost(pool.connection('test-gpu'), '~/finetune-bot-jobs');
    const homeDir = (await remote.exec('printf %s "$HOME"')).stdout;
    expect(await home.workDir()).toBe(`${homeDir}/finetune-bot-jobs`);
  });

  it('mkdirp creates nested private folders and is idempotent', async () => {
    const dir = `${await remote.jobDir(nextJobId())}/a/b`;
    await remote.mkdirp(dir);
    await remote.mkdirp(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(await remote.stat(dir)).toMatchObject({ isDirectory: true, isFile: false });
  });

  it('refuses relative paths and dot segments before sending anything', async () => {
    for (const bad of ['relative/path', '/a/../b', '/a/./b', '/a//b', '/a\nb']) {
      expect((await failure(remote.mkdirp(bad))).kind).toBe('invalid');
      expect((await failure(remote.exists(bad))).kind).toBe('invalid');
    }
  });

  it('exists and stat tell a file from nothing', async () => {
    expect(await remote.exists(sshd.hostKey.path)).toBe(true);
    expect(await remote.exists(join(sshd.dir, 'no-such-file'))).toBe(false);
    expect(await remote.stat(join(sshd.dir, 'no-such-file'))).toBeUndefined();
    expect(await remote.stat(sshd.hostKey.path)).toMatchObject({
      isFile: true,
      size: statSync(sshd.hostKey.path).size,
    });
  });
});

describe('writeFile over SFTP', () => {
  it('streams a generated multi-MB file that arrives byte-identical, and reports progress', async () => {
    const dir = await remote.jobDir(nextJobId());
    await remote.mkdirp(dir);
    const local = createHash('sha256');
    const total = 12 * 1024 * 1024 + 17;
    const progress: number[] = [];
    const { bytes } = await remote.writeFile(`${dir}/train.jsonl`, generated(total, local), {
      onProgress: (n) => progress.push(n),
    });
    expect(bytes).toBe(total);
    expect(progress.at(-1)).toBe(total);
    expect(progress.length).toBeGreaterThan(10);
    const expected = local.digest('hex');
    // Checked on the host, and on the disk the host wrote to.
    const remoteSum = await remote.execOk('sha256sum --', [`${dir}/train.jsonl`]);
    expect(remoteSum.split(' ')[0]).toBe(expected);
    expect(
      createHash('sha256')
        .update(readFileSync(`${dir}/train.jsonl`))
        .digest('hex'),
    ).toBe(expected);
    expect(statSync(`${dir}/train.jsonl`).mode & 0o777).toBe(0o600);
    // Nothing left behind but the file itself.
    expect((await remote.execOk('ls -A --', [dir])).trim()).toBe('train.jsonl');
  });

  it('writes buffers and strings, replacing an existing file atomically', async () => {
    const dir = await remote.jobDir(nextJobId());
    await remote.mkdirp(dir);
    await remote.writeFile(`${dir}/spec.json`, '{"v":1}');
    await remote.writeFile(`${dir}/spec.json`, Buffer.from('{"v":2}'), { mode: 0o644 });
    expect(readFileSync(`${dir}/spec.json`, 'utf8')).toBe('{"v":2}');
    expect(statSync(`${dir}/spec.json`).mode & 0o777).toBe(0o644);
  });

  it('hands back the source’s own error when the data fails mid-way, and leaves nothing behind', async () => {
    const dir = await remote.jobDir(nextJobId());
    await remote.mkdirp(dir);
    const cut = new Error('the Slack download was cut short');
    async function* failing() {
      yield randomBytes(300_000);
      throw cut;
    }
    await expect(remote.writeFile(`${dir}/train.jsonl`, failing())).rejects.toBe(cut);
    expect((await remote.execOk('ls -A --', [dir])).trim()).toBe('');
  });

  it('says not_found when the folder is missing, and leaves nothing behind', async () => {
    const error = await failure(remote.writeFile(`${work}/ft-zzzzzz/x/spec.json`, 'x'));
    expect(error.kind).toBe('not_found');
  });
});

describe('readFrom: tailing a growing file', () => {
  it('reads from an offset; appends between reads are neither lost nor repeated', async () => {
    const dir = await remote.jobDir(nextJobId());
    mkdirSync(dir, { recursive: true });
    const path = `${dir}/events.jsonl`;
    const written: string[] = [];
    const read: string[] = [];
    let offset = 0;
    const readNew = async (maxBytes?: number) => {
      const chunk = await remote.readFrom(path, offset, maxBytes);
      const { lines, consumed } = splitCompleteLines(chunk.bytes);
      read.push(...lines);
      offset += consumed;
      return chunk;
    };

    expect((await failure(remote.readFrom(path, 0))).kind).toBe('not_found');
    writeFileSync(path, '');
    expect(await remote.readFrom(path, 0)).toEqual({ bytes: Buffer.alloc(0), offset: 0, size: 0 });

    for (let step = 0; step < 30; step++) {
      const line = JSON.stringify({ type: 'step', step, loss: 1 / (step + 1), note: 'é'.repeat(step % 5) });
      written.push(line);
      // The trainer writes a line in two parts now and then: the half line waits for the next read.
      if (step % 4 === 3) {
        appendFileSync(path, line.slice(0, 10));
        await readNew();
        appendFileSync(path, `${line.slice(10)}\n`);
      } else {
        appendFileSync(path, `${line}\n`);
      }
      if (step % 3 === 0) await readNew(step % 2 === 0 ? 120 : undefined);
    }
    // Small reads, each larger than the longest line (a read with no newline in it consumes nothing).
    while (offset < statSync(path).size) await readNew(100);
    expect(read).toEqual(written);
    expect(offset).toBe(statSync(path).size);
  });

  it('returns new offsets and sizes, and an empty read past the end', async () => {
    const dir = await remote.jobDir(nextJobId());
    mkdirSync(dir, { recursive: true });
    const path = `${dir}/log`;
    writeFileSync(path, 'abcdefghij');
    expect(await remote.readFrom(path, 0, 4)).toEqual({ bytes: Buffer.from('abcd'), offset: 4, size: 10 });
    expect(await remote.readFrom(path, 4, 100)).toEqual({ bytes: Buffer.from('efghij'), offset: 10, size: 10 });
    expect(await remote.readFrom(path, 10)).toEqual({ bytes: Buffer.alloc(0), offset: 10, size: 10 });
    // A file replaced by a shorter one: size below the offset says so.
    writeFileSync(path, 'xy');
    expect(await remote.readFrom(path, 10)).toEqual({ bytes: Buffer.alloc(0), offset: 10, size: 2 });
    expect((await failure(remote.readFrom(path, -1))).kind).toBe('invalid');
  });

  it('reads more than one SFTP packet at once', async () => {
    const dir = await remote.jobDir(nextJobId());
    mkdirSync(dir, { recursive: true });
    const data = randomBytes(3 * 1024 * 1024);
    writeFileSync(`${dir}/big`, data);
    const chunk = await remote.readFrom(`${dir}/big`, 1000, 2 * 1024 * 1024);
    expect(chunk.bytes.equals(data.subarray(1000, 1000 + 2 * 1024 * 1024))).toBe(true);
    expect(chunk.offset).toBe(1000 + 2 * 1024 * 1024);
  });

  it('splits only at complete lines', () => {
    expect(splitCompleteLines(Buffer.from('a\nb\r\nhalf'))).toEqual({ lines: ['a', 'b'], consumed: 5 });
    expect(splitCompleteLines(Buffer.from('no newline yet'))).toEqual({ lines: [], consumed: 0 });
    expect(splitCompleteLines(Buffer.from('\n'))).toEqual({ lines: [''], consumed: 1 });
  });
});

describe('exec with quoted arguments', () => {
  it('passes hostile arguments through as plain words, never as shell syntax', async () => {
    const marker = join(sshd.dir, 'pwned');
    const args = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `'; touch ${marker}; '`,
      '"double" \\back\\slash',
      'two words',
      'line\nbreak',
      '--help',
      '*',
      '~',
      '$HOME',
      'ünïcødé ✓',
      '',
    ];
    const result = await remote.exec("printf '%s\\0'", args);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(args);
    expect(existsSync(marker)).toBe(false);
    const argv = await remote.execArgv(['printf', '[%s]', 'a b', "c'd"]);
    expect(argv.stdout).toBe("[a b][c'd]");
  });

  it('execOk throws command_failed with the exit code and the end of stderr', async () => {
    const error = await failure(remote.execOk('ls --', [join(sshd.dir, 'nothing-here')]));
    expect(error.kind).toBe('command_failed');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/No such file or directory/);
  });

  it('accepts only string literals as command text (checked by tsc)', () => {
    const typed: string = 'echo from a variable';
    // @ts-expect-error a runtime string is not a FixedCommand
    expect(() => remote.exec(typed)).toBeTypeOf('function');
    expect(remote.exec('true')).toBeInstanceOf(Promise);
  });
});

describe('detached processes', () => {
  it('survive the connection being cut, keep writing, and the pool reconnects', async () => {
    const dir = await remote.jobDir(nextJobId());
    await remote.mkdirp(dir);
    const script = 'for i in $(seq 1 40); do echo "$i" >> ticks; sleep 0.1; done; echo 0 > exit_code';
    const proc = await remote.startDetached(dir, ['/bin/sh', '-c', script], { env: { FTBOT_TEST: "it's set" } });
    expect(proc).toMatchObject({ launcher: 'setsid', alreadyStarted: false });
    expect(proc.pgid).toBeGreaterThan(1);
    started.push(proc.pgid as number);
    // The process leads its own group, in its own session, as recorded.
    expect(procStat(proc.pgid as number)).toMatchObject({ pgid: proc.pgid, sid: proc.pgid });
    expect(await remote.detachedPgid(dir)).toBe(proc.pgid);
    expect(await remote.groupAlive(proc.pgid as number)).toBe(true);

    const connects = pool.connection('test-gpu').stats().connects;
    expect(await sshd.cutConnections()).toBeGreaterThan(0);
    const ticksAtCut = readFileSync(join(dir, 'ticks'), 'utf8').split('\n').length;
    await sleep(500);
    // Still running after the cut: it kept writing.
    expect(readFileSync(join(dir, 'ticks'), 'utf8').split('\n').length).toBeGreaterThan(ticksAtCut);
    expect(await eventually('the reconnect', () => remote.groupAlive(proc.pgid as number))).toBe(true);
    expect(pool.connection('test-gpu').stats().connects).toBe(connects + 1);

    await eventually('the process to finish', async () => {
      if (!existsSync(join(dir, 'exit_code'))) throw new Error('running');
    });
    expect(readFileSync(join(dir, 'ticks'), 'utf8').trim().split('\n')).toHaveLength(40);
    await eventually('the group to be gone', async () => {
      if (await remote.groupAlive(proc.pgid as number)) throw new Error('alive');
    });
  });

  it('starts at most once per folder: a repeated start finds the first process', async () => {
    const dir = await remote.jobDir(nextJobId());
    await remote.mkdirp(dir);
    const first = await remote.startDetached(dir, ['sleep', '30'], { launcher: 'setsid' });
    started.push(first.pgid as number);
    const again = await remote.startDetached(dir, ['sleep', '30']);
    expect(again).toEqual({ pgid: first.pgid, launcher: 'setsid', alreadyStarted: true });
    expect(groupMembers(first.pgid as number)).toHaveLength(1);
  });

  it('writes the process’s output to the log file and passes its environment', async () => {
    const dir = await remote.jobDir(nextJobId());
    await remote.mkdirp(dir);
    const proc = await remote.startDetached(
      dir,
      ['/bin/sh', '-c', 'echo "out $FTBOT_TEST"; echo err >&2; pwd; echo 3 > exit_code'],
      { env: { FTBOT_TEST: "it's $set" }, logFile: 'trainer.log' },
    );
    started.push(proc.pgid as number);
    await eventually('the process to finish', async () => {
      if (!existsSync(join(dir, 'exit_code'))) throw new Error('running');
    });
    expect(readFileSync(join(dir, 'trainer.log'), 'utf8')).toBe(`out it's $set\nerr\n${dir}\n`);
  });

  it('signals the whole process group: TERM stops it and its children', async () => {
    const dir = await remote.jobDir(nextJobId());
    await remote.mkdirp(dir);
    const proc = await remote.startDetached(dir, ['/bin/sh', '-c', 'sleep 60 & sleep 60 & wait']);
    const pgid = proc.pgid as number;
    started.push(pgid);
    await eventually('the children', async () => {
      const n = groupMembers(pgid).length;
      if (n < 3) throw new Error(`${n} processes`);
    });
    expect(await remote.signalGroup(pgid, 'TERM')).toBe(true);
    await eventually('the group to stop', async () => {
      if (await remote.groupAlive(pgid)) throw new Error('alive');
    });
    expect(groupMembers(pgid)).toEqual([]);
    // Once the last of them is reaped, there is no such group to signal.
    await eventually('no such group', async () => {
      if (await remote.signalGroup(pgid, 'KILL')) throw new Error('still there');
    });
  });

  it('refuses dangerous process groups, unknown signals and bad folders', async () => {
    for (const pgid of [0, 1, -5, 2.5, Number.NaN]) {
      expect((await failure(remote.signalGroup(pgid, 'TERM'))).kind).toBe('invalid');
    }
    expect((await failure(remote.signalGroup(1234, 'BOOM' as 'TERM'))).kind).toBe('invalid');
    expect((await failure(remote.startDetached(`${work}/has space`, ['true']))).kind).toBe('invalid');
    expect((await failure(remote.startDetached(`${work}/$HOME`, ['true']))).kind).toBe('invalid');
    expect((await failure(remote.startDetached(`${work}/ft-nnnnnn`, ['true']))).kind).toBe('not_found');
    expect((await failure(remote.startDetached(work, ['true'], { launcher: 'systemd' }))).kind).toBe('unsupported');
  });
});
