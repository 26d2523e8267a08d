import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { K8sConfig } from '../../config/gpu-k8s.ts';
import type { Catalogue } from '../../cost/catalogue.ts';
import { specJson } from '../gpu/job-spec.ts';
import { SUGGESTED_MODELS } from '../gpu/models.ts';
import { type TrainerEvent, toJobEvents } from '../gpu/trainer-events.ts';
import { readTrainer } from '../gpu/trainer-files.ts';
import {
  type Cursor,
  type EventPage,
  type JobSnapshot,
  type PreflightReport,
  type Provider,
  ProviderError,
} from '../types.ts';
import { KubeApi } from './api.ts';
import { podFiles } from './bundle.ts';
import { toProviderError } from './errors.ts';
import { formatCursor, readAll, readLogPage, readRecent } from './log-events.ts';
import { gpuCountOf } from './manifest.ts';
import {
  ANNOTATION,
  formatRef,
  LABEL_JOB_ID,
  LABEL_MANAGED_BY,
  MANAGED_BY,
  objectName,
  parseRef,
  requireRef,
  selectorFor,
} from './names.ts';
import { jobView, newestPod, type PodView, podView } from './pod-state.ts';
import { clusterNotices, toSnapshot } from './snapshot.ts';
import { discardSecret, prepareSecret, type Submitter, startJob } from './submit.ts';

/**
 * LoRA / QLoRA on a Kubernetes cluster: the GPU host contract of DESIGN.md with a batch/v1 Job for
 * the process and its pod's log for events.jsonl. The same trainer runs in the pod as on an SSH
 * host, so the form, the review, the monitor and the messages treat both alike (same capabilities);
 * it is a provider of its own (`k8s`) because nothing of the SSH provider's hosts, pool, queue or
 * byte offsets applies, and a team may have both. Everything the adapter knows about a job it reads
 * from the cluster by the job's id, so a restart or a second replica picks up where the last left.
 */

export interface KubeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface KubernetesProviderOptions {
  config: K8sConfig;
  /** The price catalogue: the GPU's speed, for the Job's deadline. */
  catalogue: Catalogue;
  logger?: KubeLogger;
  /** The local trainer folder; default the repository's trainer/. */
  trainerDir?: string;
  /** A script shipped as train_lora.py instead of the real one (the tests' stand-in trainer). */
  trainerScript?: string;
  /** Each API call's time limit. Default 30 000. */
  requestTimeoutMs?: number;
  /** Most bytes of log one events() call reads. Default 1 MiB. */
  eventsReadBytes?: number;
  now?: () => Date;
}

const CHECKPOINT_LOG_BYTES = 16 * 1024 * 1024;

