import { z } from 'zod';

/**
 * The shape of the price catalogue, as a zod schema: the built-in data (catalogue.ts) and any
 * PRICES_FILE override merged over it must both pass it. Keys are snake_case because the same
 * shape is what people write in a PRICES_FILE. Every price carries `as_of` (the day the figure was
 * read) and `source` (a URL or a citation of shared/research/*); figures not confirmed against a
 * primary source say UNVERIFIED in `note`. Objects are strict, so a misspelt key in a PRICES_FILE
 * is reported instead of silently ignored.
 */

type Issue = { input?: unknown };

/** Error text that tells a missing field from a wrong one; load.ts adds the path and the value. */
function expects(what: string) {
  return { error: (issue: Issue) => (issue.input === undefined ? `is missing; expects ${what}` : `expects ${what}`) };
}

/** A number of 0 or more, described by its unit ("USD per 1M tokens"). */
function amount(unit: string) {
  const what = `${unit} (a number, 0 or more)`;
  return z.number(expects(what)).min(0, expects(what));
}

/** A number above 0, for figures a division depends on (TFLOPS, memory, throughput). */
function positive(unit: string) {
  const what = `${unit} (a number above 0)`;
  return z.number(expects(what)).positive(expects(what));
}

const fraction = (what: string) =>
  z
    .number(expects(`${what} (a number above 0, at most 1)`))
    .gt(0, expects(`${what} above 0`))
    .max(1, expects(`${what} of at most 1`));

/** A strict object whose error names its fields, so a person can see what belongs there. */
function obj<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape, expects(`an object with the fields (${Object.keys(shape).join(', ')})`));
}

/** An object of entries by id (model ids, GPU ids). */
function byId<T extends z.ZodType>(entry: T, what: string) {
  return z.record(z.string(), entry, expects(`an object of ${what} by id`));
}

const isoDate = z.iso.date(expects('a date as YYYY-MM-DD'));
const text = (what: string) => z.string(expects(what)).min(1, expects(what));

/** What every price entry carries. */
const sourced = {
  as_of: isoDate,
  source: text('a URL or citation for the figure'),
  note: text('a short note').optional(),
};

const perMillion = amount('USD per 1M tokens');

const inference = obj({
  input_per_1m: perMillion,
  cached_input_per_1m: perMillion.optional(),
  output_per_1m: perMillion,
  ...sourced,
});

const openAiModel = obj({
  training: obj({ per_1m: perMillion, ...sourced }),
  inference,
});

export const AZURE_TIERS = ['standard', 'global', 'developer'] as const;
export type AzureTier = (typeof AZURE_TIERS)[number];

/**
 * The tiers whose figure rests on a placeholder rather than a published price: data, so every
 * estimate can say so next to its number. A figure a PRICES_FILE or the Retail Prices feed sets
 * leaves this list (override.ts, azure-retail.ts).
 */
const placeholderTiers = z
  .array(z.enum(AZURE_TIERS, expects(`one of ${AZURE_TIERS.join(', ')}`)), expects('a list of Azure tiers'))
  .optional();

const azureModel = obj({
  training: obj({
    standard_per_1m: perMillion,
    global_per_1m: perMillion,
    developer_per_1m: perMillion,
    placeholder: placeholderTiers,
    ...sourced,
  }),
  inference,
});

/**
 * A price by model-size bracket: the bracket is the first whose `up_to_params_b` is at least the
 * model's size (in billions of parameters). Sorted ascending; a model larger than the last bracket
 * has no price here.
 */
function brackets<S extends z.core.$ZodLooseShape>(rates: S, what: string) {
  return z
    .array(obj({ up_to_params_b: positive('billions of parameters, the top of the bracket'), ...rates }), {
      error: `expects a list of ${what} brackets`,
    })
    .min(1, { error: `expects at least one ${what} bracket` })
    .refine((list) => ascending(list as Array<{ up_to_params_b: number }>), {
      error: 'expects brackets sorted by up_to_params_b, smallest first',
    });
}

