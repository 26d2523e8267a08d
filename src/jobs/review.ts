import type { Catalogue } from '../cost/catalogue.ts';
import { DEFAULT_MODEL, findModel } from '../data/models.ts';
import type { ValidateOptions, ValidationReport } from '../data/report.ts';
import type { JobError, LoraSettings, ProviderId } from '../providers/types.ts';
import type { JobHostChoice } from '../slack/job-choice.ts';
import { formatDuration, formatHours } from '../slack/job-format.ts';
import type { JobReviewFacts, PreflightFacts } from '../slack/job-review-view.ts';
import type { JobRequest } from '../store/types.ts';
import { type ApprovalPolicy, needsApproval } from './approval.ts';
import { gpuJobEstimate, type PreflightWithModel } from './gpu-estimate.ts';
import { trainingRate, trainingUsd } from './job-cost.ts';

/** What the review step shows before anything is spent: the file's health, the estimate, who must approve. */
export type ReviewFacts = JobReviewFacts;

/** For a LoRA job on GPU hosts: the hosts the provider lists, and the pre-flight's answer (or why it gave none). */
export interface GpuReviewInput {
  hosts: readonly JobHostChoice[];
  /** Absent: the provider checks nothing before a start. */
  preflight?: PreflightWithModel | { error: Pick<JobError, 'message' | 'hint'> };
}

/**
 * How the file is validated for this request. An open model's own tokenizer is on the GPU host or
 * the provider, not here: a LoRA job's file, and one for an open model on Together or Fireworks, is
 * counted with the default model's (o200k_base, close to the 128k-256k vocabularies of current open
 * models) and checked for the chat format. Those providers train one epoch unless told otherwise.
 */
export function validationOptions(request: JobRequest): Pick<ValidateOptions, 'model' | 'epochs'> {
  if (request.lora) return { model: DEFAULT_MODEL, epochs: 'auto' };
  const epochs = request.hyperparameters.nEpochs;
  if (!findModel(request.model)) return { model: DEFAULT_MODEL, epochs: epochs === 'auto' ? 1 : epochs };
  return { model: request.model, epochs };
}

export function reviewFacts(
  provider: ProviderId,
  request: JobRequest,
  report: ValidationReport | undefined,
  prices: Catalogue,
  policy: ApprovalPolicy,
  gpu?: GpuReviewInput,
): ReviewFacts {
  if (request.lora) return loraReviewFacts(request, request.lora, report, prices, policy, gpu ?? { hosts: [] });
  let estimateUsd: number | null = null;
  let placeholder = false;
  let assumptions: string;
  if (report) {
    const epochs = estimateEpochs(request, report);
    const billable = report.trainingTokens * epochs;
    estimateUsd = trainingUsd(provider, request, billable, prices) ?? null;
    const rate = trainingRate(provider, request, prices);
    placeholder = estimateUsd !== null && rate?.placeholder === true;
    const epochWords = `${epochs} epoch${epochs === 1 ? '' : 's'}${typeof request.hyperparameters.nEpochs === 'number' ? '' : ' (auto, estimated)'}`;
    assumptions =
      estimateUsd === null
        ? `No training price for ${request.model} on ${provider} in the catalogue; set one in PRICES_FILE.`
        : `${billable.toLocaleString('en-US')} billable tokens (${report.trainingTokens.toLocaleString('en-US')} × ${epochWords}) at catalogue prices; the provider bills the tokens it actually trains.` +
          estimateCaveats(request, rate, placeholder);
  } else {
    assumptions = 'The file is already on the provider, so it was not read here: no estimate.';
  }
  const validation = report
    ? validationFacts(report, estimateEpochs(request, report), typeof request.hyperparameters.nEpochs !== 'number')
    : undefined;
  return {
    ...(validation ? { validation } : {}),
    estimateUsd,
    ...(placeholder ? { estimatePlaceholder: true } : {}),
    assumptions,
    needsApproval: needsApproval(policy, estimateUsd),
    approvers: policy.approvers,
    canStart: report === undefined || report.ok,
  };
}

