import type { HostOps } from './host-ops.ts';
import { joinRemote } from './shell.ts';

/**
 * Stopping a job on its host, gently first: the `cancel` flag (the trainer stops at its next step
 * and saves the adapter trained so far), then SIGTERM to the process group after `graceMs` (the
 * trainer saves and reports just the same, sooner), then SIGKILL after `killGraceMs`. A job still
 * in the queue is marked cancelled and never launches; the flag is set all the same, so a launch
 * racing the cancel stops at once.
 */

export interface CancelTiming {
  /** From the flag to SIGTERM. Default 30 000. */
  graceMs: number;
  /** From SIGTERM to SIGKILL. Default 10 000. */
  killGraceMs: number;
  /** How often the host is asked whether the trainer has ended. Default 1 000. */
  pollMs: number;
}

export type CancelEnd = 'queued' | 'exited' | 'terminated' | 'killed';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function cancelOnHost(ops: HostOps, jobId: string, timing: CancelTiming): Promise<CancelEnd> {
  const { remote } = ops;
  const dir = await remote.jobDir(jobId);
  const file = (name: string) => joinRemote(dir, name);
  await remote.writeFile(file('cancel'), 'cancel requested by finetune-bot\n', { mode: 0o644 });
  if (!(await remote.exists(file('.launched')))) {
    await remote.writeFile(file('cancelled'), `${new Date().toISOString()}\n`);
    // A dispatch may have launched it between the two looks: then it is stopped like any other.
    if (!(await remote.exists(file('.launched')))) return 'queued';
  }
  let pgid = await remote.detachedPgid(dir);
  const ended = async () => {
    if (await remote.exists(file('exit_code'))) return true;
    pgid ??= await remote.detachedPgid(dir);
    return pgid !== undefined && !(await remote.groupAlive(pgid));
  };
  const waitFor = async (ms: number) => {
    const until = Date.now() + ms;
    for (;;) {
      if (await ended()) return true;
      if (Date.now() >= until) return false;
      await sleep(Math.min(timing.pollMs, Math.max(1, until - Date.now())));
    }
  };
  if (await waitFor(timing.graceMs)) return 'exited';
  if (pgid !== undefined) await remote.signalGroup(pgid, 'TERM');
  if (await waitFor(timing.killGraceMs)) return 'terminated';
  if (pgid !== undefined) await remote.signalGroup(pgid, 'KILL');
  await waitFor(Math.max(2_000, timing.pollMs * 3));
  return 'killed';
}
