import type { Catalogue } from '../cost/catalogue.ts';
import { gpuTraining } from '../cost/gpu.ts';
import type { GpuSpec } from '../cost/schema.ts';
import type { LoraSettings, PreflightReport } from '../providers/types.ts';
import type { JobHostChoice } from '../slack/job-choice.ts';

/**
 * What a LoRA job on a GPU host will cost before it starts, from the FLOPs rule (src/cost/gpu.ts):
 * 4 × parameters × tokens × epochs ÷ (the host GPU's peak BF16 × MFU), priced at the catalogue's
 * hourly rate for the host's GPU type. Pure. The model's size comes from the host's pre-flight when it
 * read the weights, else from the model's name ("Llama-3.1-8B" → 8B); without either, no estimate.
 */

/** The pre-flight, with what the adapter may also report (asked of the provider contract; optional). */
export type PreflightWithModel = PreflightReport & {
  /** The base model's parameter count, as the pre-flight read it from the weights' metadata. */
  modelParameters?: number;
};

export interface GpuEstimate {
  host: JobHostChoice;
  /** How the host was chosen: asked for; the one auto's pre-flight ran on; or, for auto, the cheapest per job. */
  picked: 'asked' | 'preflight' | 'cheapest';
  gpuName: string;
  hourlyUsd: number;
  paramsB: number;
  paramsFrom: 'preflight' | 'name';
  tokens: number;
  mfu: number;
  wallHours: number;
  gpuHours: number;
  usd: number;
  /** GB of GPU memory training needs (rule of thumb), against one GPU's: each GPU holds the whole model. */
  memoryNeededGb: number;
  memoryPerGpuGb: number;
}

export interface GpuEstimateInput {
  model: string;
  lora: LoraSettings;
  /** Tokens in one pass over the file (the validation report's trainingTokens). */
  tokensPerEpoch: number;
  hosts: readonly JobHostChoice[];
  /** The host asked for; absent: auto. */
  host?: string;
  preflight?: PreflightWithModel;
}

const SIZE = /(?:^|[-_.])(\d{1,4}(?:\.\d{1,3})?)([bm])(?=$|[-_.])/i;

/** Billions of parameters a model's name states (`Qwen2.5-0.5B-Instruct` → 0.5, `SmolLM2-135M` → 0.135). */
export function paramsFromName(model: string): number | undefined {
  const name = model.split('/').filter(Boolean).at(-1) ?? '';
  if (/\d+x\d/i.test(name)) return undefined; // a mixture of experts: the name is not the compute
  const match = SIZE.exec(name);
  if (!match?.[1] || !match[2]) return undefined;
  const n = Number(match[1]) / (match[2].toLowerCase() === 'm' ? 1000 : 1);
  return n >= 0.01 && n <= 2000 ? n : undefined;
}

/** Cost per job is GPU-hours × rate, and GPU-hours do not depend on the GPU count: rate ÷ speed ranks hosts. */
function perJobCost(gpu: GpuSpec): number {
  return gpu.hourly_usd / gpu.peak_bf16_tflops;
}

/** The host the estimate is priced on, and how it was chosen; undefined when none has a price. */
export function estimateHost(
  input: Pick<GpuEstimateInput, 'hosts' | 'host' | 'preflight'>,
  prices: Catalogue,
): { host: JobHostChoice; picked: GpuEstimate['picked'] } | undefined {
  const priced = (h: JobHostChoice | undefined) => (h && prices.gpus[h.gpuType] ? h : undefined);
  const fromPreflight = (name: string | undefined): JobHostChoice | undefined => {
    const p = input.preflight;
    if (!p || p.host !== name || !p.gpuType) return undefined;
    return { name: p.host, gpuType: p.gpuType, gpuCount: 1 };
  };
  if (input.host !== undefined) {
    const host = priced(input.hosts.find((h) => h.name === input.host) ?? fromPreflight(input.host));
    return host ? { host, picked: 'asked' } : undefined;
  }
  const checked = input.preflight?.host;
  const ran = priced(input.hosts.find((h) => h.name === checked) ?? fromPreflight(checked));
  if (ran) return { host: ran, picked: 'preflight' };
  let best: JobHostChoice | undefined;
  for (const h of input.hosts) {
    const gpu = prices.gpus[h.gpuType];
    const bestGpu = best && prices.gpus[best.gpuType];
    if (gpu && (!bestGpu || perJobCost(gpu) < perJobCost(bestGpu))) best = h;
  }
  return best ? { host: best, picked: 'cheapest' } : undefined;
}

/** The estimate, or why there is none (in words for the review). */
export function gpuJobEstimate(input: GpuEstimateInput, prices: Catalogue): GpuEstimate | { reason: string } {
  const at = estimateHost(input, prices);
  if (!at) {
    const types = [...new Set(input.hosts.map((h) => h.gpuType))];
    return {
      reason:
        types.length > 0
          ? `The price list has no rate for ${types.join(', ')}; set one in PRICES_FILE.`
          : 'The provider did not say which GPU the job will run on, so there is no rate to price it at.',
    };
  }
  const fromPreflight = input.preflight?.modelParameters;
  const paramsB =
    typeof fromPreflight === 'number' && fromPreflight > 0 ? fromPreflight / 1e9 : paramsFromName(input.model);
  if (paramsB === undefined) {
    return {
      reason: `I could not tell how large ${input.model} is from its name, and the host’s pre-flight did not say, so there is no estimate.`,
    };
  }
  const gpu = prices.gpus[at.host.gpuType] as GpuSpec;
  const mfu = prices.self_hosting.default_mfu;
  const tokens = Math.round(input.tokensPerEpoch * input.lora.epochs);
  const t = gpuTraining(
    // A job trains on one GPU of its host (CUDA_VISIBLE_DEVICES): the others are other jobs' slots.
    { gpu, count: 1, paramsB, method: input.lora.method, mfu },
    prices.self_hosting,
    tokens,
  );
  return {
    host: at.host,
    picked: at.picked,
    gpuName: gpu.name,
    hourlyUsd: gpu.hourly_usd,
    paramsB: Math.round(paramsB * 1000) / 1000,
    paramsFrom: typeof fromPreflight === 'number' && fromPreflight > 0 ? 'preflight' : 'name',
    tokens,
    mfu,
    wallHours: t.wallHours,
    gpuHours: t.gpuHours,
    // A job that costs anything is shown as at least a cent, not as free.
    usd: t.usd > 0 ? Math.max(0.01, Math.round(t.usd * 100) / 100) : 0,
    memoryNeededGb: t.memoryNeededGb,
    memoryPerGpuGb: gpu.memory_gb,
  };
}
