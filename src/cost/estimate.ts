import { OPEN_SERVING_NOT_PRICED, openParts, type Parts } from './estimate-open.ts';
import { gpuTraining, servingPlan } from './gpu.ts';
import { azureHostingPerHour, deploymentLifetimeHours, monthlyCost } from './monthly.ts';
import { type CostOption, optionLabel, type ResolvedOption, resolveOption } from './options.ts';
import { azureHostingPlaceholder } from './placeholder.ts';
import type { Catalogue } from './schema.ts';
import { HOURS_PER_MONTH, PER_MILLION, plural, rateText, roundHours, roundUsd, tokensText, usdText } from './units.ts';

/**
 * estimate(): what each option costs to train once and to run for a month, a first month and a
 * year, with the assumptions behind each figure in words. Pure: volumes, a catalogue and a clock
 * in; figures out. Units and rounding: see units.ts (USD; tokens per 1M; 730-hour months; cents and
 * hundredths of an hour, rounded once at the end). An option the catalogue cannot price becomes a
 * line in `errors` and the others are still estimated.
 */

export type { BreakEven, CurvePoint } from './break-even.ts';
export { breakEvenMonthlyTokens, breakEvens, costCurve, curveVolumes } from './break-even.ts';
export type { CostOption, OpenMethod } from './options.ts';
export { optionLabel } from './options.ts';

export interface EstimateInput {
  /** Training tokens in one epoch (the file's billable tokens). */
  trainingTokens: number;
  epochs: number;
  monthlyInputTokens: number;
  monthlyOutputTokens: number;
  options: CostOption[];
}

export interface OptionEstimate {
  option: CostOption;
  label: string;
  /** One-off. gpuHours and wallHours only for self-hosted options. */
  training: { usd: number; gpuHours?: number; wallHours?: number };
  /**
   * servingGpus only for self-hosted options: GPUs kept on to serve the volume. `notPriced` says why
   * serving has no figure (Together, Fireworks), `evaluationOnly` why the option is no monthly
   * service at all (Azure's Developer tier: deleted after 24 hours); either way the month is 0 and
   * the totals are training only.
   */
  monthly: {
    inferenceUsd: number;
    hostingUsd: number;
    totalUsd: number;
    servingGpus?: number;
    notPriced?: string;
    evaluationOnly?: string;
  };
  /** Training plus one month. */
  firstMonthUsd: number;
  /** Training plus twelve months. */
  twelveMonthsUsd: number;
  /** A rate this estimate rests on is a placeholder, not a published price: shown next to the number. */
  placeholder?: boolean;
  /** Which rates are placeholders: the training rate, the hosting rate. */
  placeholderRates?: Array<'training' | 'hosting'>;
  assumptions: string[];
  warnings: string[];
  /** The oldest `as_of` of the prices used. */
  asOf: string;
  sources: string[];
}

export interface EstimateResult {
  options: OptionEstimate[];
  errors: string[];
}

const DAY_MS = 86_400_000;
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const isUnverified = (note: string | undefined) => note !== undefined && /^UNVERIFIED/.test(note);

function inputProblems(input: EstimateInput): string[] {
  const problems: string[] = [];
  const check = (value: number, name: string, min: number, strict: boolean) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || (strict ? value <= min : value < min)) {
      problems.push(`The ${name} must be a number ${strict ? 'above' : 'of at least'} ${min}, not ${String(value)}.`);
    }
  };
  check(input.trainingTokens, 'number of training tokens', 0, false);
  check(input.epochs, 'number of epochs', 0, true);
  check(input.monthlyInputTokens, 'monthly input tokens', 0, false);
  check(input.monthlyOutputTokens, 'monthly output tokens', 0, false);
  return problems;
}

/** One label per option; a repeated option gets "#2", "#3" so chart lines stay apart. */
export function uniqueLabels(options: CostOption[]): string[] {
  const seen = new Map<string, number>();
  return options.map((option) => {
    const label = optionLabel(option);
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    return n === 1 ? label : `${label} #${n}`;
  });
}

