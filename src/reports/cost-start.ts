import type { Catalogue } from '../cost/catalogue.ts';
import type { CostOption, OptionEstimate } from '../cost/estimate.ts';
import { resolveOption } from '../cost/options.ts';
import type { AzureTier } from '../cost/schema.ts';
import type { Providers } from '../providers/index.ts';
import type { Provider, ProviderCapabilities, ProviderId } from '../providers/types.ts';
import type { JobRequest } from '../store/types.ts';
import { decodeOption, encodeOption } from './cost-options.ts';

/**
 * "Start a job" under the cost comparison: which compared options a configured provider here can
 * train, read off each provider's capabilities and models (never its id), and which of those is the
 * cheapest to put forward. The button carries the provider and the option; the click re-checks both
 * before the job form opens pre-filled.
 */

export interface StartableOption {
  /** The estimate's label, as the table shows it. */
  label: string;
  provider: ProviderId;
  /** The provider's name, as the job form shows it. */
  providerLabel: string;
  /** The button's value: decodeStartValue reads it back. */
  value: string;
}

/** What the job form opens with. */
export interface StartPrefill {
  provider: ProviderId;
  request: Partial<JobRequest>;
  /** An own-GPU option's LoRA method: the form's LoRA settings (its defaults) are set to it. */
  loraMethod?: 'lora' | 'qlora';
}

/** Slack refuses a button value over 2,000 characters. */
const MAX_VALUE = 2000;

/** The cost catalogue's tier words to the ones a provider's `trainingTiers` lists. */
const TRAINING_TIER: Record<AzureTier, NonNullable<ProviderCapabilities['trainingTiers']>[number]> = {
  global: 'globalstandard',
  standard: 'standard',
  developer: 'developer',
};

/** The LoRA methods the form for the team's own hardware offers (LoraSettings.method). */
const LORA_METHODS: readonly string[] = ['lora', 'qlora'];

/**
 * The providers that could train an option. An option on the team's own GPUs runs on any provider
 * whose jobs take LoRA settings (capabilities `knobs: 'lora'`: SSH hosts, Kubernetes); a hosted
 * option names its service, which shares its id with the provider that speaks to it.
 */
function trainersOf(option: CostOption, providers: Providers): Provider[] {
  const all = Object.values(providers).filter((p): p is Provider => p !== undefined);
  if (option.provider === 'gpu') return all.filter((p) => p.capabilities.knobs === 'lora');
  return all.filter((p) => p.id === option.provider && p.capabilities.knobs === 'hosted');
}

/** The form's pre-fill when `provider` can train `option`, or undefined when it cannot. */
async function prefillOn(
  provider: Provider,
  option: CostOption,
  catalogue: Catalogue,
): Promise<StartPrefill | undefined> {
  const resolved = resolveOption(option, catalogue);
  if ('error' in resolved) return undefined;
  const caps = provider.capabilities;
  if (resolved.provider === 'gpu') {
    if (!LORA_METHODS.includes(resolved.method)) return undefined; // a full fine-tune is not offered
    // A provider that lists its hosts trains this estimate only on a host with its GPU type.
    const host = provider.hosts?.find((h) => h.gpuType.toLowerCase() === resolved.id.toLowerCase());
    if (provider.hosts && provider.hosts.length > 0 && !host) return undefined;
    return {
      provider: provider.id,
      request: host ? { host: host.name } : {},
      loraMethod: resolved.method === 'qlora' ? 'qlora' : 'lora',
    };
  }
  const request: Partial<JobRequest> = {};
  const models = await provider.models().catch(() => undefined);
  const model = models?.find((m) => m.id.toLowerCase() === resolved.model.toLowerCase());
  if (caps.baseModel === 'list' && !model) return undefined;
  request.model = model?.id ?? resolved.model;
  if ('method' in resolved && resolved.method === 'dpo') {
    if (model && !model.methods.includes('dpo')) return undefined;
    request.method = 'dpo';
  }
  if ('tuning' in resolved && resolved.tuning === 'full') {
    if (!caps.adapter?.full) return undefined;
    request.hyperparameters = { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto', tuning: 'full' };
  }
  if ('tier' in resolved) {
    const tier = TRAINING_TIER[resolved.tier];
    if (!caps.trainingTiers?.includes(tier)) return undefined;
    request.trainingType = tier;
  }
  return { provider: provider.id, request };
}

/** The first configured provider that can train `option`, with the form's pre-fill. */
export async function startPrefill(
  option: CostOption,
  providers: Providers,
  catalogue: Catalogue,
): Promise<StartPrefill | undefined> {
  for (const provider of trainersOf(option, providers)) {
    const prefill = await prefillOn(provider, option, catalogue);
    if (prefill) return prefill;
  }
  return undefined;
}

export function encodeStartValue(provider: ProviderId, option: CostOption): string {
  return JSON.stringify({ v: 1, provider, option: encodeOption(option) });
}

/** The provider and option a "Start a job" button carries; undefined for anything else. */
export function decodeStartValue(value: unknown): { provider: string; option: CostOption } | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { v, provider, option } = data as Record<string, unknown>;
  if (v !== 1 || typeof provider !== 'string' || typeof option !== 'string') return undefined;
  const decoded = decodeOption(option);
  return decoded ? { provider, option: decoded } : undefined;
}

/** Every compared option a configured provider here can train, in the table's order. */
export async function startableOptions(
  estimates: OptionEstimate[],
  providers: Providers,
  catalogue: Catalogue,
): Promise<StartableOption[]> {
  const out: StartableOption[] = [];
  for (const e of estimates) {
    const prefill = await startPrefill(e.option, providers, catalogue);
    const provider = prefill ? providers[prefill.provider] : undefined;
    if (!prefill || !provider) continue;
    const value = encodeStartValue(prefill.provider, e.option);
    if (value.length <= MAX_VALUE) {
      out.push({ label: e.label, provider: prefill.provider, providerLabel: provider.label, value });
    }
  }
  return out;
}

/**
 * The option the button is put on: the cheapest over twelve months (training plus a year of use,
 * the table's longest horizon) among those that can be started here and whose figure can be
 * trusted as a comparison. Left out: a placeholder rate (the ranking would rest on a stand-in),
 * serving with no price (its twelve months are training only, so it would always look cheapest),
 * and a deployment deleted after a day (Azure's Developer tier: cheap to train, but no service to
 * run, so putting it forward as "cheapest" would mislead). A tie keeps the table's order.
 */
export function cheapestToStart(
  estimates: OptionEstimate[],
  startable: readonly StartableOption[],
): { estimate: OptionEstimate; start: StartableOption } | undefined {
  let best: { estimate: OptionEstimate; start: StartableOption } | undefined;
  for (const estimate of estimates) {
    const start = startable.find((s) => s.label === estimate.label);
    if (!start || estimate.placeholder) continue;
    if (estimate.monthly.notPriced !== undefined || estimate.monthly.evaluationOnly !== undefined) continue;
    if (!best || estimate.twelveMonthsUsd < best.estimate.twelveMonthsUsd) best = { estimate, start };
  }
  return best;
}
