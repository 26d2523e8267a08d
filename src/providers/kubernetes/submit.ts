import type { V1Job } from '@kubernetes/client-node';
import type { K8sConfig } from '../../config/gpu-k8s.ts';
import type { Catalogue } from '../../cost/catalogue.ts';
import { isJobId } from '../gpu/shell.ts';
import { type FileRef, type JobSpec, type PrepareJob, ProviderError, type TrainingFile } from '../types.ts';
import type { KubeApi } from './api.ts';
import { gzipWithin, KEYS, type PodFiles, secretData, trainingBudget } from './bundle.ts';
import { jobDeadline } from './deadline.ts';
import { isOutage, isStatus, toProviderError } from './errors.ts';
import { jobManifest, podSpecJson, secretManifest } from './manifest.ts';
import { ANNOTATION, formatRef, LABEL_JOB_ID, objectName, requireRef } from './names.ts';

/**
 * Getting a job into the cluster, idempotently on our job id. prepare() makes the job's Secret with
 * the training file (refused before any call when it cannot fit); start() adds spec.json to it,
 * creates the Job (a 409 means a start before this one got there: that Job is adopted), then
 * makes the Job the Secret's owner, so deleting the Job deletes the Secret. Each step can be
 * repeated after a crash between any two of them.
 */

export interface Submitter {
  api: KubeApi;
  cluster: K8sConfig;
  files: PodFiles;
  catalogue: Catalogue;
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toProviderError(error, what);
  }
}

export async function prepareSecret(s: Submitter, file: TrainingFile, job: PrepareJob | undefined): Promise<FileRef> {
  if (!job || !isJobId(job.id)) {
    throw new ProviderError('invalid_request', 'A Kubernetes job’s training file goes into its Secret, by job id.', {
      hint: 'This is a bug in the bot: prepare() was called without our job id.',
    });
  }
  // Before any call: a file that cannot fit leaves nothing behind in the cluster.
  const { gz, rawBytes } = await gzipWithin(file.open(), trainingBudget(s.files));
  const name = objectName(job.id);
  const body = secretManifest(s.cluster, job.id, secretData(s.files, gz), { name: file.name, rawBytes });
  try {
    await s.api.createSecret(body);
  } catch (error) {
    if (!isStatus(error, 409)) throw toProviderError(error, 'creating the job’s Secret');
    // Made by an upload a restart cut off: replaced, unless its Job already runs from it.
    if (await call('reading the Job', () => s.api.readJob(name))) {
      throw new ProviderError('invalid_request', `Job ${job.id} already runs in namespace "${s.cluster.namespace}".`, {
        hint: 'Its training data cannot be replaced now.',
      });
    }
    const current = await call('reading the Secret', () => s.api.readSecret(name));
    const resourceVersion = current.metadata?.resourceVersion;
    await call('replacing the Secret', () =>
      s.api.replaceSecret(name, {
        ...body,
        metadata: { ...body.metadata, ...(resourceVersion ? { resourceVersion } : {}) },
      }),
    );
  }
  return { provider: 'k8s', id: formatRef(s.cluster.namespace, job.id), name: file.name, bytes: rawBytes };
}

/** Deletes a Secret no Job owns yet; one whose Job exists is the Job's (its pod may still need it). */
export async function discardSecret(s: Submitter, jobId: string): Promise<number> {
  if (!isJobId(jobId)) return 0;
  const name = objectName(jobId);
  try {
    if (await s.api.readJob(name)) return 0;
    return (await s.api.deleteSecret(name)) ? 1 : 0;
  } catch (error) {
    if (isOutage(error)) return 0;
    throw toProviderError(error, 'deleting the Secret');
  }
}

async function ownSecret(s: Submitter, job: V1Job): Promise<void> {
  const name = job.metadata?.name as string;
  const uid = job.metadata?.uid;
  if (!uid) return;
  let secret: Awaited<ReturnType<KubeApi['readSecret']>>;
  try {
    secret = await s.api.readSecret(name);
  } catch (error) {
    if (isStatus(error, 404)) return; // already gone with an earlier Job, or removed by hand
    throw toProviderError(error, 'reading the Secret');
  }
  if (secret.metadata?.ownerReferences?.some((r) => r.uid === uid)) return;
  // No blockOwnerDeletion: setting it needs rights on the Job's finalizers, and a Foreground delete
  // removes the Secret without it.
  const owner = { apiVersion: 'batch/v1', kind: 'Job', name, uid };
  await call('making the Job own its Secret', () =>
    s.api.patchSecret(name, [{ op: 'add', path: '/metadata/ownerReferences', value: [owner] }]),
  );
}

export async function startJob(s: Submitter, spec: JobSpec): Promise<{ created: boolean }> {
  const { jobId } = requireRef(spec.trainingFileId, 'training file', s.cluster.namespace);
  if (jobId !== spec.id) {
    throw new ProviderError('invalid_request', `The training file ${spec.trainingFileId} belongs to another job.`, {
      hint: 'Start the job again with /finetune start.',
    });
  }
  const name = objectName(jobId);
  const text = podSpecJson(spec, s.cluster); // a bad model or setting stops here, before anything changes
  const existing = await call('reading the Job', () => s.api.readJob(name));
  if (existing) {
    if (existing.metadata?.labels?.[LABEL_JOB_ID] !== jobId) {
      throw new ProviderError(
        'invalid_request',
        `A Job named ${name} exists in "${s.cluster.namespace}" but is not job ${jobId}’s.`,
        {
          hint: 'Delete or rename that Job, then start the job again.',
        },
      );
    }
    await ownSecret(s, existing);
    return { created: false };
  }
  let secret: Awaited<ReturnType<KubeApi['readSecret']>>;
  try {
    secret = await s.api.readSecret(name);
  } catch (error) {
    if (!isStatus(error, 404)) throw toProviderError(error, 'reading the Secret');
    throw new ProviderError(
      'not_found',
      `Namespace "${s.cluster.namespace}" has no Secret ${name} with job ${jobId}’s data.`,
      {
        hint: 'The training file was removed from the cluster; start the job again.',
      },
    );
  }
  const b64 = Buffer.from(text).toString('base64');
  if (secret.data?.[KEYS.spec] !== b64) {
    await call('adding spec.json to the Secret', () =>
      s.api.patchSecret(name, [{ op: 'add', path: `/data/${KEYS.spec}`, value: b64 }]),
    );
  }
  const trainingBytes = Number(secret.metadata?.annotations?.[ANNOTATION.trainingBytes]);
  const deadline = jobDeadline({
    model: spec.model,
    ...(spec.lora ? { lora: spec.lora } : {}),
    ...(Number.isFinite(trainingBytes) ? { trainingBytes } : {}),
    gpuType: s.cluster.gpuType,
    catalogue: s.catalogue,
  });
  const manifest = jobManifest(s.cluster, { spec, deadlineSeconds: deadline.seconds, trainerVersion: s.files.version });
  let job: V1Job;
  let created = true;
  try {
    job = await s.api.createJob(manifest);
  } catch (error) {
    if (!isStatus(error, 409)) throw toProviderError(error, 'creating the Job');
    // Another start (a retry whose first answer was lost, or a second replica) got there first.
    created = false;
    const found = await call('reading the Job', () => s.api.readJob(name));
    if (!found) throw toProviderError(error, 'creating the Job');
    job = found;
  }
  await ownSecret(s, job);
  return { created };
}
