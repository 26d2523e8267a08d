import type { AzureModelPrice, AzureTier, Catalogue, GpuSpec, OpenAiModelPrice, TrainingMethod } from './schema.ts';

/**
 * The options a person compares, and how each is found in the catalogue. Finding is forgiving
 * where it cannot be wrong (case, a model id without its date, "H100" for the only H100) and says
 * in plain words what it knows when it finds nothing, so one bad option never sinks the others.
 */

export type CostOption =
  | { provider: 'openai'; model: string }
  | { provider: 'azure'; model: string; tier: AzureTier }
  | {
      provider: 'gpu';
      gpu: string;
      /** GPUs used for training (serving is sized separately from the monthly volume). Default 1. */
      gpuCount?: number;
      /** Size of the base model, in billions of parameters. */
      modelParamsB: number;
      method: TrainingMethod;
      /** Model FLOPs utilisation, above 0 and at most 1; the catalogue's default (0.3) when absent. */
      mfu?: number;
    };

export type ResolvedOption =
  | { provider: 'openai'; option: CostOption; model: string; price: OpenAiModelPrice }
  | { provider: 'azure'; option: CostOption; model: string; tier: AzureTier; price: AzureModelPrice }
  | {
      provider: 'gpu';
      option: CostOption;
      id: string;
      gpu: GpuSpec;
      count: number;
      paramsB: number;
      method: TrainingMethod;
      mfu: number;
    };

const TIER_WORDS: Record<AzureTier, string> = { standard: 'Standard', global: 'Global', developer: 'Developer' };
const METHOD_WORDS: Record<TrainingMethod, string> = { lora: 'LoRA', qlora: 'QLoRA', full: 'full fine-tune' };

const shortModel = (id: string): string => id.replace(/-\d{4}-\d{2}-\d{2}$/, '').replace(/-\d{4}$/, '');

/** A short, human label: "OpenAI gpt-4.1-mini", "Azure gpt-4.1-mini (Global)", "Own GPU: H100-80GB LoRA, 8B". */
export function optionLabel(option: CostOption): string {
  if (option.provider === 'openai') return `OpenAI ${shortModel(option.model)}`;
  if (option.provider === 'azure')
    return `Azure ${shortModel(option.model)} (${TIER_WORDS[option.tier] ?? option.tier})`;
  const count = option.gpuCount && option.gpuCount > 1 ? `${option.gpuCount}× ` : '';
  return `Own GPU: ${count}${option.gpu} ${METHOD_WORDS[option.method] ?? option.method}, ${option.modelParamsB}B`;
}

/** An exact key, else a case-insensitive one, else the one key that extends it ("gpt-4.1" → the dated id). */
function findKey(keys: string[], wanted: string, extends_: (key: string, wanted: string) => boolean): string[] {
  if (keys.includes(wanted)) return [wanted];
  const lower = wanted.toLowerCase();
  const same = keys.filter((k) => k.toLowerCase() === lower);
  if (same.length > 0) return same;
  return keys.filter((k) => extends_(k.toLowerCase(), lower));
}

const datedVersionOf = (key: string, wanted: string) =>
  key.startsWith(`${wanted}-`) && /\d/.test(key.charAt(wanted.length + 1));
const gpuVariantOf = (key: string, wanted: string) =>
  key.replace(/[\s_]/g, '-').startsWith(wanted.replace(/[\s_]/g, '-'));

function list(keys: string[]): string {
  return keys.length === 0 ? 'none' : keys.join(', ');
}

function lookup(
  kind: string,
  keys: string[],
  wanted: string,
  match: typeof datedVersionOf,
): string | { error: string } {
  const found = findKey(keys, wanted, match);
  if (found.length === 1 && found[0] !== undefined) return found[0];
  if (found.length > 1) return { error: `“${wanted}” could be ${found.join(' or ')}: say which.` };
  return { error: `the price list has no ${kind} called “${wanted}”; it knows ${list(keys)}.` };
}

function isPositiveNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/** The catalogue entries an option needs, or a sentence saying what is wrong with it. */
export function resolveOption(option: CostOption, catalogue: Catalogue): ResolvedOption | { error: string } {
  const label = optionLabel(option);
  if (option.provider === 'openai') {
    const model = lookup('OpenAI model', Object.keys(catalogue.openai.models), option.model, datedVersionOf);
    if (typeof model !== 'string') return { error: `${label}: ${model.error}` };
    const price = catalogue.openai.models[model];
    return price ? { provider: 'openai', option, model, price } : { error: `${label}: no price.` };
  }
  if (option.provider === 'azure') {
    if (!(option.tier in TIER_WORDS)) {
      return {
        error: `${label}: the Azure training tier must be standard, global or developer, not “${option.tier}”.`,
      };
    }
    const model = lookup('Azure OpenAI model', Object.keys(catalogue.azure.models), option.model, datedVersionOf);
    if (typeof model !== 'string') return { error: `${label}: ${model.error}` };
    const price = catalogue.azure.models[model];
    return price ? { provider: 'azure', option, model, tier: option.tier, price } : { error: `${label}: no price.` };
  }
  if (option.provider === 'gpu') {
    const id = lookup('GPU', Object.keys(catalogue.gpus), option.gpu, gpuVariantOf);
    if (typeof id !== 'string') return { error: `${label}: ${id.error}` };
    const gpu = catalogue.gpus[id];
    if (!gpu) return { error: `${label}: no price.` };
    if (!(option.method in METHOD_WORDS)) {
      return { error: `${label}: the training method must be lora, qlora or full, not “${option.method}”.` };
    }
    if (!isPositiveNumber(option.modelParamsB)) {
      return { error: `${label}: the model size must be a number of billions of parameters above 0.` };
    }
    const count = option.gpuCount ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 1024) {
      return { error: `${label}: the GPU count must be a whole number from 1 to 1,024, not ${count}.` };
    }
    const mfu = option.mfu ?? catalogue.self_hosting.default_mfu;
    if (!isPositiveNumber(mfu) || mfu > 1) {
      return { error: `${label}: the MFU must be a fraction above 0 and at most 1 (0.3 is 30%), not ${mfu}.` };
    }
    return { provider: 'gpu', option, id, gpu, count, paramsB: option.modelParamsB, method: option.method, mfu };
  }
  const provider = (option as { provider?: unknown }).provider;
  return { error: `Unknown provider “${String(provider)}”: expected openai, azure or gpu.` };
}