export function createKubernetesProvider(o: KubernetesProviderOptions): Provider {
  const cluster = o.config;
  const now = o.now ?? (() => new Date());
  const api = new KubeApi(cluster.access.kubeConfig(), cluster.namespace, o.requestTimeoutMs);
  const files = podFiles(readTrainer(o.trainerDir, o.trainerScript));
  const submitter: Submitter = { api, cluster, files, catalogue: o.catalogue };
  const maxBytes = o.eventsReadBytes ?? 1024 * 1024;
  /** Each pod's first events, up to `started`: they never change, so they are read once. */
  const heads = new Map<string, TrainerEvent[]>();
  let down = false;

  const refOf = (jobId: string) => ({ provider: 'k8s' as const, id: formatRef(cluster.namespace, jobId) });

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toProviderError(error, what);
    }
  }

  function reachable(error?: unknown) {
    if (error === undefined) {
      if (down) o.logger?.info({ namespace: cluster.namespace }, 'the Kubernetes API answers again');
      down = false;
    } else if (!down) {
      down = true;
      o.logger?.warn(
        { namespace: cluster.namespace, err: error },
        'the Kubernetes API cannot be read; its jobs are left for later',
      );
    }
  }

  /** The job's snapshot, from the Job, its pods and its log. */
  async function stateOf(
    jobId: string,
    job: V1Job,
    pods: readonly V1Pod[],
  ): Promise<{ snapshot: JobSnapshot; pod: PodView }> {
    const pod = podView(newestPod(pods.filter((p) => p.metadata?.labels?.[LABEL_JOB_ID] === jobId)));
    let events: TrainerEvent[] = [];
    if (pod.name && (pod.stage === 'running' || pod.stage === 'terminated')) {
      const read = await call('reading the pod log', () =>
        readRecent(api, pod.name as string, heads.get(pod.name as string)),
      );
      events = read.events;
      if (read.head.length > 0) heads.set(pod.name, read.head);
    }
    const snapshot = toSnapshot({
      ref: refOf(jobId),
      cluster,
      job: jobView(job),
      pod,
      events,
      gpuType: job.metadata?.annotations?.[ANNOTATION.gpuType] ?? cluster.gpuType,
      gpuCount: gpuCountOf(job, cluster.gpuResource),
      now: now(),
    });
    if (snapshot.finishedAt && pod.name) heads.delete(pod.name);
    return { snapshot, pod };
  }

  async function readJob(jobId: string): Promise<V1Job> {
    const job = await call('reading the Job', () => api.readJob(objectName(jobId)));
    if (!job) {
      throw new ProviderError('not_found', `Namespace "${cluster.namespace}" has no Job for job ${jobId}.`, {
        hint: 'The Job was deleted in the cluster; start the job again.',
      });
    }
    return job;
  }

  const podsOf = (jobIds: readonly string[]) => call('listing pods', () => api.listPods(selectorFor(jobIds)));

  async function pageOf(pod: PodView, since: Cursor | undefined): Promise<EventPage> {
    const notices = clusterNotices(pod, now());
    if (!pod.name || !(pod.stage === 'running' || pod.stage === 'terminated'))
      return { events: notices, cursor: since ?? null };
    const read = await call('reading the pod log', () => readLogPage(api, pod.name as string, since, maxBytes));
    return {
      events: [...notices, ...toJobEvents(read.events)],
      cursor: read.cursor !== null ? formatCursor(read.cursor) : (since ?? null),
    };
  }

  return {
    id: 'k8s',
    label: 'Your GPU cluster (LoRA)',
    capabilities: { knobs: 'lora', baseModel: 'free', tryIt: false, deploy: false, hosts: true, degradedNotices: true },
    // The cluster as the one "host" the form offers, so the review prices the estimate on its GPU
    // type. One GPU per job; how many run at once is the scheduler's to decide (maxJobs is not read).
    hosts: [{ name: cluster.name, gpuType: cluster.gpuType, gpuCount: 1, maxJobs: 1 }],

    async models() {
      return SUGGESTED_MODELS.map((m) => ({ ...m, methods: [...m.methods] }));
    },

    /** The spec, and whether the bot may use the namespace: the GPU itself is the scheduler's. */
    async preflight(spec): Promise<PreflightReport> {
      const problems: PreflightReport['problems'] = [];
      try {
        specJson(spec);
      } catch (error) {
        const { message, hint } = toProviderError(error);
        problems.push({ reason: 'bad_spec', message, hint });
      }
      try {
        await api.listJobs(`${LABEL_MANAGED_BY}=${MANAGED_BY}`, 1);
      } catch (error) {
        const e = toProviderError(error, 'listing Jobs');
        problems.push({ reason: e.retryable ? 'unreachable' : e.kind, message: e.message, hint: e.hint });
      }
      return { ok: problems.length === 0, host: cluster.name, gpuType: cluster.gpuType, problems };
    },

    prepare: (file, job) => prepareSecret(submitter, file, job),

    discardUploads: (jobId) => discardSecret(submitter, jobId),

    async start(spec) {
      const { created } = await startJob(submitter, spec);
      o.logger?.info(
        { job: spec.id, namespace: cluster.namespace, created },
        created ? 'created a Kubernetes Job' : 'adopted a Kubernetes Job',
      );
      return refOf(spec.id);
    },

    async poll(ref, since?: Cursor) {
      const { jobId } = requireRef(ref.id, 'job', cluster.namespace);
      const job = await readJob(jobId);
      const { snapshot, pod } = await stateOf(jobId, job, await podsOf([jobId]));
      return { ...snapshot, ...(await pageOf(pod, since)) };
    },

    async snapshots(refs) {
      const ids = refs
        .map((r) => parseRef(r.id))
        .filter((r) => r?.namespace === cluster.namespace)
        .map((r) => r?.jobId as string);
      const out = new Map<string, JobSnapshot>();
      if (ids.length === 0) return out;
      let jobs: V1Job[];
      let pods: V1Pod[];
      try {
        [jobs, pods] = await Promise.all([api.listJobs(selectorFor(ids)), api.listPods(selectorFor(ids))]);
        reachable();
      } catch (error) {
        // Left out: the monitor asks again later, and says "monitoring degraded" if it lasts.
        reachable(error);
        return out;
      }
      for (const job of jobs) {
        const jobId = job.metadata?.labels?.[LABEL_JOB_ID];
        if (!jobId || !ids.includes(jobId)) continue;
        try {
          out.set(formatRef(cluster.namespace, jobId), (await stateOf(jobId, job, pods)).snapshot);
        } catch (error) {
          o.logger?.warn({ job: jobId, err: error }, 'could not read a Kubernetes job’s log; left for later');
        }
      }
      return out;
    },

    async events(ref, since?: Cursor) {
      const { jobId } = requireRef(ref.id, 'job', cluster.namespace);
      return pageOf(podView(newestPod(await podsOf([jobId]))), since);
    },

    async checkpoints(ref) {
      const { jobId } = requireRef(ref.id, 'job', cluster.namespace);
      const pod = podView(newestPod(await podsOf([jobId])));
      if (!pod.name) return [];
      const events = await call('reading the pod log', () => readAll(api, pod.name as string, CHECKPOINT_LOG_BYTES));
      return events.flatMap((e) =>
        e.type === 'checkpoint' ? [{ id: `ckpt-${e.step}`, model: e.path, step: e.step, at: e.time }] : [],
      );
    },

    async cancel(ref) {
      const { jobId } = requireRef(ref.id, 'job', cluster.namespace);
      const job = await call('reading the Job', () => api.readJob(objectName(jobId)));
      if (!job) return {};
      // The GPU time until now, before the pod goes (with it, its times): what the cancelled job cost.
      const pods = await podsOf([jobId]);
      const { gpu } = toSnapshot({
        ref: refOf(jobId),
        cluster,
        job: jobView(job),
        pod: podView(newestPod(pods)),
        events: [],
        gpuType: job.metadata?.annotations?.[ANNOTATION.gpuType] ?? cluster.gpuType,
        gpuCount: gpuCountOf(job, cluster.gpuResource),
        now: now(),
      });
      // Foreground: the pod gets SIGTERM (the trainer saves what it has), then the Job and its Secret go.
      await call('deleting the Job', () => api.deleteJob(objectName(jobId), 'Foreground'));
      o.logger?.info({ job: jobId, namespace: cluster.namespace }, 'deleted a Kubernetes Job to cancel it');
      return gpu ? { gpu } : {};
    },

    async complete() {
      throw new ProviderError(
        'invalid_request',
        'Try it is not offered for GPU cluster jobs: the adapter stays in your cluster.',
        {
          hint: 'Load the adapter with peft (PeftModel.from_pretrained) or serve it with vLLM’s LoRA support.',
        },
      );
    },
  };
}
