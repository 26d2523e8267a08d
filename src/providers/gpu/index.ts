import type { GpuHost } from '../../config/gpu.ts';
import type { Catalogue } from '../../cost/catalogue.ts';
import {
  type Cursor,
  type JobSnapshot,
  type PreflightReport,
  type Provider,
  ProviderError,
  type ProviderJobRef,
} from '../types.ts';
import { type CancelTiming, cancelOnHost } from './cancel.ts';
import { readCheckpoints, readEventPage } from './event-reads.ts';
import { choosePreflight, rankHosts } from './host-choice.ts';
import { HostOps } from './host-ops.ts';
import { specJson } from './job-spec.ts';
import { SUGGESTED_MODELS } from './models.ts';
import { onlyMemoryInTheWay, unreachableReport } from './preflight.ts';
import { asProvider, isOutage, toProviderError } from './provider-errors.ts';
import { formatRef, parseRef, requireRef } from './refs.ts';
import { type Launcher, RemoteHost } from './remote.ts';
import { isJobId, joinRemote } from './shell.ts';
import { queueOf, runningOf, snapshotsOf } from './snapshot.ts';
import type { PoolLogger, SshPool } from './ssh-pool.ts';
import { readTrainer, TrainerInstalls } from './trainer-files.ts';

/**
 * LoRA / QLoRA on the team's own GPU hosts, over SSH (the GPU host contract in DESIGN.md): a job is
 * a folder `<work dir>/<job id>/` with train.jsonl, spec.json and the trainer's events.jsonl and
 * exit_code; the trainer runs detached and outlives the bot. Everything the adapter knows about a
 * job it reads from that folder, so a restart of the bot (or a second replica) picks up exactly
 * where the last one was; the events cursor is the byte offset in events.jsonl.
 */

export interface GpuProviderOptions {
  hosts: readonly GpuHost[];
  pool: SshPool;
  /** The price catalogue: GPU sizes, to prefer the roomier host when auto has a choice. */
  catalogue: Catalogue;
  logger?: PoolLogger;
  /** The local trainer folder (train_lora.py and ftbot_trainer/); default the repository's trainer/. */
  trainerDir?: string;
  /** A script installed and run as train_lora.py instead of the real one (the tests' stand-in trainer). */
  trainerScript?: string;
  /** Cancel: flag → SIGTERM after graceMs → SIGKILL after killGraceMs. */
  cancel?: Partial<CancelTiming>;
  /** Bytes of events.jsonl's end read for a job's state. Default 64 KiB. */
  tailBytes?: number;
  /** Most bytes of events one events() call reads. Default 1 MiB. */
  eventsReadBytes?: number;
  /** The pre-flight's time limit (it may ask the hub). Default 300 000. */
  checkTimeoutMs?: number;
  /** Runs the pre-flight again in the job folder, with its data, before queueing. Default true. */
  checkOnStart?: boolean;
  launcher?: 'auto' | Launcher;
  now?: () => Date;
}

