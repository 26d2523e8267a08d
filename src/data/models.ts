/**
 * The base models OpenAI and Azure OpenAI can fine-tune with supervised or DPO training, with the
 * tokenizer and the per-example token limit the validator needs (shared/research/provider-apis.md
 * §2.2, §2.5, §4.2). Data, not logic: refresh it when the providers' tables change.
 */

export type Encoding = 'o200k_base' | 'cl100k_base';
export type TuningProvider = 'openai' | 'azure';

export interface TunableModel {
  id: string;
  encoding: Encoding;
  /**
   * Tokens per training example; longer examples are truncated, not rejected. Where the providers
   * differ this is the stricter limit, so a file that passes here passes on both; `tokenLimits` has
   * each provider's own figure for callers that know where the job will run.
   */
  tokenLimit: number;
  tokenLimits: Partial<Record<TuningProvider, number>>;
  providers: Array<TuningProvider>;
  methods: Array<'supervised' | 'dpo'>;
  /** Other names people type for this snapshot (undated ids, Azure's spelling). */
  aliases?: string[];
}

const BOTH: TuningProvider[] = ['openai', 'azure'];

export const TUNABLE_MODELS: readonly TunableModel[] = [
  {
    id: 'gpt-4.1-2025-04-14',
    encoding: 'o200k_base',
    tokenLimit: 65_536,
    tokenLimits: { openai: 65_536, azure: 65_536 },
    providers: BOTH,
    methods: ['supervised', 'dpo'],
    aliases: ['gpt-4.1'],
  },
  {
    id: 'gpt-4.1-mini-2025-04-14',
    encoding: 'o200k_base',
    tokenLimit: 65_536,
    tokenLimits: { openai: 65_536, azure: 65_536 },
    providers: BOTH,
    methods: ['supervised', 'dpo'],
    aliases: ['gpt-4.1-mini'],
  },
  {
    // Azure's table gives gpt-4.1-nano half the context of its siblings [A5]; we keep the stricter.
    id: 'gpt-4.1-nano-2025-04-14',
    encoding: 'o200k_base',
    tokenLimit: 32_768,
    tokenLimits: { openai: 65_536, azure: 32_768 },
    providers: BOTH,
    methods: ['supervised', 'dpo'],
    aliases: ['gpt-4.1-nano'],
  },
  {
    id: 'gpt-4o-2024-08-06',
    encoding: 'o200k_base',
    tokenLimit: 65_536,
    tokenLimits: { openai: 65_536, azure: 65_536 },
    providers: BOTH,
    methods: ['supervised', 'dpo'],
    aliases: ['gpt-4o'],
  },
  {
    id: 'gpt-4o-mini-2024-07-18',
    encoding: 'o200k_base',
    tokenLimit: 65_536,
    tokenLimits: { openai: 65_536, azure: 65_536 },
    providers: BOTH,
    methods: ['supervised'],
    aliases: ['gpt-4o-mini'],
  },
  {
    id: 'gpt-3.5-turbo-0125',
    encoding: 'cl100k_base',
    tokenLimit: 16_385,
    tokenLimits: { openai: 16_385, azure: 16_385 },
    providers: BOTH,
    methods: ['supervised'],
    aliases: ['gpt-35-turbo-0125', 'gpt-3.5-turbo', 'gpt-35-turbo'],
  },
];

export const DEFAULT_MODEL = 'gpt-4.1-mini-2025-04-14';

const BY_NAME = new Map<string, TunableModel>();
for (const m of TUNABLE_MODELS) for (const name of [m.id, ...(m.aliases ?? [])]) BY_NAME.set(name, m);

/**
 * The tunable model for an id or alias, case-insensitive. A fine-tuned model's id resolves to its
 * base, since continuing to train it uses the base's tokenizer and limits: OpenAI's
 * `ft:gpt-4o-mini-2024-07-18:org::abc123` and Azure's `gpt-4.1-2025-04-14.ft-0123abcd`.
 */
export function findModel(idOrAlias: string): TunableModel | undefined {
  let name = idOrAlias.trim().toLowerCase();
  if (name.startsWith('ft:')) name = name.slice(3).split(':')[0] ?? '';
  const azureFt = name.indexOf('.ft-');
  if (azureFt > 0) name = name.slice(0, azureFt);
  return BY_NAME.get(name);
}

/** The limit for the provider the job will run on, or the stricter one when that is not known. */
export function tokenLimitFor(model: TunableModel, provider?: TuningProvider): number {
  return (provider && model.tokenLimits[provider]) || model.tokenLimit;
}