/** What the estimate leaves out or rests on, after the token count: a placeholder rate, Together's evaluations. */
function estimateCaveats(request: JobRequest, rate: ReturnType<typeof trainingRate>, placeholder: boolean): string {
  const out: string[] = [];
  if (placeholder && rate) {
    out.push(
      `The $${rate.perMillion}/1M rate is a placeholder, not a published price: no figure for this model and tier has come from Azure’s Retail Prices feed, so the real cost may differ.`,
    );
  }
  // Only providers whose capabilities offer evaluations let a request carry them.
  if ((request.hyperparameters.nEvals ?? 0) > 0 && request.validationFileId) {
    out.push('Each evaluation on the validation file is billed too (evaluations × its tokens), not counted here.');
  }
  return out.length > 0 ? ` ${out.join(' ')}` : '';
}

/** The file's health as the review shows it, billed over `epochs`. */
function validationFacts(report: ValidationReport, epochs: number, epochsAuto: boolean) {
  return {
    examples: report.validExamples,
    billableTokens: Math.round(report.trainingTokens * epochs),
    epochs,
    epochsAuto,
    warnings: report.warnings.length,
    errors: report.totalErrors,
    ...(report.fatal ? { fatal: report.fatal } : {}),
  };
}

function estimateEpochs(request: JobRequest, report: ValidationReport): number {
  return typeof request.hyperparameters.nEpochs === 'number' ? request.hyperparameters.nEpochs : report.epochs.value;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const PICKED_WORDS = {
  asked: 'the host asked for',
  preflight: 'the host auto picked for the pre-flight',
  cheapest: 'auto: the host that trains this cheapest; the one picked at start may differ',
} as const;

/** The pre-flight as the review shows it: the report, or the failure to get one as its one problem. */
export function preflightFacts(preflight: NonNullable<GpuReviewInput['preflight']>, host?: string): PreflightFacts {
  if ('error' in preflight) {
    return {
      ok: false,
      host: host ?? '',
      problems: [
        {
          reason: 'unreachable',
          message: `The pre-flight could not run: ${preflight.error.message}`,
          ...(preflight.error.hint ? { hint: preflight.error.hint } : {}),
        },
      ],
    };
  }
  const p = preflight as PreflightWithModel & { packages?: PreflightFacts['packages'] };
  return {
    ok: p.ok && p.problems.length === 0,
    host: p.host,
    ...(p.gpuName !== undefined ? { gpuName: p.gpuName } : {}),
    ...(p.gpuMemoryBytes !== undefined ? { gpuMemoryBytes: p.gpuMemoryBytes } : {}),
    ...(p.freeGpuMemoryBytes !== undefined ? { freeGpuMemoryBytes: p.freeGpuMemoryBytes } : {}),
    ...(p.freeDiskBytes !== undefined ? { freeDiskBytes: p.freeDiskBytes } : {}),
    ...(p.neededDiskBytes !== undefined ? { neededDiskBytes: p.neededDiskBytes } : {}),
    ...(Array.isArray(p.packages) ? { packages: p.packages } : {}),
    ...(p.load ? { load: p.load } : {}),
    problems: p.ok && p.problems.length === 0 ? [] : withReason(p.problems),
  };
}

/** A failed pre-flight always says why, even when the host sent no words. */
function withReason(problems: PreflightFacts['problems']): PreflightFacts['problems'] {
  return problems.length > 0
    ? problems
    : [
        {
          reason: 'unknown',
          message: 'The host’s pre-flight failed without saying why.',
          hint: 'Run the pre-flight on the host: python3 train_lora.py --check spec.json.',
        },
      ];
}

function loraReviewFacts(
  request: JobRequest,
  lora: LoraSettings,
  report: ValidationReport | undefined,
  prices: Catalogue,
  policy: ApprovalPolicy,
  gpu: GpuReviewInput,
): ReviewFacts {
  const preflight = gpu.preflight && 'error' in gpu.preflight ? undefined : gpu.preflight;
  const warnings: string[] = [];
  const blockers: string[] = [];
  let estimateUsd: number | null = null;
  let assumptions = 'The file could not be read, so there is no estimate.';
  let at: NonNullable<ReviewFacts['gpu']>['host'];
  let time: { wallHours: number; gpuHours: number } | undefined;
  if (report && !report.fatal) {
    const estimate = gpuJobEstimate(
      {
        model: request.model,
        lora,
        tokensPerEpoch: report.trainingTokens,
        hosts: gpu.hosts,
        ...(request.host ? { host: request.host } : {}),
        ...(preflight ? { preflight } : {}),
      },
      prices,
    );
    if ('reason' in estimate) {
      assumptions = estimate.reason;
    } else {
      estimateUsd = estimate.usd;
      at = {
        name: estimate.host.name,
        gpuType: estimate.host.gpuType,
        gpuCount: estimate.host.gpuCount,
        gpuName: estimate.gpuName,
        hourlyUsd: estimate.hourlyUsd,
        picked: estimate.picked,
      };
      time = { wallHours: estimate.wallHours, gpuHours: estimate.gpuHours };
      const gpus = estimate.host.gpuCount === 1 ? '1 GPU' : `${estimate.host.gpuCount} GPUs`;
      assumptions =
        `FLOPs rule: 4 × ${estimate.paramsB}B parameters (${estimate.paramsFrom === 'preflight' ? 'read by the pre-flight' : 'from the model’s name'}) × ` +
        `${count(estimate.tokens)} tokens (${count(report.trainingTokens)} × ${lora.epochs} epoch${lora.epochs === 1 ? '' : 's'}) ÷ ` +
        `(${prices.gpus[estimate.host.gpuType]?.peak_bf16_tflops ?? '?'} TFLOPS × ${Math.round(estimate.mfu * 100)}% MFU${lora.method === 'qlora' ? ' × QLoRA’s slower speed' : ''} × ${gpus}) ` +
        `≈ ${formatDuration(estimate.wallHours * 3_600_000)}, ${formatHours(estimate.gpuHours)} GPU-hours at $${estimate.hourlyUsd.toFixed(2)} per GPU-hour ` +
        `(${estimate.host.gpuType} on ${estimate.host.name}: ${PICKED_WORDS[estimate.picked]}). ` +
        'Tokens are counted with GPT-4o’s tokenizer, close to the model’s own; model download, evaluation and checkpoints are not included.';
      if (estimate.memoryNeededGb > estimate.memoryPerGpuGb) {
        warnings.push(
          `Training a ${estimate.paramsB}B model with ${lora.method === 'qlora' ? 'QLoRA' : 'LoRA'} needs about ${Math.ceil(estimate.memoryNeededGb)} GB of GPU memory; ` +
            `one ${estimate.gpuName} has ${estimate.memoryPerGpuGb} GB.${lora.method === 'lora' ? ' QLoRA needs about a third of it.' : ' Choose a smaller model or a larger GPU.'}`,
        );
      }
    }
    if (report.format !== 'chat' && report.validExamples > 0) {
      blockers.push(
        'The trainer reads chat examples (`{"messages": [...]}`) only; this file is not in that format. ' +
          '`finetune-bot convert FILE --to chat` turns instruction/response pairs into chat examples.',
      );
    }
    const longest = report.stats?.tokens.max;
    if (longest !== undefined && longest > lora.maxLength) {
      warnings.push(
        `The longest example has ${count(longest)} tokens, more than the max length (${count(lora.maxLength)}): longer examples are truncated.`,
      );
    }
  } else if (!report) {
    assumptions = 'The file was not read here, so there is no estimate.';
  }
  const checked = gpu.preflight ? preflightFacts(gpu.preflight, request.host) : undefined;
  const validation = report ? validationFacts(report, lora.epochs, false) : undefined;
  return {
    ...(validation ? { validation } : {}),
    estimateUsd,
    assumptions,
    needsApproval: needsApproval(policy, estimateUsd),
    approvers: policy.approvers,
    canStart: report?.ok === true && blockers.length === 0 && (checked?.ok ?? true),
    gpu: {
      ...(at ? { host: at } : {}),
      ...(time ?? {}),
      warnings,
      blockers,
      ...(checked ? { preflight: checked } : {}),
    },
  };
}
