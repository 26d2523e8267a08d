import type { Providers } from '../providers/index.ts';
import type { Provider, ProviderId } from '../providers/types.ts';
import type { JobHostChoice, JobProviderChoice } from '../slack/job-choice.ts';

/** The configured providers with their base models, capabilities and hosts, in a stable order, for the start modal. */
export async function providerChoices(providers: Providers): Promise<JobProviderChoice[]> {
  const order: ProviderId[] = ['openai', 'azure', 'together', 'fireworks', 'gpu', 'k8s'];
  const choices: JobProviderChoice[] = [];
  for (const id of order) {
    const p = providers[id];
    if (!p) continue;
    const hosts = p.capabilities.hosts ? providerHosts(p) : undefined;
    choices.push({
      id,
      label: p.label,
      models: await p.models(),
      capabilities: p.capabilities,
      ...(hosts ? { hosts } : {}),
    });
  }
  return choices;
}

/**
 * The hosts a provider whose jobs run on named hosts (capabilities `hosts`) lists: name, GPU type (a
 * price catalogue key) and GPU count. Undefined when it lists none: the form then offers auto only.
 */
export function providerHosts(provider: Provider): JobHostChoice[] | undefined {
  return provider.hosts?.map(({ name, gpuType, gpuCount }) => ({ name, gpuType, gpuCount }));
}
