/**
 * The only way text reaches a remote shell: single-quoted words, and names checked against strict
 * patterns. Commands sent to a GPU host are fixed strings written in this repository with these
 * quoted words after them; nothing a person typed is ever part of the command text (specs travel as
 * files). Pure: no I/O.
 */

/** Our job ids (src/store/sqlite-jobs.ts): `ft-` and six of a 31-letter alphabet without 0/O/1/l/i. */
export const JOB_ID = /^ft-[a-hj-km-np-z2-9]{6}$/;

/** One path segment the bot names itself: a job id, `events.jsonl`, `spec.json`. */
export const PATH_SEGMENT = /^(?!\.\.?$)[A-Za-z0-9._-]{1,128}$/;

/**
 * Characters a job folder may hold. No whitespace, `$`, `%`, quotes or backslashes, so the path can
 * be handed to `systemd-run` (which expands `$VAR` and `%` specifiers) as well as quoted for `sh`.
 */
export const SAFE_DIR = /^\/[A-Za-z0-9._+@/-]*$/;

/** Signals a caller may send to a process group. */
export const SIGNALS = ['TERM', 'INT', 'HUP', 'KILL', 'USR1', 'USR2', 'CONT', 'STOP'] as const;
export type Signal = (typeof SIGNALS)[number];

/**
 * `s` as one POSIX shell word: inside single quotes nothing is special, and a single quote is
 * written as `'\''` (close, escaped quote, reopen). NUL cannot be passed in an argument at all.
 */
export function shellQuote(s: string): string {
  if (s.includes('\0')) throw new TypeError('a shell argument cannot contain NUL');
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** A command line: the fixed command text, then every argument quoted. */
export function shellCommand(fixed: string, args: readonly string[] = []): string {
  return [fixed, ...args.map(shellQuote)].filter((part) => part !== '').join(' ');
}

export function isJobId(id: string): boolean {
  return JOB_ID.test(id);
}

/**
 * Why `path` is not an absolute remote path the transport accepts, or undefined when it is: absolute,
 * no `.`/`..` segments, no empty segments, no NUL or line breaks.
 */
export function remotePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'is not an absolute path';
  if (/[\0\n\r]/.test(path)) return 'holds a NUL or line break';
  if (path === '/') return undefined;
  const segments = path.replace(/\/$/, '').slice(1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'has an empty, "." or ".." segment';
  return undefined;
}

/** `dir/name/…` where each name is one segment the bot chose (PATH_SEGMENT). */
export function joinRemote(dir: string, ...names: string[]): string {
  const problem = remotePathProblem(dir);
  if (problem) throw new TypeError(`remote folder ${JSON.stringify(dir)} ${problem}`);
  for (const name of names) {
    if (!PATH_SEGMENT.test(name)) throw new TypeError(`${JSON.stringify(name)} is not a single path segment`);
  }
  return [dir.replace(/\/+$/, ''), ...names].join('/');
}

/** The last segment of a remote path. */
export function remoteBasename(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? '';
}

/** The folder part of a remote path (`/` for a top-level entry). */
export function remoteDirname(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const at = trimmed.lastIndexOf('/');
  return at <= 0 ? '/' : trimmed.slice(0, at);
}
