import type { Catalogue } from '../cost/catalogue.ts';
import { gpuTimeUsd } from '../cost/gpu.ts';
import { resolveOption } from '../cost/options.ts';
import type { AzureTier } from '../cost/schema.ts';
import type { ProviderId } from '../providers/types.ts';
import type { JobRequest } from '../store/types.ts';

/**
 * What an API job costs to train: billed tokens (tokens × epochs, as the provider counts them) at
 * the catalogue's rate for the provider, model and tier. Undefined when the catalogue has no price,
 * which the job message shows as "cost unknown" rather than a wrong $0.
 */
export function trainingUsd(
  provider: ProviderId,
  request: Pick<JobRequest, 'model' | 'trainingType'>,
  billedTokens: number,
  catalogue: Catalogue,
): number | undefined {
  if (provider === 'gpu' || !(billedTokens >= 0)) return undefined;
  const resolved =
    provider === 'openai'
      ? resolveOption({ provider: 'openai', model: request.model }, catalogue)
      : resolveOption({ provider: 'azure', model: request.model, tier: azureTier(request.trainingType) }, catalogue);
  if ('error' in resolved) return undefined;
  const perMillion =
    resolved.provider === 'openai'
      ? resolved.price.training.per_1m
      : resolved.provider === 'azure'
        ? resolved.price.training[`${resolved.tier}_per_1m`]
        : undefined;
  return perMillion === undefined ? undefined : round2((billedTokens / 1e6) * perMillion);
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
