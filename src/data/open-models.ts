/**
 * Open-weight base models the hosted services beyond OpenAI tune (Together AI, Fireworks AI): the
 * facts the form, the validator and the price brackets need. The providers' own lists (Together's
 * /fine-tunes/models/supported, Fireworks' base models) are the authority on what can be tuned
 * today; these entries fill in sizes and context for the ones we know, and `openModelFacts` reads
 * the size off any other id. Sources: docs.together.ai/docs/fine-tuning/supported-models and
 * docs.fireworks.ai/fine-tuning (read 2026-12); context lengths are the providers' SFT limits.
 */

export type OpenModelProvider = 'together' | 'fireworks';

export interface OpenModel {
  /** The id the provider's API takes. */
  id: string;
  provider: OpenModelProvider;
  label: string;
  /** Billions of parameters: the providers price by size bracket. */
  paramsB: number;
  /** The longest training example, in tokens, the provider takes for SFT. */
  contextTokens: number;
  methods: Array<'supervised' | 'dpo'>;
}

export const OPEN_MODELS: readonly OpenModel[] = [
  {
    id: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
    provider: 'together',
    label: 'Llama 3.1 8B Instruct',
    paramsB: 8,
    contextTokens: 131_072,
    methods: ['supervised', 'dpo'],
  },
  {
    id: 'meta-llama/Meta-Llama-3.1-70B-Instruct-Reference',
    provider: 'together',
    label: 'Llama 3.1 70B Instruct',
    paramsB: 70,
    contextTokens: 65_536,
    methods: ['supervised', 'dpo'],
  },
  {
    id: 'Qwen/Qwen3-8B',
    provider: 'together',
    label: 'Qwen3 8B',
    paramsB: 8,
    contextTokens: 32_768,
    methods: ['supervised', 'dpo'],
  },
  {
    id: 'Qwen/Qwen2.5-72B-Instruct',
    provider: 'together',
    label: 'Qwen2.5 72B Instruct',
    paramsB: 72,
    contextTokens: 32_768,
    methods: ['supervised', 'dpo'],
  },
  {
    id: 'google/gemma-3-12b-it',
    provider: 'together',
    label: 'Gemma 3 12B',
    paramsB: 12,
    contextTokens: 16_384,
    methods: ['supervised', 'dpo'],
  },
  {
    id: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
    provider: 'fireworks',
    label: 'Llama 3.1 8B Instruct',
    paramsB: 8,
    contextTokens: 131_072,
    methods: ['supervised'],
  },
  {
    id: 'accounts/fireworks/models/llama-v3p1-70b-instruct',
    provider: 'fireworks',
    label: 'Llama 3.1 70B Instruct',
    paramsB: 70,
    contextTokens: 131_072,
    methods: ['supervised'],
  },
  {
    id: 'accounts/fireworks/models/qwen2p5-7b-instruct',
    provider: 'fireworks',
    label: 'Qwen2.5 7B Instruct',
    paramsB: 7,
    contextTokens: 32_768,
    methods: ['supervised'],
  },
];

/** The models we know for one provider, in the order above. */
export function openModelsOf(provider: OpenModelProvider): OpenModel[] {
  return OPEN_MODELS.filter((m) => m.provider === provider);
}

/**
 * A model's facts by its id: ours when we know it, else its size read off the name (`…-8B-…`,
 * `…-8x7B`, `…-v3p1-70b-…`), which is how both providers name their models. Undefined size: the
 * price bracket cannot be chosen and the estimate says so.
 */
export function openModelFacts(
  provider: OpenModelProvider,
  id: string,
): Pick<OpenModel, 'id' | 'label'> & { paramsB?: number; contextTokens?: number } {
  const known = OPEN_MODELS.find((m) => m.provider === provider && m.id.toLowerCase() === id.toLowerCase());
  if (known) return known;
  const paramsB = paramsFromName(id);
  return { id, label: id.split('/').pop() ?? id, ...(paramsB !== undefined ? { paramsB } : {}) };
}

export function paramsFromName(id: string): number | undefined {
  const name = id.split('/').pop() ?? id;
  const moe = /(?:^|[^a-z0-9])(\d+)x(\d+(?:[.p]\d+)?)b(?![a-z0-9])/i.exec(name);
  if (moe) return Number(moe[1]) * Number((moe[2] as string).replace('p', '.'));
  const plain = /(?:^|[^a-z0-9.])(\d+(?:[.p]\d+)?)b(?![a-z0-9])/i.exec(name);
  return plain ? Number((plain[1] as string).replace('p', '.')) : undefined;
}
