import { type Answers, volumeForExamples } from './questionnaire.ts';

/**
 * Which provider and base model fit an answer set. The provider table follows the source blog
 * (OpenAI: quick, GPT quality; Azure OpenAI: enterprise and compliance; open source: full control
 * and high volume), corrected for OpenAI's wind-down of self-serve fine-tuning.
 */

export type ProviderId = 'openai' | 'azure' | 'gpu';

export interface ProviderSuggestion {
  provider: ProviderId;
  name: string;
  model: string;
  why: string[];
}

export interface ProviderOption {
  provider: ProviderId;
  name: string;
  why: string;
}

export const PROVIDER_NAMES: Record<ProviderId, string> = {
  openai: 'OpenAI',
  azure: 'Azure OpenAI',
  gpu: 'Self-hosted LoRA/QLoRA on your GPUs',
};

/** Reported stages of OpenAI's wind-down (shared/research/provider-apis.md §0). */
export const OPENAI_NEW_ORGS_REFUSED = '2026-05-07';
export const OPENAI_NO_NEW_JOBS = '2027-01-06';

/**
 * Above this many inference tokens a month, one dedicated GPU serving a LoRA model costs less than
 * per-token API prices: about $1,500/month for an on-demand A100/L40S-class GPU against ≈ $1.40 per
 * 1M tokens for a tuned gpt-4.1-mini (3:1 input:output, prices as of 2026-11). Rule of thumb only,
 * not a cost estimate.
 */
export const SELF_HOST_TOKENS_PER_MONTH = 1_000_000_000;

const DAY_MS = 86_400_000;

export function daysUntil(isoDate: string, now: Date): number {
  return Math.ceil((Date.parse(`${isoDate}T00:00:00Z`) - now.getTime()) / DAY_MS);
}

export function openAiAcceptsNewJobs(now: Date): boolean {
  return daysUntil(OPENAI_NO_NEW_JOBS, now) > 0;
}

export function openAiWarning(now: Date): string {
  if (!openAiAcceptsNewJobs(now)) {
    return `OpenAI stopped accepting new fine-tuning jobs on ${OPENAI_NO_NEW_JOBS}; models tuned before then keep working for inference.`;
  }
  const days = daysUntil(OPENAI_NO_NEW_JOBS, now);
  return (
    `OpenAI is winding down self-serve fine-tuning: organizations new to it have been refused since ${OPENAI_NEW_ORGS_REFUSED}, ` +
    `and nobody can start a new job from ${OPENAI_NO_NEW_JOBS} (in ${days} day${days === 1 ? '' : 's'}). ` +
    'Models already tuned keep working for inference.'
  );
}

function wantsSmallModel(a: Answers): boolean {
  return (
    a.latency === 'strict' ||
    ((a.taskType === 'classification' || a.taskType === 'extraction') && a.specialization !== 'high')
  );
}

function azureModel(a: Answers): { model: string; why: string } {
  if (wantsSmallModel(a)) {
    return {
      model: 'gpt-4.1-nano-2025-04-14',
      why:
        a.latency === 'strict'
          ? 'gpt-4.1-nano is the smallest tunable GPT model: the fastest answers once it has learned the task.'
          : 'gpt-4.1-nano is plenty for a narrow labelling task and the cheapest to train and run.',
    };
  }
  // The data set's size is judged from the number of labelled examples, not the bucket picked.
  if (a.specialization === 'high' && volumeForExamples(a.examples) === 'large') {
    return {
      model: 'gpt-4.1-2025-04-14',
      why: 'gpt-4.1 has the most capacity to learn a demanding, expert task from a large data set.',
    };
  }
  return {
    model: 'gpt-4.1-mini-2025-04-14',
    why:
      a.taskType === 'tool_use'
        ? 'gpt-4.1-mini supports tuning on tool calls and balances quality against cost.'
        : 'gpt-4.1-mini balances quality against training and inference cost.',
  };
}

function gpuModel(a: Answers): { model: string; why: string } {
  if (wantsSmallModel(a)) {
    return {
      model: 'meta-llama/Llama-3.2-3B-Instruct',
      why: 'A 3B model tuned with LoRA answers fast on one modest GPU.',
    };
  }
  return {
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    why: 'An 8B model with QLoRA trains on one 24 GB GPU and serves cheaply at volume.',
  };
}

export function suggestProvider(a: Answers, now: Date): { suggestion: ProviderSuggestion; others: ProviderOption[] } {
  const highVolume = a.monthlyTokens >= SELF_HOST_TOKENS_PER_MONTH;
  const regulated = a.sensitivity === 'regulated';
  const openAiOpen = openAiAcceptsNewJobs(now);
  const others: ProviderOption[] = [];

  let suggestion: ProviderSuggestion;
  if (highVolume) {
    const { model, why } = gpuModel(a);
    suggestion = {
      provider: 'gpu',
      name: PROVIDER_NAMES.gpu,
      model,
      why: [
        `At ${formatTokens(a.monthlyTokens)} tokens a month, per-token API prices add up to more than a dedicated GPU ` +
          '(break-even is around 1B tokens a month), and your own server has no rate limits.',
        ...(regulated ? ['Regulated data never leaves your own infrastructure.'] : []),
        why,
      ],
    };
    others.push({
      provider: 'azure',
      name: PROVIDER_NAMES.azure,
      why: 'Managed GPT models if you would rather not run GPUs, at per-token prices.',
    });
  } else {
    const { model, why } = azureModel(a);
    suggestion = {
      provider: 'azure',
      name: PROVIDER_NAMES.azure,
      model,
      why: [
        regulated
          ? 'Regulated data: Azure OpenAI keeps training data and the tuned model in your own Azure tenant and region, ' +
            "under Microsoft's enterprise compliance terms, and it is not used to train other models."
          : 'Azure OpenAI tunes the same GPT models with enterprise terms, and it is still adding fine-tuning features ' +
            'while OpenAI winds its own down.',
        why,
      ],
    };
    others.push({
      provider: 'gpu',
      name: PROVIDER_NAMES.gpu,
      why: regulated
        ? 'Full control: data and weights stay on hardware you run.'
        : 'Full control of an open model, and cheaper at high volume.',
    });
  }

  // OpenAI is offered only as a flagged alternative, never for regulated data, and not at all once closed.
  if (openAiOpen && !regulated) {
    others.push({
      provider: 'openai',
      name: PROVIDER_NAMES.openai,
      why: `Quickest to start with GPT quality, but only if your organization already fine-tunes there, and only until ${OPENAI_NO_NEW_JOBS}.`,
    });
  }
  return { suggestion, others };
}

export function formatTokens(n: number): string {
  if (n >= 1e12) return `${trim(n / 1e12)}T`;
  if (n >= 1e9) return `${trim(n / 1e9)}B`;
  if (n >= 1e6) return `${trim(n / 1e6)}M`;
  if (n >= 1e3) return `${trim(n / 1e3)}k`;
  return String(n);
}

function trim(x: number): string {
  return Number(x.toFixed(1)).toString();
}
