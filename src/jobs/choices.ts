import type { Providers } from '../providers/index.ts';
import type { ProviderId } from '../providers/types.ts';
import type { JobProviderChoice } from '../slack/job-view-parse.ts';

/** The configured providers with their base models, in a stable order, for the start modal. */
export async function providerChoices(providers: Providers): Promise<JobProviderChoice[]> {
  const order: ProviderId[] = ['openai', 'azure', 'gpu'];
  const choices: JobProviderChoice[] = [];
  for (const id of order) {
    const p = providers[id];
    if (p) choices.push({ id, label: p.label, models: await p.models() });
  }
  return choices;
}
