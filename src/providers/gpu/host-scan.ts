import { randomBytes } from 'node:crypto';
import { SshError } from './errors.ts';
import type { RemoteHost } from './remote.ts';
import { isJobId } from './shell.ts';
import { readEvents, type TrainerEvent } from './trainer-events.ts';

/**
 * One exec per host that says everything the adapter needs about the job folders there: for every
 * folder, whether it was launched, its exit_code, its process group and whether that lives, and
 * whether it waits in the queue or was cancelled; for the jobs asked about, their first events (the
 * `started` line and the moment the GPU was taken) and the tail of events.jsonl. The script is
 * fixed text; the work dir, the tail size and the job ids (checked against JOB_ID) are quoted
 * arguments. Sections are framed by a random boundary, so no file content can forge one.
 */

/** One job folder, as the host sees it. */
export interface FolderRow {
  id: string;
  /** startDetached ran in it (the `.launched` marker). */
  launched: boolean;
  exitCode: number | null;
  pgid: number | null;
  /** Whether its process group lives; null when there is nothing to ask (not launched, or ended). */
  alive: boolean | null;
  /** When start() queued it (the `queued` marker), ISO; null when it was never queued. */
  queuedAt: string | null;
  /** Marked cancelled before it launched. */
  cancelled: boolean;
  /** The GPU index it was given at launch (CUDA_VISIBLE_DEVICES), when it was. */
  gpu: number | null;
}

export interface JobEvents {
  /** Events from the whole file's start (started, and the tokenizing phase when the GPU was taken). */
  head: TrainerEvent[];
  /** The newest events, from the tail. */
  tail: TrainerEvent[];
  /** events.jsonl's size when read. */
  size: number;
}

export interface HostScan {
  /** False when the work dir does not exist yet (nothing was ever prepared there). */
  workDir: boolean;
  folders: Map<string, FolderRow>;
  events: Map<string, JobEvents>;
}

const SCRIPT = [
  'set -u',
  'B=$1; W=$2; T=$3; shift 3; IDS="$*"',
  // Live process groups, once: /proc where there is one (zombies do not count), else ps.
  'live_groups() {',
  '  if [ -r /proc/self/stat ]; then',
  '    for f in /proc/[0-9]*/stat; do',
  '      read -r line 2>/dev/null <"$f" || continue',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
  '      set -f; set -- ${line##*) }; set +f',
  '      [ "$1" != Z ] && printf " %s" "$3"',
  '    done',
  '  elif command -v ps >/dev/null 2>&1; then',
  '    ps -eo pgid=,stat= | awk \'$2 !~ /^Z/ { printf " %s", $1 }\'',
  '  fi',
  '  echo " "',
  '}',
  'cd "$W" 2>/dev/null || { printf "%s W missing\\n%s E\\n" "$B" "$B"; exit 0; }',
  'printf "%s W ok\\n" "$B"',
  'LIVE=$(live_groups)',
  'for d in ft-??????; do',
  '  [ -d "$d" ] || continue',
  '  l=0; [ -e "$d/.launched" ] && l=1',
  '  x=-; if [ -f "$d/exit_code" ]; then read -r x <"$d/exit_code" || true; [ -n "$x" ] || x=-; fi',
  '  p=-; if [ -s "$d/pgid" ]; then read -r p <"$d/pgid" || true; [ -n "$p" ] || p=-; fi',
  '  a=-',
  '  if [ "$l" = 1 ] && [ "$x" = - ]; then',
  '    if [ "$p" != - ]; then',
  '      case "$p" in',
  '        *[!0-9]*) a=0 ;;',
  '        *) if [ "$LIVE" != " " ]; then case "$LIVE" in *" $p "*) a=1 ;; *) a=0 ;; esac',
  '           elif kill -0 -- "-$p" 2>/dev/null; then a=1; else a=0; fi ;;',
  '      esac',
  // Launched but no process group recorded: starting, or a launch that died before it ran.
  '    elif [ -n "$(find "$d/.launched" -mmin +2 2>/dev/null)" ]; then a=0',
  '    else a=1; fi',
  '  fi',
  '  q=-; if [ -s "$d/queued" ]; then read -r q <"$d/queued" || true; [ -n "$q" ] || q=-; fi',
  '  c=0; [ -e "$d/cancelled" ] && c=1',
  '  g=-; if [ -s "$d/gpu" ]; then read -r g <"$d/gpu" || true; [ -n "$g" ] || g=-; fi',
  '  printf "%s F %s %s %s %s %s %s %s %s\\n" "$B" "$d" "$l" "$x" "$p" "$a" "$q" "$c" "$g"',
  'done',
  'for id in $IDS; do',
  '  e="$id/events.jsonl"',
  '  [ -f "$e" ] || continue',
  '  printf "%s H %s\\n" "$B" "$id"',
  '  grep -m 3 -E \'"type":"started"|"phase":"tokenizing"\' "$e" 2>/dev/null',
  '  s=$(wc -c <"$e")',
  '  printf "\\n%s T %s %s\\n" "$B" "$id" $s',
  '  tail -c "$T" "$e"',
  '  printf "\\n"',
  'done',
  'printf "%s E\\n" "$B"',
].join('\n');

