import { AZURE_CAPABILITIES } from '../providers/azure/dialect.ts';
import { FIREWORKS_CAPABILITIES } from '../providers/fireworks/capabilities.ts';
import { TOGETHER_CAPABILITIES } from '../providers/together/capabilities.ts';
import type { ModelInfo, ProviderCapabilities, ProviderId } from '../providers/types.ts';

/**
 * A provider as the job form sees it: its models and what it offers (capabilities, as data). The
 * form, its parser and the review read `capabilitiesOf(choice)` and never the provider's id, so a
 * provider is offered the knobs it says it has.
 */

/** One host a job may be sent to, as the host select lists it. */
export interface JobHostChoice {
  name: string;
  /** A key of the price catalogue's GPUs, e.g. `H100-80GB`. */
  gpuType: string;
  gpuCount: number;
}

export interface JobProviderChoice {
  id: ProviderId;
  label: string;
  /** `baseModel: 'list'`: the models to choose from; `free`: suggestions. */
  models: ModelInfo[];
  /** What the provider offers; absent: hosted knobs and a model list, as OpenAI. */
  capabilities?: ProviderCapabilities;
  /** With `capabilities.hosts`: the hosts to choose from (auto is always offered); absent: auto only. */
  hosts?: JobHostChoice[];
}

/** A hosted fine-tuning API (OpenAI's shape): the default for a choice that does not say. */
export const HOSTED_CAPABILITIES: ProviderCapabilities = {
  knobs: 'hosted',
  baseModel: 'list',
  tryIt: true,
  deploy: false,
  hosts: false,
  suffixMax: 64,
};

/**
 * What each provider has said it offers (its adapter's `capabilities`), for a job whose provider the
 * caller did not hand over: one no longer configured, whose old jobs are still shown. Callers that
 * have the provider pass its own; test/slack/job-capabilities.test.ts keeps these in step with the
 * adapters.
 */
export const KNOWN_CAPABILITIES: Record<ProviderId, ProviderCapabilities> = {
  openai: HOSTED_CAPABILITIES,
  azure: AZURE_CAPABILITIES,
  gpu: { knobs: 'lora', baseModel: 'free', tryIt: false, deploy: false, hosts: true, degradedNotices: true },
  k8s: { knobs: 'lora', baseModel: 'free', tryIt: false, deploy: false, hosts: true, degradedNotices: true },
  together: TOGETHER_CAPABILITIES,
  fireworks: FIREWORKS_CAPABILITIES,
};

/** `h100-1 · 2× H100-80GB`: how a host is named in the form and the review. */
export function hostWords(host: JobHostChoice): string {
  return `${host.name} · ${host.gpuCount > 1 ? `${host.gpuCount}× ` : ''}${host.gpuType}`;
}

/** The choice's own capabilities, else what its provider is known to offer. */
export function capabilitiesOf(choice: Pick<JobProviderChoice, 'capabilities' | 'id'>): ProviderCapabilities {
  return choice.capabilities ?? KNOWN_CAPABILITIES[choice.id] ?? HOSTED_CAPABILITIES;
}
