import type { V1Job, V1Secret, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { K8sConfig } from '../../config/gpu-k8s.ts';
import { trainerSpec } from '../gpu/job-spec.ts';
import type { JobSpec } from '../types.ts';
import { CONTAINER } from './api.ts';
import { KEYS } from './bundle.ts';
import { ANNOTATION, labelsFor, objectName } from './names.ts';

/**
 * The objects of one job, as the API takes them. Pure.
 *
 * The pod: the job's Secret read-only at /ftbot/in, an emptyDir at /job for the job folder (the
 * trainer writes events.jsonl, checkpoints and the adapter there, as on an SSH host), and the
 * output PVC at /output when one is configured, where the adapter then goes so it outlives the pod.
 * One GPU (the trainer trains on one), no retries (backoffLimit 0, restartPolicy Never: a second
 * run would bill the GPU again for a failure that is usually the data's or the model's), no API
 * token in the pod (the trainer needs none).
 */

export const INPUT_DIR = '/ftbot/in';
export const JOB_DIR = '/job';
export const OUTPUT_DIR = '/output';
/** Time for the trainer to save the adapter after SIGTERM (a cancel, the deadline). */
const GRACE_SECONDS = 120;
/** Finished Jobs (and their pods' logs) stay a week for people to look at, then the cluster removes them. */
export const TTL_SECONDS = 7 * 24 * 3600;

type Cluster = Pick<
  K8sConfig,
  'namespace' | 'image' | 'gpuResource' | 'gpuType' | 'nodeSelector' | 'tolerations' | 'outputPvc' | 'envSecret'
>;

/** The Secret as prepare() creates it: no spec yet (start adds it), no owner yet (the Job does not exist). */
export function secretManifest(
  cluster: Pick<K8sConfig, 'namespace'>,
  jobId: string,
  data: Record<string, string>,
  file: { name: string; rawBytes: number },
): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: objectName(jobId),
      namespace: cluster.namespace,
      labels: labelsFor(jobId),
      annotations: {
        [ANNOTATION.trainingBytes]: String(file.rawBytes),
        [ANNOTATION.fileName]: file.name.slice(0, 255),
      },
    },
    data,
  };
}

/** spec.json: the SSH provider's, with the adapter on the output volume when there is one. */
export function podSpecJson(
  spec: Pick<JobSpec, 'id' | 'model' | 'seed' | 'lora'>,
  cluster: Pick<Cluster, 'outputPvc'>,
) {
  const trainer = trainerSpec(spec);
  if (cluster.outputPvc) trainer.output_dir = `${OUTPUT_DIR}/${spec.id}`;
  return `${JSON.stringify(trainer, null, 2)}\n`;
}

export interface JobInput {
  spec: Pick<JobSpec, 'id' | 'requestedBy' | 'channelId'>;
  deadlineSeconds: number;
  trainerVersion: string;
}

export function jobManifest(cluster: Cluster, input: JobInput): V1Job {
  const jobId = input.spec.id;
  const name = objectName(jobId);
  const labels = labelsFor(jobId);
  const annotations = {
    [ANNOTATION.gpuType]: cluster.gpuType,
    [ANNOTATION.requestedBy]: input.spec.requestedBy,
    [ANNOTATION.channel]: input.spec.channelId,
    [ANNOTATION.trainerVersion]: input.trainerVersion,
    [ANNOTATION.deadline]: String(input.deadlineSeconds),
  };
  const mounts: V1VolumeMount[] = [
    { name: 'input', mountPath: INPUT_DIR, readOnly: true },
    { name: 'job', mountPath: JOB_DIR },
  ];
  const volumes: V1Volume[] = [
    { name: 'input', secret: { secretName: name } },
    { name: 'job', emptyDir: {} },
  ];
  if (cluster.outputPvc) {
    mounts.push({ name: 'output', mountPath: OUTPUT_DIR });
    volumes.push({ name: 'output', persistentVolumeClaim: { claimName: cluster.outputPvc } });
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: cluster.namespace, labels, annotations },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: input.deadlineSeconds,
      ttlSecondsAfterFinished: TTL_SECONDS,
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: GRACE_SECONDS,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(Object.keys(cluster.nodeSelector).length > 0 ? { nodeSelector: { ...cluster.nodeSelector } } : {}),
          ...(cluster.tolerations.length > 0 ? { tolerations: cluster.tolerations.map((t) => ({ ...t })) } : {}),
          containers: [
            {
              name: CONTAINER,
              image: cluster.image,
              command: ['python3', `${INPUT_DIR}/${KEYS.bootstrap}`, INPUT_DIR, JOB_DIR],
              workingDir: JOB_DIR,
              env: [
                { name: 'PYTHONUNBUFFERED', value: '1' },
                { name: 'FTBOT_JOB_ID', value: jobId },
              ],
              ...(cluster.envSecret ? { envFrom: [{ secretRef: { name: cluster.envSecret } }] } : {}),
              // Extended resources are limits only; the request is the same.
              resources: { limits: { [cluster.gpuResource]: '1' } },
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

/** The Job's GPUs per pod, read back from its own spec (the configuration may have changed since). */
export function gpuCountOf(job: V1Job, gpuResource: string): number {
  const limit = job.spec?.template.spec?.containers[0]?.resources?.limits?.[gpuResource];
  const n = Number(limit);
  return Number.isInteger(n) && n > 0 ? n : 1;
}
