import { isJobId } from '../gpu/shell.ts';
import { ProviderError } from '../types.ts';

/**
 * The names a job has in the cluster, all from our job id, so that every call can find its objects
 * again after a restart without keeping anything but the id: the Job and its Secret are both
 * `ftbot-<job id>` (different kinds may share a name), and the pod carries the job id as a label.
 * Outside the cluster a job is `k8s:<namespace>:<job id>`, for the training file (the Secret) and
 * the provider job (the Job) alike.
 */

export const LABEL_JOB_ID = 'finetune-bot/job-id';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'finetune-bot';
export const ANNOTATION = {
  gpuType: 'finetune-bot/gpu-type',
  trainingBytes: 'finetune-bot/training-bytes',
  fileName: 'finetune-bot/file-name',
  requestedBy: 'finetune-bot/requested-by',
  channel: 'finetune-bot/channel',
  trainerVersion: 'finetune-bot/trainer-version',
  deadline: 'finetune-bot/deadline',
} as const;

/** Job ids are `ft-` and six lowercase letters or digits: a valid DNS label, and a valid label value. */
export function objectName(jobId: string): string {
  return `ftbot-${jobId}`;
}

export function labelsFor(jobId: string): Record<string, string> {
  return { [LABEL_MANAGED_BY]: MANAGED_BY, 'app.kubernetes.io/name': 'finetune-bot-trainer', [LABEL_JOB_ID]: jobId };
}

/** A set-based selector for the pods (or Jobs) of these jobs, in one list call. */
export function selectorFor(jobIds: readonly string[]): string {
  return `${LABEL_JOB_ID} in (${[...new Set(jobIds)].sort().join(',')})`;
}

export interface K8sRef {
  namespace: string;
  jobId: string;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function formatRef(namespace: string, jobId: string): string {
  return `k8s:${namespace}:${jobId}`;
}

export function parseRef(id: string): K8sRef | undefined {
  const parts = id.split(':');
  if (parts.length !== 3 || parts[0] !== 'k8s') return undefined;
  const [, namespace = '', jobId = ''] = parts;
  return NAMESPACE.test(namespace) && isJobId(jobId) ? { namespace, jobId } : undefined;
}

/** As parseRef, for a ref of this cluster's namespace; anything else is a ProviderError. */
export function requireRef(id: string, what: string, namespace: string): K8sRef {
  const ref = parseRef(id);
  if (!ref) {
    throw new ProviderError(
      'invalid_request',
      `${JSON.stringify(id)} is not a Kubernetes ${what} id (k8s:<namespace>:<job id>).`,
      {
        hint: 'Start the job again with /finetune start and the GPU cluster.',
      },
    );
  }
  if (ref.namespace !== namespace) {
    // not_found: a job whose namespace left the configuration ends as failed instead of being asked about for ever.
    throw new ProviderError('not_found', `Job ${ref.jobId} ran in namespace "${ref.namespace}", not "${namespace}".`, {
      hint: `Set GPU_K8S_NAMESPACE=${ref.namespace} to follow it again.`,
    });
  }
  return ref;
}
