import type { Catalogue } from '../cost/catalogue.ts';
import { type CostOption, estimate } from '../cost/estimate.ts';
import { optionLabel } from '../cost/options.ts';
import { findModel } from '../data/models.ts';
import { type OpenModelProvider, openModelFacts, openModelsOf } from '../data/open-models.ts';
import type { ValidationReport } from '../data/validate.ts';
import type { AdviceSession } from '../store/types.ts';

/** What the cost modal opens with; filled from a recommendation or left empty. */
export interface CostPrefill {
  trainingTokens?: number;
  epochs?: number;
  monthlyTokens?: number;
  model?: string;
  options?: CostOption[];
  modelParamsB?: number;
  /** Says where the values came from (a recommendation), shown above the fields. */
  note?: string;
}

/**
 * The options people compare, as the cost modal offers them. A value encodes one CostOption:
 * `openai|MODEL`, `azure|TIER|MODEL`, `together|METHOD|TUNING|MODEL` (or `together|MODEL`: supervised
 * LoRA), `fireworks|MODEL`, `gpu|GPU|METHOD` (the self-hosted size is asked for separately; an open
 * model's size is read off the model, src/data/open-models.ts).
 */

/** One row of the training-cost comparison under a validation report. */
export interface TrainingCostLine {
  label: string;
  usd: number;
  detail?: string;
  /** The rate is a placeholder, not a published price: the row says so next to the figure. */
  placeholder?: boolean;
}

export interface OfferedOption {
  value: string;
  label: string;
}

/** The self-hosted model size assumed when nobody says otherwise: Llama 3.1 8B class. */
export const DEFAULT_SELF_HOSTED_B = 8;

export function encodeOption(option: CostOption): string {
  if (option.provider === 'openai') return `openai|${option.model}`;
  if (option.provider === 'azure') return `azure|${option.tier}|${option.model}`;
  if (option.provider === 'together')
    return `together|${option.method ?? 'supervised'}|${option.tuning ?? 'lora'}|${option.model}`;
  if (option.provider === 'fireworks') return `fireworks|${option.model}`;
  return `gpu|${option.gpu}|${option.method}`;
}

/** An open model as an option, its size read off the model (undefined size: the estimate says why). */
export function openOption(
  provider: OpenModelProvider,
  model: string,
  extra: { method?: 'supervised' | 'dpo'; tuning?: 'lora' | 'full' } = {},
): CostOption {
  const { paramsB } = openModelFacts(provider, model);
  const size = paramsB !== undefined ? { paramsB } : {};
  return provider === 'fireworks' ? { provider, model, ...size } : { provider, model, ...size, ...extra };
}

function decodeOpen(parts: string[]): CostOption | undefined {
  const [provider, a, b, ...rest] = parts;
  if (provider === 'fireworks') return a && b === undefined ? openOption('fireworks', a) : undefined;
  if (provider !== 'together' || !a) return undefined;
  if ((a === 'supervised' || a === 'dpo') && (b === 'lora' || b === 'full') && rest.length > 0) {
    return openOption('together', rest.join('|'), { method: a, tuning: b });
  }
  return b === undefined ? openOption('together', a) : undefined;
}

export function decodeOption(value: string, modelParamsB = DEFAULT_SELF_HOSTED_B): CostOption | undefined {
  const [provider, a, b] = value.split('|');
  if (provider === 'together' || provider === 'fireworks') return decodeOpen(value.split('|'));
  if (provider === 'openai' && a) return { provider, model: a };
  if (provider === 'azure' && (a === 'standard' || a === 'global' || a === 'developer') && b)
    return { provider, tier: a, model: b };
  if (provider === 'gpu' && a && (b === 'lora' || b === 'qlora' || b === 'full'))
    return { provider, gpu: a, method: b, modelParamsB };
  return undefined;
}