export interface ScanOptions {
  /** Bytes of each events.jsonl's end to read. Default 64 KiB. */
  tailBytes?: number;
  timeoutMs?: number;
}

/** Scans the host's work dir; `ids` are the jobs whose events are wanted. */
export async function scanHost(remote: RemoteHost, ids: readonly string[], opts: ScanOptions = {}): Promise<HostScan> {
  const tailBytes = opts.tailBytes ?? 64 * 1024;
  const wanted = [...new Set(ids)].filter(isJobId);
  const boundary = `@@ftbot-${randomBytes(8).toString('hex')}`;
  const workDir = await remote.workDir();
  const result = await remote.exec('exec /bin/sh -c', [SCRIPT, 'sh', boundary, workDir, String(tailBytes), ...wanted], {
    timeoutMs: opts.timeoutMs ?? 60_000,
    maxStdoutBytes: (wanted.length + 1) * (tailBytes + 16 * 1024) + 1024 * 1024,
  });
  if (result.code !== 0) {
    throw new SshError('command_failed', remote.name, `GPU host "${remote.name}": reading the job folders failed.`, {
      hint: 'Check the work directory on the host (permissions, a full disk).',
      exitCode: result.code,
      stderr: result.stderr,
    });
  }
  const scan = parseScan(result.stdout, boundary, tailBytes);
  if (!scan) {
    throw new SshError('protocol', remote.name, `GPU host "${remote.name}": the job folders' listing was cut short.`, {
      hint: 'The bot asks again on its next round.',
      retryable: true,
    });
  }
  return scan;
}

const FOLDER = /^(\S+) ([01]) (-|-?\d+) (-|\d+) (-|[01]) (\S+) ([01])(?: (-|\d{1,3}))?$/;

/** The script's output as data; undefined when it was cut short (it always ends with an E line). Pure. */
export function parseScan(stdout: string, boundary: string, tailBytes: number): HostScan | undefined {
  const scan: HostScan = { workDir: false, folders: new Map(), events: new Map() };
  const marker = `${boundary} `;
  // Each section starts at a line beginning with the boundary; a section's body runs to the
  // newline that precedes the next marker.
  const parts = `\n${stdout}`.split(`\n${marker}`).slice(1);
  if (!parts.at(-1)?.startsWith('E')) return undefined;
  for (const part of parts) {
    const eol = part.indexOf('\n');
    const header = eol < 0 ? part : part.slice(0, eol);
    const body = eol < 0 ? '' : part.slice(eol + 1);
    const [kind, ...rest] = header.split(' ');
    if (kind === 'W') scan.workDir = rest[0] === 'ok';
    else if (kind === 'F') {
      const m = FOLDER.exec(rest.join(' '));
      if (!m || !isJobId(m[1] as string)) continue;
      const [, id, l, x, p, a, q, c, g] = m as unknown as string[];
      scan.folders.set(id as string, {
        id: id as string,
        launched: l === '1',
        exitCode: x === '-' ? null : Number(x),
        pgid: p === '-' || Number(p) < 2 ? null : Number(p),
        alive: a === '-' ? null : a === '1',
        queuedAt: q === '-' || !Number.isFinite(Date.parse(q as string)) ? null : (q as string),
        cancelled: c === '1',
        gpu: g === undefined || !/^\d{1,3}$/.test(g) ? null : Number(g),
      });
    } else if (kind === 'H' && isJobId(rest[0] ?? '')) {
      const head = readEvents(Buffer.from(body.endsWith('\n') ? body : `${body}\n`), 0).events;
      scan.events.set(rest[0] as string, { head, tail: [], size: 0 });
    } else if (kind === 'T' && isJobId(rest[0] ?? '')) {
      const size = Number(rest[1]);
      const entry = scan.events.get(rest[0] as string);
      if (!entry || !Number.isSafeInteger(size)) continue;
      let bytes = Buffer.from(body, 'utf8');
      // The window began inside a line: that piece of a line is no event.
      if (size > tailBytes) bytes = bytes.subarray(bytes.indexOf(0x0a) + 1);
      entry.tail = readEvents(bytes, 0).events;
      entry.size = size;
    }
  }
  return scan;
}
