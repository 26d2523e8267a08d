import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A real OpenSSH server for the tests, on 127.0.0.1 at a free unprivileged port, with its own host
 * and user keys (ssh-keygen) and its own sshd_config in a temporary folder. Nothing of the machine's
 * sshd is used or changed: not /etc/ssh, not its keys, not port 22. The test user is whoever runs
 * the tests (root in CI: PermitRootLogin prohibit-password lets the key in).
 *
 * Debian's openssh-server provides /usr/sbin/sshd (`.ci/run` installs it when missing); set SSHD to
 * use another binary. sshd run as root wants its privilege separation folder, /run/sshd, which only
 * the package's service start creates: it is created here when missing (an empty root-owned folder).
 */

export interface KeyPair {
  /** The private key file. */
  path: string;
  privateKey: Buffer;
  publicKey: string;
  /** As `ssh-keygen -lf` prints it: SHA256:… */
  fingerprint: string;
  /** The whole `ssh-keygen -lf` line: `256 SHA256:… comment (ED25519)`. */
  fingerprintLine: string;
}

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** The temporary folder: keys, config, log; removed by stop(). Tests may put job folders under it. */
  dir: string;
  hostKey: KeyPair;
  /** Authorized for `user`. */
  userKey: KeyPair;
  /** The listener's pid while it runs. */
  pid(): number | undefined;
  /** Everything sshd logged (LogLevel VERBOSE), e.g. to count "Accepted publickey" lines. */
  log(): string;
  /** How many logins sshd accepted so far. */
  acceptedLogins(): number;
  /** Makes another key pair in the folder (not authorized unless `authorize`). */
  makeKey(
    name: string,
    opts?: { type?: 'ed25519' | 'rsa' | 'ecdsa'; passphrase?: string; authorize?: boolean },
  ): KeyPair;
  /**
   * Cuts every live connection for real: SIGKILLs the per-connection sshd processes under the
   * listener, so clients see their TCP connection end mid-operation. The listener keeps accepting.
   * Processes started over SSH that left the session (setsid) are not sshd processes and live on.
   * Resolves with how many were killed.
   */
  cutConnections(): Promise<number>;
  /**
   * Freezes every live connection (SIGSTOP on its sshd processes): the TCP connection stays open
   * but nothing answers, as with a host that hangs or a network that drops packets. Resolves with a
   * function that kills the frozen processes (cutting those connections for good).
   */
  freezeConnections(): Promise<() => Promise<void>>;
  /** Stops the listener and cuts all connections (the port refuses until start()). */
  stopListener(): Promise<void>;
  /** Starts the listener again on the same port with the same keys. */
  start(): Promise<void>;
  /** stopListener() then start(). */
  restart(): Promise<void>;
  /** Stops everything and removes the folder. */
  stop(): Promise<void>;
}

export function findSshd(): string | undefined {
  const candidates = [process.env.SSHD, '/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd'];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function keygen(path: string, type: string, passphrase: string, comment: string): KeyPair {
  const bits = type === 'rsa' ? ['-b', '2048'] : [];
  execFileSync('ssh-keygen', ['-q', '-t', type, ...bits, '-N', passphrase, '-C', comment, '-f', path], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const fingerprintLine = execFileSync('ssh-keygen', ['-lf', `${path}.pub`], { encoding: 'utf8' }).trim();
  const fingerprint = fingerprintLine.split(/\s+/)[1] ?? '';
  return {
    path,
    privateKey: readFileSync(path),
    publicKey: readFileSync(`${path}.pub`, 'utf8').trim(),
    fingerprint,
    fingerprintLine,
  };
}

/** Pids of every process under `root` (children, grandchildren, …), from /proc. */
function descendants(root: number): Array<{ pid: number; comm: string }> {
  const parents = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      const pid = Number(entry);
      names.set(pid, comm);
      parents.set(ppid, [...(parents.get(ppid) ?? []), pid]);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: Array<{ pid: number; comm: string }> = [];
  const queue = [...(parents.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    out.push({ pid, comm: names.get(pid) ?? '' });
    queue.push(...(parents.get(pid) ?? []));
  }
  return out;
}

/** Running, not a zombie: a killed session whose parent died may wait for a reaper that never comes. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`sshd: timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startSshd(): Promise<Sshd> {
  const sshd = findSshd();
  if (!sshd) {
    throw new Error(
      'sshd not found: install Debian’s openssh-server (apt-get install -y openssh-server; .ci/run does this) or set SSHD',
    );
  }
  const user = userInfo().username;
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const dir = mkdtempSync(join(tmpdir(), 'ftbot-sshd-'));
  const hostKey = keygen(join(dir, 'ssh_host_ed25519_key'), 'ed25519', '', 'test-host');
  const userKey = keygen(join(dir, 'id_ed25519'), 'ed25519', '', 'test-user');
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, `${userKey.publicKey}\n`, { mode: 0o600 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey.path}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      `AllowUsers ${user}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitUserEnvironment no',
      'PrintMotd no',
      'PrintLastLog no',
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      // Reap dead clients quickly; the tests cut connections on purpose.
      'ClientAliveInterval 5',
      '',
    ].join('\n'),
  );
  // Fail now, with sshd's own words, if the config is wrong.
  execFileSync(sshd, ['-t', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });

  let child: ChildProcess | undefined;
  let logText = '';

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    // -D: stay in the foreground; -e: log to stderr, which we keep.
    const proc = spawn(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      logText += chunk;
    });
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`sshd exited with ${code}: ${logText.slice(-500)}`))),
    );
    exited.catch(() => {});
    const listening = until('it listens', () => logText.includes(`Server listening on 127.0.0.1 port ${port}`));
    await Promise.race([listening, exited]);
  };

  const sessionsOf = (listener: number) => descendants(listener).filter((p) => p.comm.startsWith('sshd'));
  const kill = async (sessions: Array<{ pid: number }>) => {
    for (const { pid } of sessions) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await until('the killed connections are gone', () => sessions.every((s) => !alive(s.pid)), 5_000);
  };

  const cutConnections = async (): Promise<number> => {
    const pid = child?.pid;
    if (!pid || child?.exitCode !== null || child.signalCode !== null) return 0;
    const sessions = sessionsOf(pid);
    await kill(sessions);
    return sessions.length;
  };

  const freezeConnections = async () => {
    const pid = child?.pid;
    if (!pid || child?.exitCode !== null || child.signalCode !== null) return async () => {};
    const sessions = sessionsOf(pid);
    for (const { pid: session } of sessions) process.kill(session, 'SIGSTOP');
    return () => kill(sessions);
  };

  const stopListener = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    // The sessions first would let a client reconnect before the listener goes; so the listener first
    // (its sessions outlive it), then the sessions, found while the listener's pid still names them.
    const sessions = sessionsOf(proc.pid as number);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await exited;
    await kill(sessions);
  };

  await start();

  return {
    host: '127.0.0.1',
    port,
    user,
    dir,
    hostKey,
    userKey,
    pid: () => (child && child.exitCode === null ? child.pid : undefined),
    log: () => logText,
    acceptedLogins: () => logText.match(/Accepted publickey for /g)?.length ?? 0,
    makeKey(name, opts = {}) {
      const key = keygen(join(dir, name), opts.type ?? 'ed25519', opts.passphrase ?? '', name);
      if (opts.authorize) writeFileSync(authorized, `${readFileSync(authorized, 'utf8')}${key.publicKey}\n`);
      return key;
    },
    cutConnections,
    freezeConnections,
    stopListener,
    start,
    async restart() {
      await stopListener();
      await start();
    },
    async stop() {
      await stopListener();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
