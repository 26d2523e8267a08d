import { finite, folderVerdict, type TrainerEvent } from '../gpu/trainer-events.ts';
import type { JobError, JobEvent, JobSnapshot, JobState } from '../types.ts';
import { OUTPUT_DIR } from './manifest.ts';
import type { JobView, PodView } from './pod-state.ts';
import { STUCK_WAITS } from './pod-state.ts';

/**
 * A job's snapshot from its Job, its pod and the trainer's events in the pod's log. Pure. The
 * trainer's own verdict (folderVerdict, as on an SSH host, with the container's exit status for
 * exit_code) decides, except where only the cluster knows: a pod no node can take yet (queued,
 * with the scheduler's reason), a container the kernel killed for memory (OOMKilled), a Job past
 * its deadline. GPU-seconds are the pod's: from when the kubelet took it to when its container
 * ended (or now), times the GPUs it holds; the cluster reserves the GPU for all of that time.
 */

type Loose = TrainerEvent & Record<string, unknown>;
const num = (e: TrainerEvent | undefined, key: string) => (e ? finite((e as Loose)[key] as number) : undefined);
const str = (e: TrainerEvent | undefined, key: string) => {
  const v = e ? (e as Loose)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
};

export interface SnapshotInput {
  ref: JobSnapshot['ref'];
  cluster: { name: string; outputPvc?: string };
  job: JobView;
  pod: PodView;
  events: readonly TrainerEvent[];
  gpuType: string;
  gpuCount: number;
  now: Date;
}

const OOM: JobError = {
  code: 'oom_killed',
  message: 'The trainer’s container ran out of memory and was killed (OOMKilled): its host memory, not the GPU’s.',
  hint:
    'Raise the pod’s memory limit (the namespace’s LimitRange), or need less: QLoRA, a shorter max length or a smaller batch. ' +
    'A model that does not fit in the GPU fails with cuda_oom instead.',
};

function deadlineError(job: JobView): JobError {
  const hours = job.deadlineSeconds ? ` (${Math.round((job.deadlineSeconds / 3600) * 10) / 10} h)` : '';
  return {
    code: 'deadline',
    message: `The job ran past its deadline${hours} and Kubernetes stopped it.`,
    hint: 'The deadline is the time estimate × 3 plus an hour. If training was this slow, use fewer epochs or a smaller file; if it hung, the pod’s log says where.',
  };
}

interface Verdict {
  state: JobState;
  providerStatus: string;
  error: JobError | null;
}

function statusWord(events: readonly TrainerEvent[], state: JobState, code?: string): string {
  if (state === 'succeeded') return 'finished';
  if (state === 'cancelled') return 'cancelled';
  if (state === 'failed') return `failed:${code ?? 'unknown'}`;
  const last = events.at(-1);
  if (!last) return 'launching';
  if (last.type === 'preparing') return last.phase === 'saving' ? 'saving' : 'preparing';
  return 'training';
}

function verdict({ job, pod, events }: SnapshotInput): Verdict {
  const fromTrainer = (exitCode: number | null, alive: boolean): Verdict => {
    const v = folderVerdict({ recent: events, exitCode, alive });
    return { ...v, providerStatus: statusWord(events, v.state, v.error?.code) };
  };
  const fail = (error: JobError): Verdict => ({ state: 'failed', providerStatus: `failed:${error.code}`, error });
  if (job.failed?.reason === 'DeadlineExceeded') return fail(deadlineError(job));
  if (pod.stage === 'terminated') {
    if (pod.terminatedReason === 'OOMKilled') return fail(OOM);
    return fromTrainer(pod.exitCode ?? 1, false);
  }
  if (job.complete) return fromTrainer(0, false);
  if (job.deleting) return { state: 'cancelled', providerStatus: 'deleting', error: null };
  if (job.failed || pod.stage === 'gone') {
    const why =
      pod.stage === 'gone' ? `${pod.reason}: ${pod.message}` : `${job.failed?.reason}: ${job.failed?.message}`;
    return fail({
      code: 'pod_failed',
      message: `Kubernetes stopped the job before the trainer could say why (${why.slice(0, 300)}).`,
      hint: 'kubectl describe job and its pod say more (an eviction, a node that went away); start the job again.',
    });
  }
  // Not yet placed or refused by the scheduler: validating, so that a refusal is a change of state
  // (the monitor reads a waiting job's news only when its state changes) and its reason is told.
  if (pod.stage === 'none' || (pod.stage === 'waiting' && pod.reason === 'Pending')) {
    return { state: 'validating', providerStatus: 'pending', error: null };
  }
  if (pod.stage === 'unschedulable') return { state: 'queued', providerStatus: 'unschedulable', error: null };
  if (pod.stage === 'waiting') {
    return STUCK_WAITS.has(pod.reason ?? '')
      ? { state: 'queued', providerStatus: `waiting:${pod.reason}`, error: null }
      : { state: 'validating', providerStatus: `starting:${pod.reason}`, error: null };
  }
  return fromTrainer(null, true);
}

