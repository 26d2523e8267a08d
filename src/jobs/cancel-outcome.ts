import type { Catalogue } from '../cost/catalogue.ts';
import type { CancelOutcome } from '../providers/types.ts';
import type { JobPatch, JobRecord } from '../store/types.ts';
import { gpuUsd } from './job-cost.ts';

/**
 * The record of a job cancelled by a person, from what the provider said the cancel left behind.
 * GPU hosts: the adapter trained so far is kept (recorded as the job's model), and
 * the GPU time used until the stop is the cost. Hosted providers: nothing is billed before
 * training starts; a running job's cost is what it trained, unknown here. Pure.
 */
export function cancelledPatch(
  job: JobRecord,
  by: string,
  at: string,
  outcome: CancelOutcome | undefined,
  prices: Catalogue | undefined,
): JobPatch {
  const kept = outcome?.adapter;
  const gpu = outcome?.gpu;
  const gpuCost = gpu && prices ? gpuUsd(gpu, prices) : undefined;
  return {
    phase: 'cancelled',
    finishedAt: at,
    lastEditAt: at,
    // The message reads the user back from exactly these words (src/slack/job-message.ts).
    error: { code: 'cancelled', message: `Cancelled by <@${by}>.` },
    // What was kept: the adapter, named where a finished job names its model.
    ...(kept ? { fineTunedModel: kept.path } : {}),
    ...(gpu
      ? {
          progress: {
            ...job.progress,
            host: gpu.host,
            ...(gpu.gpuSeconds !== null ? { gpuSeconds: gpu.gpuSeconds } : {}),
          },
        }
      : {}),
    ...(gpuCost !== undefined ? { actualUsd: gpuCost } : job.phase === 'running' ? {} : { actualUsd: 0 }),
  };
}
