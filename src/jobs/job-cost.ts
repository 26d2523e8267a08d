import type { Catalogue } from '../cost/catalogue.ts';
import { gpuTimeUsd } from '../cost/gpu.ts';
import { type CostOption, resolveOption } from '../cost/options.ts';
import { azureTrainingPlaceholder } from '../cost/placeholder.ts';
import type { AzureTier } from '../cost/schema.ts';
import { openModelFacts } from '../data/open-models.ts';
import type { ProviderId } from '../providers/types.ts';
import type { JobRequest } from '../store/types.ts';

type PricedRequest = Pick<JobRequest, 'model' | 'trainingType' | 'method' | 'hyperparameters'>;

export interface TrainingRate {
  /** USD per 1M billed tokens. */
  perMillion: number;
  /** The rate is a placeholder, not a published price (Azure, until its Retail Prices feed has it). */
  placeholder: boolean;
  source: string;
  asOf: string;
}

/** The catalogue option a job's request is priced as; undefined for a GPU host or an unknown size. */
function optionFor(provider: ProviderId, request: PricedRequest): CostOption | undefined {
  if (provider === 'openai') return { provider, model: request.model };
  if (provider === 'azure') return { provider, model: request.model, tier: azureTier(request.trainingType) };
  if (provider === 'together' || provider === 'fireworks') {
    const { paramsB } = openModelFacts(provider, request.model);
    if (paramsB === undefined) return undefined;
    if (provider === 'fireworks') return { provider, model: request.model, paramsB };
    return {
      provider,
      model: request.model,
      paramsB,
      method: request.method === 'dpo' ? 'dpo' : 'supervised',
      tuning: request.hyperparameters.tuning === 'full' ? 'full' : 'lora',
    };
  }
  return undefined;
}

/**
 * The catalogue's training rate for a request: provider, model and tier (Azure), size bracket ×
 * method × LoRA/full (Together, the size read off the model), size bracket (Fireworks). Undefined
 * where no price applies, so a job shows "cost unknown" rather than a wrong $0.
 */
export function trainingRate(
  provider: ProviderId,
  request: PricedRequest,
  catalogue: Catalogue,
): TrainingRate | undefined {
  const option = optionFor(provider, request);
  if (!option) return undefined;
  const r = resolveOption(option, catalogue);
  if ('error' in r) return undefined;
  if (r.provider === 'openai') {
    const t = r.price.training;
    return { perMillion: t.per_1m, placeholder: false, source: t.source, asOf: t.as_of };
  }
  if (r.provider === 'azure') {
    const t = r.price.training;
    return {
      perMillion: t[`${r.tier}_per_1m`],
      placeholder: azureTrainingPlaceholder(catalogue, r.model, r.tier),
      source: t.source,
      asOf: t.as_of,
    };
  }
  if (r.provider === 'together' || r.provider === 'fireworks') {
    const t = catalogue[r.provider].training;
    return { perMillion: r.perMillion, placeholder: false, source: t.source, asOf: t.as_of };
  }
  return undefined;
}

/**
 * What an API job costs to train: billed tokens (tokens × epochs, as the provider counts them) at
 * the catalogue's rate (trainingRate). Together also bills its evaluations, n_evals × the
 * validation file's tokens: pass `validationTokens` when they are known. Undefined when no price
 * applies.
 */
export function trainingUsd(
  provider: ProviderId,
  request: PricedRequest,
  billedTokens: number,
  catalogue: Catalogue,
  extra: { validationTokens?: number } = {},
): number | undefined {
  if (provider === 'gpu' || !(billedTokens >= 0)) return undefined;
  const rate = trainingRate(provider, request, catalogue);
  if (!rate) return undefined;
  const evals = request.hyperparameters.nEvals ?? 0;
  const validation = extra.validationTokens;
  const evalTokens =
    provider === 'together' && evals > 0 && validation !== undefined && validation >= 0 ? evals * validation : 0;
  return round2(((billedTokens + evalTokens) / 1e6) * rate.perMillion);
}

/**
 * What a job on the team's own GPU host cost: the GPU-seconds the trainer measured (already
 * multiplied by the GPUs it used) at the catalogue's hourly rate for the host's GPU type. Undefined
 * while nothing was measured, or for a GPU type the catalogue does not price.
 */
export function gpuUsd(
  gpu: { gpuType: string; gpuSeconds: number | null } | undefined,
  catalogue: Catalogue,
): number | undefined {
  if (!gpu || gpu.gpuSeconds === null || !(gpu.gpuSeconds >= 0)) return undefined;
  const rate = catalogue.gpus[gpu.gpuType]?.hourly_usd;
  return rate === undefined ? undefined : gpuTimeUsd(gpu.gpuSeconds, rate);
}

/** The job modal's tier words to the catalogue's: Azure calls its Global tier "globalstandard". */
export function azureTier(trainingType: JobRequest['trainingType']): AzureTier {
  if (trainingType === 'standard') return 'standard';
  if (trainingType === 'developer') return 'developer';
  return 'global';
}

const round2 = (usd: number) => Math.round(usd * 100) / 100;
