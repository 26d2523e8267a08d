import type OpenAI from 'openai';
import { completionOf } from '../completion.ts';
import {
  type Cursor,
  isUploadOf,
  type JobSnapshot,
  type JobSpec,
  type Provider,
  type ProviderJobRef,
} from '../types.ts';
import type { Dialect, Operation } from './dialect.ts';
import { toProviderError } from './errors.ts';
import { type EventReadOptions, readCheckpoints, readEvents } from './events.ts';
import { createParams, JOB_ID_KEY } from './job-spec.ts';
import { toSnapshot, type WireJob } from './map-job.ts';
import { readJobs, type SnapshotReadOptions } from './snapshots.ts';
import { type UploadOptions, uploadTrainingFile } from './upload.ts';

/** Knobs shared by both adapters' factories; the defaults suit production, tests shrink them. */
export interface AdapterTuning {
  upload?: UploadOptions;
  snapshots?: SnapshotReadOptions;
  events?: EventReadOptions;
  /** Longest answer of the "Try it" button, in tokens. */
  completionMaxTokens?: number;
  /** Told the HTTP calls each `snapshots` read made: the monitor's cost, for logs and the bench. */
  onSnapshotRead?: (read: { jobs: number; calls: number }) => void;
}

export interface CoreOptions extends AdapterTuning {
  client: OpenAI;
  dialect: Dialect;
  /** The credentials in use right now, kept out of every error message. */
  secrets: () => Iterable<string>;
}

/**
 * One adapter for OpenAI and Azure OpenAI: both speak the same fine-tuning API through the same
 * SDK; the dialect carries what differs (statuses and levels are normalised for both in the maps).
 */
export function createCoreProvider(o: CoreOptions): Provider {
  const { client, dialect } = o;
  const fail =
    (op: Operation, fileId?: string) =>
    (error: unknown): never => {
      throw toProviderError(error, { dialect, op, secrets: o.secrets, ...(fileId ? { fileId } : {}) });
    };
  const asError = (op: Operation) => (error: unknown) => toProviderError(error, { dialect, op, secrets: o.secrets });
  const ref = (id: string): ProviderJobRef => ({ provider: dialect.id, id });
  const snapshot = (job: WireJob): JobSnapshot => toSnapshot(job, dialect.id, dialect);
  const retrieve = async (id: string) =>
    (await client.fineTuning.jobs.retrieve(id).catch(fail('read'))) as unknown as WireJob;

  /**
   * A job already started for this spec: the metadata filter, checked again here in case it is
   * ignored. A provider that refuses the filter itself (400) only costs the idempotency, not the start.
   */
  async function alreadyStarted(spec: JobSpec): Promise<WireJob | undefined> {
    try {
      const page = await client.fineTuning.jobs.list({ limit: 10, metadata: { [JOB_ID_KEY]: spec.id } });
      return (page.data as unknown as WireJob[]).find((job) => job.metadata?.[JOB_ID_KEY] === spec.id);
    } catch (error) {
      const failure = asError('read')(error);
      if (failure.kind === 'invalid_request') return undefined;
      throw failure;
    }
  }

  return {
    id: dialect.id,
    label: dialect.label,
    capabilities: dialect.capabilities,

    async models() {
      return dialect.models.map((m) => ({ ...m, methods: [...m.methods] }));
    },

    async prepare(file) {
      const uploaded = await uploadTrainingFile(client, file, dialect.resumableUploads, o.upload).catch(fail('upload'));
      return { provider: dialect.id, id: uploaded.id, name: file.name, bytes: uploaded.bytes };
    },

    async discardUploads(jobId) {
      let deleted = 0;
      // Newest first, and a few pages at most: an orphan is minutes old when its start resumes.
      let page = await client.files.list({ purpose: 'fine-tune', limit: 100, order: 'desc' }).catch(fail('read'));
      for (let pages = 0; pages < 5; pages++) {
        for (const file of page.data) {
          if (!isUploadOf(jobId, file.filename)) continue;
          await client.files.delete(file.id).catch(fail('read'));
          deleted++;
        }
        if (!page.hasNextPage()) break;
        page = await page.getNextPage().catch(fail('read'));
      }
      return deleted;
    },

    async start(spec) {
      dialect.checkSpec(spec);
      const existing = await alreadyStarted(spec);
      if (existing) return ref(existing.id);
      // No SDK retries: a 429 here is usually the daily job limit, which retrying only burns, and a
      // retried create after a lost answer could start the job twice. The caller retries `start`,
      // which finds the job by its metadata first.
      const job = await client.fineTuning.jobs
        .create(createParams(spec, dialect.createExtras(spec)), { maxRetries: 0 })
        .catch(fail('create', spec.trainingFileId));
      return ref(job.id);
    },

    async poll(jobRef, since?: Cursor) {
      const [job, page] = await Promise.all([
        retrieve(jobRef.id),
        readEvents(client, jobRef.id, since, o.events).catch(fail('read')),
      ]);
      return { ...snapshot(job), ...page };
    },

    async snapshots(refs) {
      const ids = [...new Set(refs.map((r) => r.id))];
      const read = await readJobs(client, ids, asError('read'), o.snapshots);
      o.onSnapshotRead?.({ jobs: ids.length, calls: read.calls });
      return new Map([...read.jobs].map(([id, job]) => [id, snapshot(job)]));
    },

    async events(jobRef, since?: Cursor) {
      return readEvents(client, jobRef.id, since, o.events).catch(fail('read'));
    },

    async checkpoints(jobRef) {
      return readCheckpoints(client, jobRef.id).catch(fail('read'));
    },

    async cancel(jobRef) {
      await client.fineTuning.jobs.cancel(jobRef.id).catch(fail('cancel'));
    },

    async complete(model, prompt) {
      const answer = await client.chat.completions
        .create({
          model,
          messages: [{ role: 'user', content: prompt }],
          max_completion_tokens: o.completionMaxTokens ?? 500,
        })
        .catch(fail('complete'));
      return completionOf(answer.choices[0]);
    },
  };
}