/** What the cluster says while the job waits, as a warning in its thread (once per id: the monitor's notices). */
export function clusterNotices(pod: PodView, now: Date): JobEvent[] {
  const at = now.toISOString();
  const said = (pod.message ?? '').trim().replace(/\.+$/, '');
  if (pod.stage === 'unschedulable') {
    return [
      {
        id: 'k8s-unschedulable',
        at,
        level: 'warning',
        message: `Waiting for a GPU in the cluster: ${said}. It starts when one frees up; waiting costs no GPU time.`,
      },
    ];
  }
  if (pod.stage === 'waiting' && STUCK_WAITS.has(pod.reason ?? '')) {
    return [
      {
        id: `k8s-waiting-${pod.reason}`,
        at,
        level: 'warning',
        message: `The trainer’s pod cannot start (${pod.reason}): ${said || 'see kubectl describe pod'}. Check GPU_K8S_IMAGE, the image pull secrets and GPU_K8S_ENV_SECRET.`,
      },
    ];
  }
  return [];
}

/** When the job should end at the pace of its steps so far (as on an SSH host). */
function eta(events: readonly TrainerEvent[]): string | null {
  const started = events.find((e) => e.type === 'started');
  const last = [...events].reverse().find((e) => e.type === 'step');
  if (!started || !last || last.type !== 'step') return null;
  const total = num(last, 'total_steps') ?? num(started, 'total_steps');
  const t0 = Date.parse(started.time);
  const t1 = Date.parse(last.time);
  if (!total || !(last.step > 0) || !(t1 > t0) || last.step > total) return null;
  return new Date(t1 + ((t1 - t0) / last.step) * (total - last.step)).toISOString();
}

function gpuSeconds(input: SnapshotInput, terminal: boolean): number | null {
  const { pod, job, now, gpuCount } = input;
  if (!pod.startedAt) return pod.stage === 'none' || pod.stage === 'unschedulable' ? 0 : null;
  const end = pod.finishedAt ?? job.endedAt ?? (terminal ? undefined : now.toISOString());
  if (!end) return null;
  const seconds = (Date.parse(end) - Date.parse(pod.startedAt)) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, Math.round(seconds * gpuCount * 1000) / 1000) : null;
}

/** Where the adapter is, in words that say where to look: on the output claim, or in the pod (gone with it). */
function adapterWhere(path: string, input: SnapshotInput): string {
  const { outputPvc } = input.cluster;
  if (outputPvc && path.startsWith(`${OUTPUT_DIR}/`)) return `pvc:${outputPvc}/${path.slice(OUTPUT_DIR.length + 1)}`;
  return input.pod.name ? `pod:${input.pod.name}:${path}` : path;
}

export function toSnapshot(input: SnapshotInput): JobSnapshot {
  const { events, job, now } = input;
  const v = verdict(input);
  const terminal = v.state === 'succeeded' || v.state === 'failed' || v.state === 'cancelled';
  const started = events.find((e) => e.type === 'started');
  const final = [...events].reverse().find((e) => e.type === 'finished' || e.type === 'error');
  const lastStep = [...events].reverse().find((e) => e.type === 'step');
  const path = str(final, 'adapter_path');
  const adapter = path ? { path: adapterWhere(path, input), bytes: num(final, 'adapter_bytes') ?? null } : undefined;
  const metrics =
    final?.type === 'finished' ? ((final as Loose).metrics as Record<string, number> | undefined) : undefined;
  const tokens =
    final?.type === 'finished'
      ? (finite(metrics?.tokens_seen) ?? num(started, 'train_tokens'))
      : num(lastStep, 'tokens_seen');
  return {
    ref: input.ref,
    state: v.state,
    providerStatus: v.providerStatus,
    model: str(started, 'base_model') ?? '',
    fineTunedModel: adapter?.path ?? null,
    createdAt: job.createdAt ?? now.toISOString(),
    finishedAt: terminal ? (input.pod.finishedAt ?? final?.time ?? job.endedAt ?? now.toISOString()) : null,
    estimatedFinish: v.state === 'running' ? eta(events) : null,
    trainedTokens: tokens ?? null,
    error: v.error,
    gpu: {
      host: input.cluster.name,
      gpuType: input.gpuType,
      gpuCount: input.gpuCount,
      gpuSeconds: gpuSeconds(input, terminal),
    },
    ...(adapter ? { adapter } : {}),
  };
}
