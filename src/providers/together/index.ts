import { openModelFacts, openModelsOf } from '../../data/open-models.ts';
import { type ChatChoice, completionOf } from '../completion.ts';
import { HttpFailure, type JsonClient, toHostedError } from '../http/json-client.ts';
import {
  isUploadOf,
  type JobSnapshot,
  type ModelInfo,
  type Provider,
  ProviderError,
  type ProviderJobRef,
} from '../types.ts';
import { TOGETHER_CAPABILITIES } from './capabilities.ts';
import { createTogetherClient, TOGETHER_HINTS, TOGETHER_LABEL, type TogetherClientOptions } from './client.ts';
import { readCheckpoints, readEvents } from './events.ts';
import { createBody } from './job-spec.ts';
import { toSnapshot } from './map-job.ts';
import { listFiles, uploadFile } from './upload.ts';
import type { WireEvent, WireJob } from './wire.ts';

export interface TogetherProviderOptions extends TogetherClientOptions {
  /** Longest answer of the "Try it" button, in tokens. */
  completionMaxTokens?: number;
  /** How long the list of tunable models is kept before it is read again. */
  modelsTtlMs?: number;
}

/** Together AI's fine-tuning API (api.together.xyz/v1), over plain fetch: see http/json-client.ts for why. */
export function createTogetherProvider(opts: TogetherProviderOptions): Provider {
  const { completionMaxTokens, modelsTtlMs, ...clientOptions } = opts;
  const client = createTogetherClient(clientOptions);
  const fail = (error: unknown): never => {
    throw toHostedError(error, TOGETHER_LABEL, TOGETHER_HINTS);
  };
  const call = <T>(promise: Promise<T>) => promise.catch(fail);
  const supported = supportedModels(client, modelsTtlMs ?? 10 * 60_000);

  const getJob = (id: string) =>
    call(client.request<WireJob>({ method: 'GET', path: `/fine-tunes/${encodeURIComponent(id)}` }));
  const jobEvents = async (id: string) =>
    (
      await call(
        client.request<{ data?: WireEvent[] }>({ method: 'GET', path: `/fine-tunes/${encodeURIComponent(id)}/events` }),
      )
    ).data ?? [];

  return {
    id: 'together',
    label: TOGETHER_LABEL,
    capabilities: TOGETHER_CAPABILITIES,

    async models() {
      const ids = await supported.list().catch(() => undefined);
      const known = openModelsOf('together');
      if (!ids) return known.map(toModelInfo);
      // The models we know first (with their sizes), then the rest of Together's list by name.
      const listed = new Set(ids.map((id) => id.toLowerCase()));
      const first = known.filter((m) => listed.has(m.id.toLowerCase()));
      const rest = ids
        .filter((id) => !first.some((m) => m.id.toLowerCase() === id.toLowerCase()))
        .sort((a, b) => a.localeCompare(b));
      return [...first.map(toModelInfo), ...rest.map((id) => toModelInfo(openModelFacts('together', id)))];
    },

    async prepare(file, job) {
      // A model Together does not tune is said before the file is sent, not after.
      if (job?.model) await refuseUnsupported(job.model);
      const uploaded = await call(uploadFile(client, file));
      return { provider: 'together', id: uploaded.id, name: file.name, bytes: uploaded.bytes ?? file.bytes };
    },

    async discardUploads(jobId) {
      let deleted = 0;
      for (const file of await call(listFiles(client))) {
        if (!isUploadOf(jobId, file.filename)) continue;
        await call(client.request({ method: 'DELETE', path: `/files/${encodeURIComponent(file.id)}` }));
        deleted++;
      }
      return deleted;
    },

    async start(spec) {
      const body = createBody(spec);
      await refuseUnsupported(spec.model);
      // Each job uploads its own file (capabilities: no file ids), so a job already made from it is
      // this job, started before an answer was lost.
      const existing = await call(client.request<{ data?: WireJob[] }>({ method: 'GET', path: '/fine-tunes' }));
      const found = existing.data?.find((job) => job.training_file === spec.trainingFileId);
      if (found) return ref(found.id);
      const job = await call(
        client.request<WireJob>({ method: 'POST', path: '/fine-tunes', json: body, retry: false }),
      );
      return ref(job.id);
    },

    async poll(jobRef, since) {
      const [job, page] = await Promise.all([getJob(jobRef.id), call(readEvents(client, jobRef.id, since))]);
      return { ...(await withReason(job)), ...page };
    },

    async snapshots(refs) {
      const wanted = new Set(refs.map((r) => r.id));
      const out = new Map<string, JobSnapshot>();
      if (wanted.size === 0) return out;
      const list = await call(client.request<{ data?: WireJob[] }>({ method: 'GET', path: '/fine-tunes' }));
      for (const job of list.data ?? []) {
        if (wanted.has(job.id)) out.set(job.id, await withReason(job));
      }
      return out;
    },

    async events(jobRef, since) {
      return call(readEvents(client, jobRef.id, since));
    },

    async checkpoints(jobRef) {
      const job = await getJob(jobRef.id);
      return call(readCheckpoints(client, jobRef.id, job.status === 'completed' ? job.model_output_name : undefined));
    },

    async cancel(jobRef) {
      await call(
        client.request({ method: 'POST', path: `/fine-tunes/${encodeURIComponent(jobRef.id)}/cancel`, retry: true }),
      );
      return undefined;
    },

    async complete(model, prompt) {
      const answer = await client
        .request<{ choices?: ChatChoice[] }>({
          method: 'POST',
          path: '/chat/completions',
          json: { model, messages: [{ role: 'user', content: prompt }], max_tokens: completionMaxTokens ?? 500 },
          // An answer lost after it was generated is still billed: asking again would bill twice.
          retry: false,
        })
        .catch((error: unknown) => {
          throw completionError(error, model);
        });
      return completionOf(answer.choices?.[0]);
    },
  };

  /** Refuses a model Together's list (read afresh: the form's may be older) does not have. */
  async function refuseUnsupported(model: string): Promise<void> {
    const ids = await supported.list(true).catch(() => undefined);
    if (ids && !ids.some((id) => id.toLowerCase() === model.toLowerCase())) {
      throw new ProviderError('invalid_request', `Together AI cannot fine-tune “${model}”.`, {
        hint: 'Choose a base model from the form’s list (Together’s own list: docs.together.ai/docs/fine-tuning/supported-models).',
      });
    }
  }

  /** A failed job's reason lives in its events: read them only for failed jobs. */
  async function withReason(job: WireJob): Promise<JobSnapshot> {
    if (job.status !== 'error' || (job.events?.length ?? 0) > 0) return toSnapshot(job);
    return toSnapshot(job, await jobEvents(job.id).catch(() => []));
  }
}