export function createGpuProvider(o: GpuProviderOptions): Provider {
  if (o.hosts.length === 0) throw new TypeError('the GPU provider needs at least one host');
  const now = o.now ?? (() => new Date());
  const trainer = new TrainerInstalls(readTrainer(o.trainerDir, o.trainerScript));
  const timing: CancelTiming = { graceMs: 30_000, killGraceMs: 10_000, pollMs: 1_000, ...o.cancel };
  const ops = new Map<string, HostOps>();
  for (const host of o.hosts) {
    const remote = new RemoteHost(o.pool.connection(host.name), host.workDir);
    ops.set(
      host.name,
      new HostOps(host, remote, {
        trainer,
        ...(o.logger ? { logger: o.logger } : {}),
        tailBytes: o.tailBytes ?? 64 * 1024,
        checkTimeoutMs: o.checkTimeoutMs ?? 300_000,
        launcher: o.launcher ?? 'auto',
        now,
      }),
    );
  }
  const down = new Set<string>();

  function hostOps(name: string): HostOps {
    const found = ops.get(name);
    if (!found) {
      // not_found: a job whose host left the configuration ends as failed instead of being asked
      // about for ever.
      throw new ProviderError('not_found', `No GPU host is named "${name}" in this bot's configuration.`, {
        hint: `Configured hosts: ${[...ops.keys()].join(', ') || 'none'}. Add it back to follow its jobs.`,
      });
    }
    return found;
  }
  const refOf = (host: string, jobId: string): ProviderJobRef => ({ provider: 'gpu', id: formatRef(host, jobId) });

  /** Notes a host going away or coming back, once each, in the log. */
  function reachable(host: string, error?: unknown) {
    if (error === undefined) {
      if (down.delete(host)) o.logger?.info({ host }, 'GPU host answers again');
    } else if (!down.has(host)) {
      down.add(host);
      o.logger?.warn({ host, err: error }, 'GPU host cannot be read; its jobs are left for later');
    }
  }

  async function snapshotOf(host: string, jobId: string): Promise<JobSnapshot> {
    const h = hostOps(host);
    const scan = await asProvider(() => h.dispatch([jobId]));
    const snapshot = snapshotsOf(h.host, scan, [jobId], now()).get(jobId);
    if (!snapshot) {
      throw new ProviderError('not_found', `GPU host "${host}" has no folder for job ${jobId}.`, {
        hint: 'The job folder was removed on the host; start the job again.',
      });
    }
    return snapshot;
  }

  async function preflightOn(h: HostOps, text: string): Promise<PreflightReport> {
    try {
      const [report, load] = await Promise.all([h.checkScratch(text), h.load()]);
      return { ...report, load };
    } catch (error) {
      return unreachableReport(h.host, toProviderError(error));
    }
  }

  return {
    id: 'gpu',
    label: 'Your GPUs (LoRA)',
    capabilities: { knobs: 'lora', baseModel: 'free', tryIt: false, deploy: false, hosts: true, degradedNotices: true },
    hosts: o.hosts.map((h) => ({ name: h.name, gpuType: h.gpuType, gpuCount: h.gpuCount, maxJobs: h.maxJobs })),

    async models() {
      return SUGGESTED_MODELS.map((m) => ({ ...m, methods: [...m.methods] }));
    },

    async preflight(spec) {
      let text: string;
      try {
        text = specJson(spec);
      } catch (error) {
        const { message, hint } = toProviderError(error);
        const host = hostOps(spec.host ?? (o.hosts[0] as GpuHost).name).host;
        return { ok: false, host: host.name, gpuType: host.gpuType, problems: [{ reason: 'bad_spec', message, hint }] };
      }
      if (spec.host) return preflightOn(hostOps(spec.host), text);
      return choosePreflight(await rankHosts([...ops.values()], o.catalogue), (h) => preflightOn(h, text));
    },

    async prepare(file, job) {
      if (!job || !isJobId(job.id)) {
        throw new ProviderError(
          'invalid_request',
          'A GPU job’s training file is copied into its job folder, by job id.',
          {
            hint: 'This is a bug in the bot: prepare() was called without our job id.',
          },
        );
      }
      let h: HostOps;
      if (job.host) h = hostOps(job.host);
      else {
        const text = job.model
          ? specJson({ id: job.id, model: job.model, ...(job.lora ? { lora: job.lora } : {}) })
          : undefined;
        const ranked = await rankHosts([...ops.values()], o.catalogue);
        const chosen = text ? await choosePreflight(ranked, (c) => preflightOn(c, text)) : undefined;
        const name = chosen?.ok ? chosen.host : ranked.find((r) => r.load)?.ops.name;
        if (!name) throw toProviderError(ranked[0]?.error ?? new Error('no GPU host answered'));
        h = hostOps(name);
      }
      return asProvider(async () => {
        const dir = await h.remote.jobDir(job.id);
        if (await h.remote.exists(joinRemote(dir, '.launched'))) {
          throw new ProviderError('invalid_request', `Job ${job.id} already runs on GPU host "${h.name}".`, {
            hint: 'Its training data cannot be replaced now.',
          });
        }
        await h.remote.mkdirp(dir);
        const { bytes } = await h.remote.writeFile(joinRemote(dir, 'train.jsonl'), file.open());
        return { provider: 'gpu' as const, id: formatRef(h.name, job.id), name: file.name, bytes };
      });
    },

    async discardUploads(jobId) {
      if (!isJobId(jobId)) return 0;
      const removed = await Promise.all(
        [...ops.values()].map((h) =>
          h.discard(jobId).catch((error: unknown) => {
            if (!isOutage(error)) throw toProviderError(error);
            return false;
          }),
        ),
      );
      return removed.filter(Boolean).length;
    },

    async start(spec) {
      const { host, jobId } = requireRef(spec.trainingFileId, 'training file');
      if (jobId !== spec.id) {
        throw new ProviderError('invalid_request', `The training file ${spec.trainingFileId} belongs to another job.`, {
          hint: 'Start the job again with /finetune start.',
        });
      }
      const h = hostOps(host);
      return asProvider(async () => {
        const dir = await h.remote.jobDir(jobId);
        const scan = await h.scan();
        const row = scan.folders.get(jobId);
        if (!row) {
          throw new ProviderError('not_found', `GPU host "${host}" has no folder for job ${jobId}.`, {
            hint: 'The training file was removed from the host; start the job again.',
          });
        }
        // Started before (a start repeated after a crash): the same job, whether queued or launched.
        if (row.launched || row.queuedAt !== null) {
          await h.dispatch();
          return refOf(host, jobId);
        }
        if (row.cancelled) {
          throw new ProviderError('invalid_request', `Job ${jobId} was cancelled on GPU host "${host}".`, {
            hint: 'Start a new job with /finetune start.',
          });
        }
        const specPath = joinRemote(dir, 'spec.json');
        await h.remote.writeFile(specPath, specJson(spec));
        if (o.checkOnStart ?? true) {
          const report = await h.check(specPath, true);
          const rows = [...scan.folders.values()];
          const willWait = runningOf(rows).length >= h.host.maxJobs || queueOf(rows).length > 0;
          if (!report.ok && !(willWait && onlyMemoryInTheWay(report))) {
            const first = report.problems[0];
            throw new ProviderError(
              'invalid_request',
              `GPU host "${host}" cannot run this job: ${report.problems.map((p) => p.message).join(' ')}`,
              { hint: first?.hint ?? 'Fix what the pre-flight names, then start the job again.' },
            );
          }
        }
        await h.markQueued(jobId);
        await h.dispatch();
        return refOf(host, jobId);
      });
    },

    async poll(ref, since?: Cursor) {
      const { host, jobId } = requireRef(ref.id, 'job');
      const snapshot = await snapshotOf(host, jobId);
      const page = await readEventPage(hostOps(host), jobId, since ?? null, o.eventsReadBytes, o.logger);
      return { ...snapshot, ...page };
    },

    async snapshots(refs) {
      const byHost = new Map<string, string[]>();
      for (const ref of refs) {
        // Not one of ours, or a host no longer configured: left out, as the contract has it.
        const parsed = parseRef(ref.id);
        if (parsed && ops.has(parsed.host)) byHost.set(parsed.host, [...(byHost.get(parsed.host) ?? []), parsed.jobId]);
      }
      const out = new Map<string, JobSnapshot>();
      await Promise.all(
        [...byHost].map(async ([host, ids]) => {
          const h = hostOps(host);
          let scan: Awaited<ReturnType<HostOps['dispatch']>>;
          try {
            scan = await h.dispatch(ids);
            reachable(host);
          } catch (error) {
            // Left out: the monitor asks again later, and says "monitoring degraded" if it lasts.
            reachable(host, error);
            return;
          }
          for (const [jobId, snapshot] of snapshotsOf(h.host, scan, ids, now()))
            out.set(formatRef(host, jobId), snapshot);
        }),
      );
      return out;
    },

    async events(ref, since?: Cursor) {
      const { host, jobId } = requireRef(ref.id, 'job');
      return readEventPage(hostOps(host), jobId, since ?? null, o.eventsReadBytes, o.logger);
    },

    async checkpoints(ref) {
      const { host, jobId } = requireRef(ref.id, 'job');
      return readCheckpoints(hostOps(host), jobId);
    },

    async cancel(ref) {
      const { host, jobId } = requireRef(ref.id, 'job');
      const h = hostOps(host);
      const end = await asProvider(() => cancelOnHost(h, jobId, timing));
      o.logger?.info({ host, job: jobId, end }, 'cancelled a GPU job');
      if (end === 'queued') return {};
      const snapshot = await snapshotOf(host, jobId).catch(() => undefined);
      return {
        ...(snapshot?.adapter ? { adapter: snapshot.adapter } : {}),
        ...(snapshot?.gpu ? { gpu: snapshot.gpu } : {}),
      };
    },

    async complete() {
      throw new ProviderError(
        'invalid_request',
        'Try it is not offered for GPU jobs: the adapter stays on your host.',
        {
          hint: 'Load the adapter with peft on the host (PeftModel.from_pretrained) or serve it with vLLM’s LoRA support.',
        },
      );
    },
  };
}