function openAiWindDown(catalogue: Catalogue, now: Date): string {
  const { new_orgs_refused, no_new_jobs } = catalogue.openai.wind_down;
  const days = Math.ceil((Date.parse(`${no_new_jobs}T00:00:00Z`) - now.getTime()) / DAY_MS);
  if (days <= 0) {
    return `OpenAI stopped accepting new fine-tuning jobs on ${no_new_jobs}: the training cost applies only to models tuned before then, which keep working for inference.`;
  }
  return (
    `OpenAI is winding down self-serve fine-tuning: organizations new to it are refused since ${new_orgs_refused}, and nobody ` +
    `can start a new job from ${no_new_jobs} (in ${plural(days, 'day')}). Tuned models keep working for inference.`
  );
}

function trainingWords(input: EstimateInput, rate: number, what: string): string {
  const billed = input.trainingTokens * input.epochs;
  return `Training: ${tokensText(billed)} billed tokens (${tokensText(input.trainingTokens)} × ${plural(input.epochs, 'epoch')}) at ${what} ${rateText(rate)} per 1M tokens.`;
}

function apiParts(
  r: Extract<ResolvedOption, { provider: 'openai' | 'azure' }>,
  input: EstimateInput,
  catalogue: Catalogue,
  now: Date,
): Parts {
  const inf = r.price.inference;
  const cached =
    inf.cached_input_per_1m === undefined ? '' : ` (cached input would be ${rateText(inf.cached_input_per_1m)})`;
  const tokens = `${rateText(inf.input_per_1m)} per 1M input and ${rateText(inf.output_per_1m)} per 1M output tokens; no prompt caching counted${cached}.`;
  const billed = input.trainingTokens * input.epochs;
  if (r.provider === 'openai') {
    const training = r.price.training;
    const assumptions = [
      trainingWords(input, training.per_1m, 'OpenAI’s'),
      `Inference at the fine-tuned model’s ${tokens}`,
      'No hosting fee: OpenAI charges for tokens only.',
    ];
    if (isUnverified(training.note))
      assumptions.push(
        `OpenAI’s ${rateText(training.per_1m)}/1M training price is unverified (secondary sources only).`,
      );
    return {
      trainingUsd: (billed / PER_MILLION) * training.per_1m,
      assumptions,
      warnings: [openAiWindDown(catalogue, now)],
      dates: [training.as_of, inf.as_of, catalogue.openai.wind_down.as_of],
      sources: [training.source, inf.source, catalogue.openai.wind_down.source],
    };
  }
  const training = r.price.training;
  const hosting = catalogue.azure.hosting;
  const trainingPlaceholder = training.placeholder?.includes(r.tier) ?? false;
  const hostingPlaceholder = r.tier !== 'developer' && azureHostingPlaceholder(catalogue, r.tier);
  const rate =
    r.tier === 'standard'
      ? training.standard_per_1m
      : r.tier === 'global'
        ? training.global_per_1m
        : training.developer_per_1m;
  const tierWord = { standard: 'the Standard (regional)', global: 'the Global', developer: 'the Developer' }[r.tier];
  const perHour = azureHostingPerHour(catalogue, r.tier);
  const assumptions = [trainingWords(input, rate, `${tierWord} tier’s`), `Inference at the base model’s ${tokens}`];
  const warnings: string[] = [];
  if (r.tier !== 'developer') {
    assumptions.push(
      `Hosting: ${usdText(perHour)} an hour × ${HOURS_PER_MONTH} hours = ${usdText(perHour * HOURS_PER_MONTH)} a month, billed while deployed, used or not.`,
    );
    warnings.push(
      `An Azure deployment with no calls for ${plural(hosting.idle_delete_days, 'day')} in a row is deleted; the model is kept and can be redeployed.`,
    );
  } else {
    const hours = plural(hosting.developer_lifetime_hours, 'hour');
    assumptions.push(
      perHour > 0
        ? `Hosting while the deployment lasts: ${usdText(perHour)} an hour, for at most ${hours}.`
        : 'No hosting fee on the Developer tier.',
      `No month of serving is priced: a Developer-tier deployment is deleted after ${hours}.`,
    );
    warnings.push(
      `Developer-tier deployments are removed after ${plural(hosting.developer_lifetime_hours, 'hour')} and have no SLA: fit for trying the model, not for production.`,
    );
  }
  if (trainingPlaceholder) {
    const openAi = catalogue.openai.models[r.model]?.training.per_1m;
    warnings.push(
      `The Azure training rate (${rateText(rate)}/1M) is a placeholder derived from an illustrative figure in Microsoft’s docs, not a published price` +
        `${openAi === undefined ? '' : `; OpenAI charges ${rateText(openAi)}/1M to train the same model`}. No figure for it has come from Azure’s Retail Prices feed; set PRICES_FILE to correct it.`,
    );
  } else if (/prices\.azure\.com|retail prices api/i.test(`${training.source} ${training.note ?? ''}`)) {
    assumptions.push(`The Azure training rate was read from Azure’s Retail Prices API on ${training.as_of}.`);
  }
  if (hostingPlaceholder) {
    warnings.push(`The Azure hosting rate (${usdText(perHour)} an hour) is a placeholder, not a published price.`);
  }
  return {
    trainingUsd: (billed / PER_MILLION) * rate,
    assumptions,
    warnings,
    dates: [training.as_of, inf.as_of, hosting.as_of],
    sources: [training.source, inf.source, hosting.source],
    placeholders: [
      ...(trainingPlaceholder ? ['training' as const] : []),
      ...(hostingPlaceholder ? ['hosting' as const] : []),
    ],
  };
}

