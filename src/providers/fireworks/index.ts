import { type ChatChoice, type Completion, completionOf } from '../completion.ts';
import { type Cursor, type Provider, ProviderError } from '../types.ts';
import { FIREWORKS_CAPABILITIES } from './capabilities.ts';
import { createContext, type FireworksContext, isStatus, LABEL, toFireworksError } from './client.ts';
import { discardDatasets, type UploadOptions, uploadDataset } from './datasets.ts';
import { type EventReadOptions, readEvents } from './events.ts';
import { cancelJob, getJob, readSnapshots, type SnapshotReadOptions, startJob } from './jobs.ts';
import { toSnapshot } from './map-job.ts';
import { catalogue, createModelCheck } from './models.ts';

/**
 * Fireworks AI's supervised fine-tuning (LoRA) over its REST API, with plain fetch: Fireworks has
 * no official Node SDK. Control plane under `/v1/accounts/<account>/…`, inference under
 * `/inference/v1` (OpenAI-compatible). See the files beside this one for each part.
 */
export interface FireworksProviderOptions {
  apiKey: string;
  /** The account datasets and jobs belong to: the `<id>` in `accounts/<id>`. */
  accountId: string;
  /** Default https://api.fireworks.ai; the REST API lives under /v1. */
  baseURL?: string;
  fetch?: typeof fetch;
  /** Retries of reads (GET, DELETE) on 429, 5xx and network failures; default 2. Creates never retry. */
  maxRetries?: number;
  retryBaseMs?: number;
  /** The longest wait between retries, Retry-After included; default 30 s. */
  maxRetryWaitMs?: number;
  /** Longest answer of the "Try it" button, in tokens. */
  completionMaxTokens?: number;
  upload?: UploadOptions;
  events?: EventReadOptions;
  snapshots?: SnapshotReadOptions;
}

export function createFireworksProvider(opts: FireworksProviderOptions): Provider {
  const ctx = createContext(opts);
  const checkModel = createModelCheck(ctx);
  const read = async (id: string, since: Cursor | undefined) => {
    const job = await getJob(ctx, id);
    const page = await readEvents(ctx, job, since, opts.events);
    return { job, page };
  };

  return {
    id: 'fireworks',
    label: LABEL,
    capabilities: FIREWORKS_CAPABILITIES,

    async models() {
      return catalogue();
    },

    async prepare(file, job) {
      // An unknown base model is said before anything is uploaded, so nothing is left behind.
      if (job?.model) await checkModel(job.model);
      return uploadDataset(ctx, file, opts.upload);
    },

    async discardUploads(jobId) {
      return discardDatasets(ctx, jobId);
    },

    async start(spec) {
      return startJob(ctx, spec, checkModel);
    },

    async poll(jobRef, since?: Cursor) {
      const { job, page } = await read(jobRef.id, since);
      return { ...toSnapshot(job, jobRef.id), ...page };
    },

    async snapshots(refs) {
      return readSnapshots(ctx, refs, opts.snapshots);
    },

    async events(jobRef, since?: Cursor) {
      return (await read(jobRef.id, since)).page;
    },

    // Fireworks' API offers no intermediate checkpoints for supervised jobs: the tuned model is
    // the one result, and it is in the snapshot (`fineTunedModel`).
    async checkpoints() {
      return [];
    },

    async cancel(jobRef) {
      await cancelJob(ctx, jobRef);
      return undefined;
    },

    async complete(model, prompt) {
      return complete(ctx, model, prompt, opts.completionMaxTokens ?? 500);
    },
  };
}

interface ChatAnswer {
  choices?: ChatChoice[];
}

/**
 * One question to a model through Fireworks' OpenAI-compatible chat completions. A tuned LoRA
 * answers only once it is deployed; Fireworks then says 404 "Model not found, inaccessible, and/or
 * not deployed", which the hint turns into the steps to deploy it.
 */
async function complete(ctx: FireworksContext, model: string, prompt: string, maxTokens: number): Promise<Completion> {
  try {
    const answer = await ctx.http.request<ChatAnswer>({
      method: 'POST',
      path: '/inference/v1/chat/completions',
      json: { model, messages: [{ role: 'user', content: prompt }], max_tokens: maxTokens },
      // An answer lost after it was generated is still billed: asking again would bill twice.
      retry: false,
    });
    return completionOf(answer.choices?.[0]);
  } catch (error) {
    if (isStatus(error, 404)) {
      throw new ProviderError(
        'not_found',
        `Fireworks cannot serve ${model}: it is not deployed (or not visible to this key).`,
        {
          hint: `Deploy it first: on app.fireworks.ai open the model and choose Deploy, or run \`firectl create deployment ${model} --wait\`; once the deployment is ready, press Try it again.`,
          status: 404,
        },
      );
    }
    throw toFireworksError(error, 'complete');
  }
}
