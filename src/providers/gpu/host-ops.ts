import { randomBytes } from 'node:crypto';
import type { GpuHost } from '../../config/gpu.ts';
import type { PreflightReport } from '../types.ts';
import { type HostScan, scanHost } from './host-scan.ts';
import { toPreflightReport } from './preflight.ts';
import type { Launcher, RemoteHost } from './remote.ts';
import { joinRemote } from './shell.ts';
import { queueOf, runningOf } from './snapshot.ts';
import type { PoolLogger } from './ssh-pool.ts';
import type { TrainerInstalls } from './trainer-files.ts';

/**
 * What the GPU adapter does on one host: read its job folders, keep its queue moving, run the
 * pre-flight, launch a job. Launches are serialised per host in this process; across processes a
 * folder launches at most once (startDetached's marker), and every process picks the same next job
 * (the queue's order is the folders' own), so two replicas at worst overshoot a free slot by one.
 */

export interface HostSettings {
  trainer: TrainerInstalls;
  logger?: PoolLogger;
  tailBytes: number;
  checkTimeoutMs: number;
  launcher: 'auto' | Launcher;
  now: () => Date;
}

export interface HostLoad {
  running: number;
  queued: number;
  maxJobs: number;
}

const CHECK_CACHE_MS = 10 * 60 * 1000;

// $1: the job folder, $2: the GPU index it is given.
const WRITE_GPU = 'printf "%s\\n" "$2" > "$1/.gpu.tmp" && mv -f "$1/.gpu.tmp" "$1/gpu"';

/** The lowest GPU index no running job holds; undefined on a one-GPU host (nothing to choose). */
export function freeGpu(gpuCount: number, taken: ReadonlySet<number>): number | undefined {
  if (gpuCount <= 1) return undefined;
  for (let i = 0; i < gpuCount; i++) if (!taken.has(i)) return i;
  return undefined;
}

// $1: the job folder, $2: the time. The first time a job was queued is its place in the queue.
const MARK_QUEUED =
  '[ -e "$1/queued" ] || { printf "%s\\n" "$2" > "$1/.queued.tmp" && mv -f "$1/.queued.tmp" "$1/queued"; }';
// $1: the job folder. Only a folder never launched is removed: a launched one is a job's record.
const DISCARD = [
  '[ -d "$1" ] || { echo none; exit 0; }',
  '[ -e "$1/.launched" ] && { echo launched; exit 0; }',
  'rm -rf -- "$1" && echo removed',
].join('\n');

export class HostOps {
  readonly host: GpuHost;
  readonly remote: RemoteHost;
  readonly #s: HostSettings;
  #serial: Promise<unknown> = Promise.resolve();
  readonly #checks = new Map<string, { at: number; report: PreflightReport }>();

  constructor(host: GpuHost, remote: RemoteHost, settings: HostSettings) {
    this.host = host;
    this.remote = remote;
    this.#s = settings;
  }

  get name(): string {
    return this.host.name;
  }

  scan(ids: readonly string[] = []): Promise<HostScan> {
    return scanHost(this.remote, ids, { tailBytes: this.#s.tailBytes });
  }

  /** How busy the host is now. */
  async load(): Promise<HostLoad> {
    const scan = await this.scan();
    return this.loadOf(scan);
  }

  loadOf(scan: HostScan): HostLoad {
    const rows = [...scan.folders.values()];
    return { running: runningOf(rows).length, queued: queueOf(rows).length, maxJobs: this.host.maxJobs };
  }

  /**
   * Reads the folders (events of `ids`) and launches queued jobs while slots are free, oldest
   * first. Launched rows are updated in the scan returned. Restart-safe: the queue is on the host.
   */
  dispatch(ids: readonly string[] = []): Promise<HostScan> {
    const run = this.#serial.then(async () => {
      const scan = await this.scan(ids);
      const rows = [...scan.folders.values()];
      const running = runningOf(rows);
      const free = this.host.maxJobs - running.length;
      const taken = new Set(running.map((r) => r.gpu).filter((g): g is number => g !== null));
      for (const row of queueOf(rows).slice(0, Math.max(0, free))) {
        try {
          const gpu = freeGpu(this.host.gpuCount, taken);
          await this.launch(row.id, gpu);
          if (gpu !== undefined) taken.add(gpu);
          row.gpu = gpu ?? null;
          row.launched = true;
          row.alive = true;
        } catch (error) {
          this.#s.logger?.warn({ host: this.name, job: row.id, err: error }, 'could not launch a queued GPU job');
          break;
        }
      }
      return scan;
    });
    this.#serial = run.catch(() => {});
    return run;
  }