function gpuParts(r: Extract<ResolvedOption, { provider: 'gpu' }>, input: EstimateInput, catalogue: Catalogue): Parts {
  const sh = catalogue.self_hosting;
  const { gpu, count, paramsB, method, mfu } = r;
  const billed = input.trainingTokens * input.epochs;
  const t = gpuTraining({ gpu, count, paramsB, method, mfu }, sh, billed);
  const k = sh.flops_per_token_per_param[method];
  const slow = method === 'qlora' ? ` × ${sh.qlora_throughput_factor} for QLoRA` : '';
  const mfuWhy = r.option.provider === 'gpu' && r.option.mfu !== undefined ? 'as given' : 'the default, a guess';
  const assumptions = [
    `Training time from the FLOPs rule: ${k} × ${paramsB}B parameters × ${tokensText(billed)} tokens ÷ (${gpu.peak_bf16_tflops} TFLOPS × ${pct(mfu)} MFU${slow} × ${plural(count, 'GPU')}) ≈ ${roundHours(t.wallHours)} h, ${roundHours(t.gpuHours)} GPU-hours at ${rateText(gpu.hourly_usd)} per GPU-hour. MFU ${pct(mfu)} is ${mfuWhy}; setup, model download, evaluation and checkpoints are not included.`,
  ];
  if (method === 'qlora') {
    assumptions.push(
      `QLoRA taken as ${pct(1 - sh.qlora_throughput_factor)} slower than LoRA (torchtune, Llama-3.1-8B on an RTX 4090: 2,413 vs 3,083 tokens/s).`,
    );
  }
  const volume = input.monthlyInputTokens + input.monthlyOutputTokens;
  const plan = servingPlan(gpu, sh, paramsB, volume);
  const copy = plan.replicaGpus === 1 ? 'one GPU' : `${plan.replicaGpus} GPUs`;
  assumptions.push(
    `Serving: ${plural(plan.gpus, 'GPU')} (${plan.replicas === 1 ? 'one copy' : `${plan.replicas} copies`} of the model on ${copy} each) on all ${HOURS_PER_MONTH} hours of the month at ${rateText(gpu.hourly_usd)} per GPU-hour; no per-token charges.`,
    `Serving capacity is an assumption, not a measurement: one ${gpu.name} serves ${Math.round(plan.tokensPerSecondPerGpu).toLocaleString('en-US')} tokens/s on average for this ${paramsB}B model ` +
      `(${gpu.serving_tokens_per_s.toLocaleString('en-US')} at full load for ${sh.serving_reference_params_b}B, scaled by size, used at ${pct(sh.serving_utilisation)}), ` +
      `so a copy covers ${tokensText(plan.replicaMonthlyTokens)} tokens a month.`,
  );
  if (isUnverified(gpu.note)) assumptions.push(`The ${gpu.name} price or specs are unverified: ${gpu.source}.`);
  const warnings: string[] = [];
  if (t.memoryNeededGb > t.memoryAvailableGb) {
    warnings.push(
      `Training a ${paramsB}B model with ${method === 'full' ? 'a full fine-tune' : method === 'qlora' ? 'QLoRA' : 'LoRA'} needs about ${Math.ceil(t.memoryNeededGb)} GB of GPU memory, ` +
        `more than the ${t.memoryAvailableGb} GB of ${count}× ${gpu.name}: use more or bigger GPUs${method === 'qlora' ? '' : ', or QLoRA'}.`,
    );
  }
  if (plan.replicaGpus > 8) {
    warnings.push(
      `Serving a ${paramsB}B model needs ${plan.replicaGpus} × ${gpu.name} per copy, more than one server holds: pick a GPU with more memory or serve it quantised.`,
    );
  }
  if (mfu > 0.6) warnings.push(`An MFU of ${pct(mfu)} is optimistic for fine-tuning; the estimate may be too low.`);
  return {
    trainingUsd: t.usd,
    gpuHours: t.gpuHours,
    wallHours: t.wallHours,
    assumptions,
    warnings,
    dates: [gpu.as_of, sh.as_of],
    sources: [gpu.source, gpu.specs_source, sh.source],
  };
}

