import type { Catalogue } from '../cost/catalogue.ts';
import type { Provider, ProviderId } from '../providers/types.ts';
import type { JobRecord } from '../store/types.ts';
import { PROVIDER_NAMES } from './job-format.ts';
import type { JobMessageContext } from './job-message.ts';

/**
 * What the job builders need beyond the record, from the configured providers: the provider's label
 * and capabilities (which buttons), its hosts and the price catalogue (what GPU time costs). One
 * place for the notifier, the Refresh and Details buttons and `/finetune status` to build it, so the
 * job's message reads the same whoever renders it.
 */
export function jobMessageContext(
  job: Pick<JobRecord, 'provider'>,
  deps: {
    now: Date;
    providers: Partial<Record<ProviderId, Provider>>;
    prices?: Catalogue;
    approvers?: readonly string[];
    maxJobUsd?: number;
  },
): JobMessageContext {
  const provider = deps.providers[job.provider];
  return {
    now: deps.now,
    providerLabel: provider?.label ?? PROVIDER_NAMES[job.provider] ?? job.provider,
    ...(provider ? { capabilities: provider.capabilities } : {}),
    ...(provider?.hosts
      ? { hosts: provider.hosts.map(({ name, gpuType, gpuCount }) => ({ name, gpuType, gpuCount })) }
      : {}),
    ...(deps.prices ? { prices: deps.prices } : {}),
    ...(deps.approvers ? { approvers: deps.approvers } : {}),
    ...(deps.maxJobUsd !== undefined ? { maxJobUsd: deps.maxJobUsd } : {}),
  };
}