const ascending = (list: Array<{ up_to_params_b: number }>) =>
  list.every((b, i) => i === 0 || b.up_to_params_b > (list[i - 1]?.up_to_params_b ?? 0));

/** Together AI: per token processed, by size bracket × method (SFT/DPO) × LoRA/full. */
const together = obj({
  training: obj({
    brackets: brackets(
      {
        sft_lora_per_1m: perMillion,
        sft_full_per_1m: perMillion,
        dpo_lora_per_1m: perMillion,
        dpo_full_per_1m: perMillion,
      },
      'Together AI training',
    ),
    ...sourced,
  }),
});

/** Fireworks AI: per training token (dataset × epochs), by size bracket. */
const fireworks = obj({
  training: obj({
    brackets: brackets({ per_1m: perMillion }, 'Fireworks AI training'),
    ...sourced,
  }),
});

const gpu = obj({
  name: text('a display name such as "NVIDIA H100 80GB SXM"'),
  memory_gb: positive('GB of GPU memory'),
  peak_bf16_tflops: positive('peak dense BF16 TFLOPS'),
  specs_source: text('a URL or citation for the memory and TFLOPS figures'),
  hourly_usd: amount('USD per GPU-hour'),
  serving_tokens_per_s: positive('tokens per second one GPU serves'),
  ...sourced,
});

const methods = <T extends z.ZodType>(value: T) => obj({ lora: value, qlora: value, full: value });

export const catalogueSchema = obj({
  openai: obj({
    models: byId(openAiModel, 'OpenAI models'),
    wind_down: obj({
      new_orgs_refused: isoDate,
      no_new_jobs: isoDate,
      ...sourced,
    }),
  }),
  azure: obj({
    models: byId(azureModel, 'Azure OpenAI models'),
    hosting: obj({
      standard_per_hour: amount('USD per deployment-hour'),
      global_per_hour: amount('USD per deployment-hour'),
      developer_per_hour: amount('USD per deployment-hour'),
      placeholder: placeholderTiers,
      developer_lifetime_hours: positive('hours a Developer-tier deployment lives'),
      idle_delete_days: positive('days without calls before a deployment is deleted'),
      ...sourced,
    }),
  }),
  together,
  fireworks,
  gpus: byId(gpu, 'GPUs'),
  self_hosting: obj({
    flops_per_token_per_param: methods(positive('FLOPs per token per parameter')),
    qlora_throughput_factor: fraction('the share of LoRA throughput QLoRA keeps'),
    default_mfu: fraction('the model FLOPs utilisation'),
    training_memory_gb_per_b: methods(positive('GB of GPU memory per billion parameters')),
    serving_bytes_per_param: positive('bytes of GPU memory per parameter when serving'),
    serving_memory_headroom: positive('a multiplier for KV cache and activations (1.2 = 20% extra)'),
    serving_reference_params_b: positive('billions of parameters the serving throughput is quoted for'),
    serving_utilisation: fraction('the average share of peak serving throughput used'),
    ...sourced,
  }),
  historical: obj({
    blog_2023: obj({
      label: text('a label'),
      openai_gpt35_turbo: obj({
        training_per_1k: amount('USD per 1K tokens'),
        input_per_1k: amount('USD per 1K tokens'),
        output_per_1k: amount('USD per 1K tokens'),
        ...sourced,
      }),
      azure: obj({ ...sourced }),
    }),
  }),
});

export type Catalogue = z.infer<typeof catalogueSchema>;
export type OpenAiModelPrice = Catalogue['openai']['models'][string];
export type AzureModelPrice = Catalogue['azure']['models'][string];
export type TogetherBracket = Catalogue['together']['training']['brackets'][number];
export type FireworksBracket = Catalogue['fireworks']['training']['brackets'][number];
export type GpuSpec = Catalogue['gpus'][string];
export type SelfHosting = Catalogue['self_hosting'];
export type TrainingMethod = keyof SelfHosting['flops_per_token_per_param'];
