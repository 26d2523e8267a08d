import type {
  AzureModelPrice,
  AzureTier,
  Catalogue,
  FireworksBracket,
  GpuSpec,
  OpenAiModelPrice,
  TogetherBracket,
  TrainingMethod,
} from './schema.ts';

/**
 * The options a person compares, and how each is found in the catalogue. Finding is forgiving
 * where it cannot be wrong (case, a model id without its date, "H100" for the only H100) and says
 * in plain words what it knows when it finds nothing, so one bad option never sinks the others.
 */

/** Supervised or preference (DPO) training, in the provider contract's words. */
export type OpenMethod = 'supervised' | 'dpo';

export type CostOption =
  | { provider: 'openai'; model: string }
  | { provider: 'azure'; model: string; tier: AzureTier }
  | {
      provider: 'together';
      model: string;
      /** Billions of parameters: Together prices by size bracket. Callers read it off the model (open-models.ts). */
      paramsB?: number;
      /** Default supervised. */
      method?: OpenMethod;
      /** Default LoRA, as on Together. */
      tuning?: 'lora' | 'full';
      /** Together bills evaluations too: n_evals × the validation file's tokens. */
      validationTokens?: number;
      nEvals?: number;
    }
  | { provider: 'fireworks'; model: string; paramsB?: number }
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
      provider: 'together';
      option: CostOption;
      model: string;
      paramsB: number;
      method: OpenMethod;
      tuning: 'lora' | 'full';
      bracket: TogetherBracket;
      /** USD per 1M tokens processed, for this bracket, method and tuning. */
      perMillion: number;
    }
  | {
      provider: 'fireworks';
      option: CostOption;
      model: string;
      paramsB: number;
      bracket: FireworksBracket;
      perMillion: number;
    }
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
/** An open model's id without its organisation or account path: "Meta-Llama-3.1-8B-Instruct-Reference". */
const shortOpenModel = (id: string): string => id.split('/').pop() || id;

function togetherWords(option: Extract<CostOption, { provider: 'together' }>): string {
  return `${option.method === 'dpo' ? 'DPO ' : ''}${option.tuning === 'full' ? 'full' : 'LoRA'}`;
}

/** A short, human label: "OpenAI gpt-4.1-mini", "Azure gpt-4.1-mini (Global)", "Own GPU: H100-80GB LoRA, 8B". */
export function optionLabel(option: CostOption): string {
  if (option.provider === 'openai') return `OpenAI ${shortModel(option.model)}`;
  if (option.provider === 'azure')
    return `Azure ${shortModel(option.model)} (${TIER_WORDS[option.tier] ?? option.tier})`;
  if (option.provider === 'together') return `Together ${shortOpenModel(option.model)} (${togetherWords(option)})`;
  if (option.provider === 'fireworks') return `Fireworks ${shortOpenModel(option.model)} (LoRA)`;
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

/** The first bracket whose top is at least `paramsB`; undefined above the last. */
export function bracketFor<B extends { up_to_params_b: number }>(list: readonly B[], paramsB: number): B | undefined {
  return list.find((b) => paramsB <= b.up_to_params_b);
}

function sizeProblem(label: string, paramsB: number | undefined, top: number | undefined): string | undefined {
  if (paramsB === undefined) {
    return `${label}: the model's size is not known, so its price bracket cannot be chosen; give a model whose name carries its size (…-8B-…).`;
  }
  if (!isPositiveNumber(paramsB)) return `${label}: the model size must be a number of billions of parameters above 0.`;
  if (top !== undefined && paramsB > top) {
    return `${label}: the price list has brackets up to ${top}B; a ${paramsB}B model is priced per model on the provider's page. Set it in PRICES_FILE.`;
  }
  return undefined;
}

function resolveOpen(
  option: Extract<CostOption, { provider: 'together' | 'fireworks' }>,
  catalogue: Catalogue,
  label: string,
): ResolvedOption | { error: string } {
  const paramsB = option.paramsB ?? 0;
  if (option.provider === 'fireworks') {
    const list = catalogue.fireworks.training.brackets;
    const wrong = sizeProblem(label, option.paramsB, list.at(-1)?.up_to_params_b);
    const bracket = wrong ? undefined : bracketFor(list, paramsB);
    if (wrong || !bracket) return { error: wrong ?? `${label}: no price.` };
    return { provider: 'fireworks', option, model: option.model, paramsB, bracket, perMillion: bracket.per_1m };
  }
  const list = catalogue.together.training.brackets;
  const wrong = sizeProblem(label, option.paramsB, list.at(-1)?.up_to_params_b);
  const bracket = wrong ? undefined : bracketFor(list, paramsB);
  if (wrong || !bracket) return { error: wrong ?? `${label}: no price.` };
  const method = option.method ?? 'supervised';
  const tuning = option.tuning ?? 'lora';
  if (method !== 'supervised' && method !== 'dpo') {
    return { error: `${label}: the method must be supervised or dpo, not “${String(method)}”.` };
  }
  if (tuning !== 'lora' && tuning !== 'full') {
    return { error: `${label}: the tuning must be lora or full, not “${String(tuning)}”.` };
  }
  const perMillion = bracket[`${method === 'dpo' ? 'dpo' : 'sft'}_${tuning}_per_1m`];
  return { provider: 'together', option, model: option.model, paramsB, method, tuning, bracket, perMillion };
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
  if (option.provider === 'together' || option.provider === 'fireworks') return resolveOpen(option, catalogue, label);
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
  return { error: `Unknown provider “${String(provider)}”: expected openai, azure, together, fireworks or gpu.` };
}