  /**
   * Starts the trainer in the job's folder, detached; at most once per folder. With `gpu`, the job
   * sees only that GPU (CUDA_VISIBLE_DEVICES), so jobs sharing a multi-GPU host do not all train on
   * GPU 0; the index is kept in the folder so the next launch knows it is taken.
   */
  async launch(jobId: string, gpu?: number): Promise<void> {
    const dir = await this.remote.jobDir(jobId);
    const trainer = await this.#s.trainer.folder(this.remote);
    if (gpu !== undefined) await this.remote.execOk('exec /bin/sh -c', [WRITE_GPU, 'sh', dir, String(gpu)]);
    const proc = await this.remote.startDetached(
      dir,
      [this.host.python, joinRemote(trainer, this.#s.trainer.entry), dir],
      {
        launcher: this.#s.launcher,
        env: {
          PYTHONUNBUFFERED: '1',
          FTBOT_JOB_ID: jobId,
          ...(gpu !== undefined ? { CUDA_VISIBLE_DEVICES: String(gpu) } : {}),
        },
      },
    );
    this.#s.logger?.info(
      { host: this.name, job: jobId, pgid: proc.pgid, launcher: proc.launcher, again: proc.alreadyStarted },
      proc.alreadyStarted ? 'GPU job was launched before' : 'launched a GPU job',
    );
  }

  /** Puts the job in the host's queue (once: a repeat keeps its place). */
  async markQueued(jobId: string): Promise<void> {
    const dir = await this.remote.jobDir(jobId);
    await this.remote.execOk('exec /bin/sh -c', [MARK_QUEUED, 'sh', dir, this.#s.now().toISOString()]);
  }

  /** Removes a folder that never launched; true when it did. */
  async discard(jobId: string): Promise<boolean> {
    const dir = await this.remote.jobDir(jobId);
    const out = await this.remote.execOk('exec /bin/sh -c', [DISCARD, 'sh', dir]);
    return out.trim() === 'removed';
  }

  /** Runs the pre-flight on `specPath` (a spec.json in `folder`), as a report. */
  async check(specPath: string, dataUploaded: boolean): Promise<PreflightReport> {
    const trainer = await this.#s.trainer.folder(this.remote);
    const result = await this.remote.execArgv(
      [this.host.python, joinRemote(trainer, this.#s.trainer.entry), '--check', specPath],
      { timeoutMs: this.#s.checkTimeoutMs, maxStdoutBytes: 4 * 1024 * 1024 },
    );
    return toPreflightReport(this.host, result, { dataUploaded });
  }

  /**
   * The pre-flight of a job not prepared yet (the review step): spec.json in a scratch folder,
   * removed afterwards. Remembered for a few minutes, so the start's host choice can reuse it.
   */
  async checkScratch(specText: string): Promise<PreflightReport> {
    const key = specText.replace(/"job_id": "[^"]*"/, '');
    const cached = this.#checks.get(key);
    if (cached && Date.now() - cached.at < CHECK_CACHE_MS) return cached.report;
    const dir = joinRemote(await this.remote.workDir(), '.preflight', randomBytes(6).toString('hex'));
    await this.remote.mkdirp(dir);
    try {
      const specPath = joinRemote(dir, 'spec.json');
      await this.remote.writeFile(specPath, specText);
      const report = await this.check(specPath, false);
      this.#checks.set(key, { at: Date.now(), report });
      return report;
    } finally {
      await this.remote.exec('rm -rf --', [dir]).catch(() => {});
    }
  }
}