function estimateOne(
  r: ResolvedOption,
  label: string,
  input: EstimateInput,
  catalogue: Catalogue,
  now: Date,
): OptionEstimate {
  const parts =
    r.provider === 'gpu'
      ? gpuParts(r, input, catalogue)
      : r.provider === 'together' || r.provider === 'fireworks'
        ? openParts(r, input, catalogue)
        : apiParts(r, input, catalogue, now);
  const notPriced = r.provider === 'together' || r.provider === 'fireworks' ? OPEN_SERVING_NOT_PRICED : undefined;
  const lifetime = deploymentLifetimeHours(r, catalogue);
  const evaluationOnly =
    lifetime === undefined
      ? undefined
      : `Not a monthly service — the deployment is deleted after ${plural(lifetime, 'hour')}, so it is for evaluation only.`;
  const m = evaluationOnly
    ? { inferenceUsd: 0, hostingUsd: 0, totalUsd: 0 }
    : monthlyCost(r, catalogue, input.monthlyInputTokens, input.monthlyOutputTokens);
  const training: OptionEstimate['training'] = { usd: roundUsd(parts.trainingUsd) };
  if (parts.gpuHours !== undefined) training.gpuHours = roundHours(parts.gpuHours);
  if (parts.wallHours !== undefined) training.wallHours = roundHours(parts.wallHours);
  return {
    option: r.option,
    label,
    training,
    monthly: {
      inferenceUsd: roundUsd(m.inferenceUsd),
      hostingUsd: roundUsd(m.hostingUsd),
      totalUsd: roundUsd(m.totalUsd),
      ...(m.servingGpus === undefined ? {} : { servingGpus: m.servingGpus }),
      ...(notPriced ? { notPriced } : {}),
      ...(evaluationOnly ? { evaluationOnly } : {}),
    },
    firstMonthUsd: roundUsd(parts.trainingUsd + m.totalUsd),
    twelveMonthsUsd: roundUsd(parts.trainingUsd + 12 * m.totalUsd),
    assumptions: parts.assumptions,
    warnings: parts.warnings,
    asOf: [...parts.dates].sort()[0] ?? '',
    sources: [...new Set(parts.sources)],
    ...(parts.placeholders && parts.placeholders.length > 0
      ? { placeholder: true, placeholderRates: parts.placeholders }
      : {}),
  };
}

export function estimate(input: EstimateInput, catalogue: Catalogue, now: Date): EstimateResult {
  const problems = inputProblems(input);
  if (problems.length > 0) return { options: [], errors: problems };
  const labels = uniqueLabels(input.options);
  const options: OptionEstimate[] = [];
  const errors: string[] = [];
  input.options.forEach((option, i) => {
    const resolved = resolveOption(option, catalogue);
    if ('error' in resolved) errors.push(resolved.error);
    else options.push(estimateOne(resolved, labels[i] ?? optionLabel(option), input, catalogue, now));
  });
  return { options, errors };
}