function ref(id: string): ProviderJobRef {
  return { provider: 'together', id };
}

function toModelInfo(m: { id: string; label: string; methods?: Array<'supervised' | 'dpo'> }): ModelInfo {
  return { id: m.id, family: m.id, label: m.label, methods: m.methods ? [...m.methods] : ['supervised', 'dpo'] };
}

/** A tuned model Together will not serve without a dedicated endpoint says so, with what to do. */
function completionError(error: unknown, model: string): unknown {
  const mapped = toHostedError(error, TOGETHER_LABEL, TOGETHER_HINTS);
  if (error instanceof HttpFailure && (error.status === 404 || (error.status === 400 && /model/i.test(error.detail)))) {
    return new ProviderError('not_found', `Together AI does not serve “${model}” right now: ${error.detail}`, {
      hint:
        'Serverless LoRA inference covers only some base models; for the others, start a dedicated endpoint for the ' +
        'tuned model at api.together.ai → Models, then try it again.',
      status: error.status,
    });
  }
  return mapped;
}

/** Together's list of tunable models, read at most once per `ttlMs`. */
function supportedModels(client: JsonClient, ttlMs: number) {
  let cached: { at: number; ids: string[] } | undefined;
  return {
    async list(fresh = false): Promise<string[]> {
      if (!fresh && cached && Date.now() - cached.at < ttlMs) return cached.ids;
      const answer = await client.request<{ models?: unknown }>({
        method: 'GET',
        path: '/fine-tunes/models/supported',
      });
      const ids = Array.isArray(answer.models) ? answer.models.filter((m): m is string => typeof m === 'string') : [];
      cached = { at: Date.now(), ids };
      return ids;
    },
  };
}
