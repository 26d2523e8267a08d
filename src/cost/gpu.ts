import type { GpuSpec, SelfHosting, TrainingMethod } from './schema.ts';
import { HOURS_PER_MONTH, SECONDS_PER_HOUR } from './units.ts';

/**
 * Self-hosted training and serving on rented GPUs, from first principles (gpu-dispatch.md §3).
 *
 * Training time is the FLOPs rule: k·N·tokens·epochs ÷ (peak BF16 FLOP/s × MFU × GPUs), with k = 4
 * for LoRA/QLoRA (frozen base weights: no weight gradients) and 6 for a full fine-tune. QLoRA pays
 * for dequantising: it keeps `qlora_throughput_factor` of LoRA's speed. Scaling across GPUs is
 * taken as perfect, and setup, model download, evaluation and checkpoints are left out: a prior,
 * to be replaced by the measured rate once a job runs.
 *
 * Serving keeps GPUs on all month. One replica holds the weights (BF16 plus headroom for the KV
 * cache), rounded up to 1, 2, 4 or 8 GPUs as tensor parallelism wants; replicas are added until
 * their assumed throughput covers the monthly volume.
 */

export interface GpuTraining {
  flops: number;
  wallHours: number;
  gpuHours: number;
  usd: number;
  /** GB of GPU memory training needs (LLaMA-Factory's rule of thumb), against what the GPUs have. */
  memoryNeededGb: number;
  memoryAvailableGb: number;
}

export interface GpuTrainingPlan {
  gpu: GpuSpec;
  count: number;
  paramsB: number;
  method: TrainingMethod;
  mfu: number;
}

export function gpuTraining(plan: GpuTrainingPlan, selfHosting: SelfHosting, billedTokens: number): GpuTraining {
  const k = selfHosting.flops_per_token_per_param[plan.method];
  const flops = k * plan.paramsB * 1e9 * billedTokens;
  const speed = plan.method === 'qlora' ? selfHosting.qlora_throughput_factor : 1;
  const flopsPerSecond = plan.gpu.peak_bf16_tflops * 1e12 * plan.mfu * speed * plan.count;
  const wallHours = flops / flopsPerSecond / SECONDS_PER_HOUR;
  const gpuHours = wallHours * plan.count;
  return {
    flops,
    wallHours,
    gpuHours,
    usd: gpuHours * plan.gpu.hourly_usd,
    memoryNeededGb: selfHosting.training_memory_gb_per_b[plan.method] * plan.paramsB,
    memoryAvailableGb: plan.gpu.memory_gb * plan.count,
  };
}

export interface ServingPlan {
  /** GPUs that together hold one copy of the model. */
  replicaGpus: number;
  replicas: number;
  gpus: number;
  /** Tokens (input + output) one GPU is assumed to serve per second, on average, for this model size. */
  tokensPerSecondPerGpu: number;
  /** Tokens one replica serves in a month at that average. */
  replicaMonthlyTokens: number;
  /** What one replica costs a month, always on. */
  replicaMonthlyUsd: number;
  monthlyUsd: number;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/** GPUs, always on, to serve `monthlyTokens` (input + output) with a model of `paramsB` billion parameters. */
export function servingPlan(
  gpu: GpuSpec,
  selfHosting: SelfHosting,
  paramsB: number,
  monthlyTokens: number,
): ServingPlan {
  const weightsGb = paramsB * selfHosting.serving_bytes_per_param * selfHosting.serving_memory_headroom;
  const replicaGpus = nextPowerOfTwo(Math.ceil(weightsGb / gpu.memory_gb));
  const tokensPerSecondPerGpu =
    gpu.serving_tokens_per_s * (selfHosting.serving_reference_params_b / paramsB) * selfHosting.serving_utilisation;
  const replicaMonthlyTokens = tokensPerSecondPerGpu * replicaGpus * HOURS_PER_MONTH * SECONDS_PER_HOUR;
  const replicas = Math.max(1, Math.ceil(monthlyTokens / replicaMonthlyTokens));
  const replicaMonthlyUsd = replicaGpus * gpu.hourly_usd * HOURS_PER_MONTH;
  return {
    replicaGpus,
    replicas,
    gpus: replicas * replicaGpus,
    tokensPerSecondPerGpu,
    replicaMonthlyTokens,
    replicaMonthlyUsd,
    monthlyUsd: replicas * replicaMonthlyUsd,
  };
}

/** What GPU time costs, to the cent: measured GPU-seconds at an hourly rate (wall time × GPUs used). */
export function gpuTimeUsd(gpuSeconds: number, hourlyUsd: number): number {
  return Math.round((Math.max(0, gpuSeconds) / SECONDS_PER_HOUR) * hourlyUsd * 100) / 100;
}
