import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { CONTAINER } from './api.ts';

/**
 * What the cluster says about a job, before the trainer's events have their say: the Job's
 * conditions (Complete, Failed and why) and its pod's phase, scheduling and container state. Pure.
 * The client hands times as Date objects; a stand-in may hand strings: both are read.
 */

type Time = Date | string | undefined;

export function iso(t: Time): string | undefined {
  if (t === undefined) return undefined;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export interface JobView {
  complete: boolean;
  /** The Failed condition, when it is true: DeadlineExceeded, BackoffLimitExceeded, PodFailurePolicy… */
  failed?: { reason: string; message: string; at?: string };
  /** Being deleted (a cancel, or someone with kubectl). */
  deleting: boolean;
  createdAt?: string;
  endedAt?: string;
  deadlineSeconds?: number;
}

export function jobView(job: V1Job): JobView {
  const conditions = job.status?.conditions ?? [];
  const isTrue = (type: string) => conditions.find((c) => c.type === type && c.status === 'True');
  const failed = isTrue('Failed');
  const complete = isTrue('Complete');
  const createdAt = iso(job.metadata?.creationTimestamp);
  const endedAt = iso(job.status?.completionTime) ?? iso(failed?.lastTransitionTime);
  const deadline = job.spec?.activeDeadlineSeconds;
  return {
    complete: complete !== undefined,
    ...(failed
      ? {
          failed: {
            reason: failed.reason ?? 'Failed',
            message: failed.message ?? '',
            ...(iso(failed.lastTransitionTime) ? { at: iso(failed.lastTransitionTime) } : {}),
          },
        }
      : {}),
    deleting: job.metadata?.deletionTimestamp !== undefined && job.metadata.deletionTimestamp !== null,
    ...(createdAt ? { createdAt } : {}),
    ...(endedAt ? { endedAt } : {}),
    ...(deadline !== undefined ? { deadlineSeconds: deadline } : {}),
  };
}

export type PodStage = 'none' | 'unschedulable' | 'waiting' | 'running' | 'terminated' | 'gone';

export interface PodView {
  stage: PodStage;
  name?: string;
  /** Why it waits or why it is gone: Unschedulable, ContainerCreating, ImagePullBackOff, Evicted… */
  reason?: string;
  message?: string;
  /** When the kubelet took the pod: the GPU is the job's from then (the image pull included). */
  startedAt?: string;
  /** When the container ended. */
  finishedAt?: string;
  exitCode?: number;
  /** The terminated container's reason: Completed, Error, OOMKilled, … */
  terminatedReason?: string;
}

/** Waits that will not end by themselves: the person needs to hear of them while the job waits. */
export const STUCK_WAITS: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

/** The newest of the job's pods (with backoffLimit 0 there is one; a replacement may overlap its end). */
export function newestPod(pods: readonly V1Pod[]): V1Pod | undefined {
  return [...pods].sort((a, b) =>
    (iso(b.metadata?.creationTimestamp) ?? '').localeCompare(iso(a.metadata?.creationTimestamp) ?? ''),
  )[0];
}

export function podView(pod: V1Pod | undefined): PodView {
  if (!pod) return { stage: 'none' };
  const name = pod.metadata?.name;
  const status = pod.status ?? {};
  const startedAt = iso(status.startTime);
  const base = { ...(name ? { name } : {}), ...(startedAt ? { startedAt } : {}) };
  const container = status.containerStatuses?.find((c) => c.name === CONTAINER) ?? status.containerStatuses?.[0];
  const terminated = container?.state?.terminated;
  if (terminated) {
    const finishedAt = iso(terminated.finishedAt);
    return {
      ...base,
      stage: 'terminated',
      exitCode: terminated.exitCode,
      ...(terminated.reason ? { terminatedReason: terminated.reason } : {}),
      ...(terminated.message ? { message: terminated.message } : {}),
      ...(finishedAt ? { finishedAt } : {}),
    };
  }
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    // Ended without its container ever running: evicted, or a node that went away.
    return { ...base, stage: 'gone', reason: status.reason ?? status.phase, message: status.message ?? '' };
  }
  if (container?.state?.running) {
    const runningSince = iso(container.state.running.startedAt);
    return { ...base, ...(startedAt || !runningSince ? {} : { startedAt: runningSince }), stage: 'running' };
  }
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return {
      ...base,
      stage: 'unschedulable',
      reason: scheduled.reason ?? 'Unschedulable',
      message: scheduled.message ?? 'no node can take the pod yet',
    };
  }
  const waiting = container?.state?.waiting;
  return {
    ...base,
    stage: 'waiting',
    reason: waiting?.reason ?? (scheduled ? 'ContainerCreating' : 'Pending'),
    message: waiting?.message ?? '',
  };
}
