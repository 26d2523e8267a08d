import { TUNABLE_MODELS, type TuningProvider } from '../../data/models.ts';
import type { ModelInfo } from '../types.ts';

const LABELS: Record<string, string> = {
  'gpt-4.1-2025-04-14': 'GPT-4.1 (2025-04-14)',
  'gpt-4.1-mini-2025-04-14': 'GPT-4.1 mini (2025-04-14)',
  'gpt-4.1-nano-2025-04-14': 'GPT-4.1 nano (2025-04-14)',
  'gpt-4o-2024-08-06': 'GPT-4o (2024-08-06)',
  'gpt-4o-mini-2024-07-18': 'GPT-4o mini (2024-07-18)',
  'gpt-3.5-turbo-0125': 'GPT-3.5 Turbo (0125)',
};

/**
 * OpenAI tunes every snapshot in our catalogue (shared/research/provider-apis.md §1, §2.2).
 * Azure's table of 2026-03-05 (§4.2) lists the GPT-4.1 family and the two GPT-4o snapshots;
 * gpt-35-turbo is no longer in it. Its RFT-only models (o4-mini, gpt-5) and the Foundry-only
 * open models are left out: we start supervised and DPO jobs only, and the catalogue has no
 * token limits or prices for them.
 */
const OFFERED: Record<TuningProvider, string[]> = {
  openai: [
    'gpt-4.1-2025-04-14',
    'gpt-4.1-mini-2025-04-14',
    'gpt-4.1-nano-2025-04-14',
    'gpt-4o-2024-08-06',
    'gpt-4o-mini-2024-07-18',
    'gpt-3.5-turbo-0125',
  ],
  azure: [
    'gpt-4.1-2025-04-14',
    'gpt-4.1-mini-2025-04-14',
    'gpt-4.1-nano-2025-04-14',
    'gpt-4o-2024-08-06',
    'gpt-4o-mini-2024-07-18',
  ],
};

/** The base models a provider can tune, with the methods from our catalogue (src/data/models.ts). */
export function tunableModels(provider: TuningProvider): ModelInfo[] {
  return OFFERED[provider].flatMap((id) => {
    const model = TUNABLE_MODELS.find((m) => m.id === id && m.providers.includes(provider));
    return model ? [{ id: model.id, family: model.id, label: LABELS[id] ?? id, methods: [...model.methods] }] : [];
  });
}