/** Everything the catalogue can price, for the modal's multi-select (at most 100 options). */
export function offeredOptions(catalogue: Catalogue): OfferedOption[] {
  const options: CostOption[] = [];
  for (const model of Object.keys(catalogue.openai.models)) options.push({ provider: 'openai', model });
  for (const model of Object.keys(catalogue.azure.models)) {
    for (const tier of ['global', 'standard', 'developer'] as const) options.push({ provider: 'azure', tier, model });
  }
  for (const m of openModelsOf('together')) {
    for (const tuning of ['lora', 'full'] as const) options.push(openOption('together', m.id, { tuning }));
  }
  for (const m of openModelsOf('fireworks')) options.push(openOption('fireworks', m.id));
  for (const gpu of Object.keys(catalogue.gpus)) {
    for (const method of ['lora', 'qlora'] as const)
      options.push({ provider: 'gpu', gpu, method, modelParamsB: DEFAULT_SELF_HOSTED_B });
  }
  return options.slice(0, 100).map((o) => ({ value: encodeOption(o), label: optionLabel(o) }));
}

/** The open model each hosted service is compared on by default: its 8B (Llama 3.1 8B class). */
export function representativeOpenModel(provider: OpenModelProvider): string | undefined {
  const models = openModelsOf(provider);
  return (models.find((m) => m.paramsB === DEFAULT_SELF_HOSTED_B) ?? models[0])?.id;
}

/**
 * A sensible first comparison for a model: the API on both clouds, a representative open model on
 * Together and Fireworks, and one self-hosted GPU.
 */
export function defaultOptions(model: string, catalogue: Catalogue): CostOption[] {
  const options: CostOption[] = [];
  if (catalogue.openai.models[model]) options.push({ provider: 'openai', model });
  if (catalogue.azure.models[model]) {
    options.push({ provider: 'azure', tier: 'global', model });
    options.push({ provider: 'azure', tier: 'developer', model });
  }
  for (const provider of ['together', 'fireworks'] as const) {
    const open = representativeOpenModel(provider);
    if (open) options.push(openOption(provider, open));
  }
  const gpu = catalogue.gpus['A100-80GB'] ? 'A100-80GB' : Object.keys(catalogue.gpus)[0];
  if (gpu) options.push({ provider: 'gpu', gpu, method: 'lora', modelParamsB: DEFAULT_SELF_HOSTED_B });
  return options;
}

/** Training cost of a validated file on each default option, for the report's table. */
export function trainingCostLines(
  report: ValidationReport,
  catalogue: Catalogue,
  now: Date,
): { lines: TrainingCostLine[]; asOf?: string } {
  if (report.trainingTokens <= 0) return { lines: [] };
  const { options } = estimate(
    {
      trainingTokens: report.trainingTokens,
      epochs: report.epochs.value,
      monthlyInputTokens: 0,
      monthlyOutputTokens: 0,
      options: defaultOptions(report.model, catalogue),
    },
    catalogue,
    now,
  );
  const lines = options.map((o) => ({
    label: o.label,
    usd: o.training.usd,
    ...(o.training.gpuHours !== undefined
      ? { detail: `≈ ${Number(o.training.gpuHours.toPrecision(2))} GPU-hours` }
      : {}),
    ...(o.placeholderRates?.includes('training') ? { placeholder: true } : {}),
  }));
  const asOf = options.map((o) => o.asOf).sort()[0];
  return { lines, ...(asOf ? { asOf } : {}) };
}

/** A guess at tokens per labelled example, for pre-filling from advice; the file gives the real count. */
export const TOKENS_PER_EXAMPLE_GUESS = 500;

/** The cost modal's starting values for a recommendation: its volumes, its model, its options. */
export function costPrefillFromAdvice(session: AdviceSession, catalogue: Catalogue): CostPrefill {
  const suggested = session.recommendation.provider?.model;
  const model = (suggested && findModel(suggested)?.id) || undefined;
  const options = defaultOptions(model ?? 'gpt-4.1-mini-2025-04-14', catalogue);
  return {
    trainingTokens: Math.max(1, session.answers.examples) * TOKENS_PER_EXAMPLE_GUESS,
    monthlyTokens: session.answers.monthlyTokens,
    epochs: 3,
    options,
    ...(model ? { model } : {}),
    note:
      `Pre-filled from “${session.answers.useCase.slice(0, 80)}”: ${session.answers.examples.toLocaleString('en-US')} examples ` +
      `× about ${TOKENS_PER_EXAMPLE_GUESS} tokens each. Upload the file for an exact count.`,
  };
}
