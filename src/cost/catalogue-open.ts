import type { Catalogue } from './schema.ts';

/**
 * Training prices of the hosted services for open-weight models, Together AI and Fireworks AI:
 * data only, dated and sourced like the rest of catalogue.ts (which spreads these in). Neither
 * page could be read directly from here; where the figures come from a copy of the page rather
 * than the page itself, the note says UNVERIFIED. A PRICES_FILE overrides them like any other
 * section (a bracket list is replaced whole).
 */

const TOGETHER_PRICING = 'https://www.together.ai/pricing';
const TOGETHER_DOCS = 'https://docs.together.ai/docs/fine-tuning/pricing';
const FIREWORKS_PRICING = 'https://fireworks.ai/pricing';

export const OPEN_MODEL_PRICES: Pick<Catalogue, 'together' | 'fireworks'> = {
  together: {
    training: {
      // Brackets as the page names them: "Up to 16B", "17B-69B", "70-100B" (the docs say 16.1-69B).
      // Larger models (Qwen3 235B, DeepSeek, Llama 4 Maverick…) have per-model prices and minimum
      // charges on the page and are LoRA only: not priced here, so their estimate says so.
      brackets: [
        {
          up_to_params_b: 16,
          sft_lora_per_1m: 0.48,
          sft_full_per_1m: 0.54,
          dpo_lora_per_1m: 1.2,
          dpo_full_per_1m: 1.35,
        },
        {
          up_to_params_b: 69,
          sft_lora_per_1m: 1.5,
          sft_full_per_1m: 1.65,
          dpo_lora_per_1m: 3.75,
          dpo_full_per_1m: 4.12,
        },
        { up_to_params_b: 100, sft_lora_per_1m: 2.9, sft_full_per_1m: 3.2, dpo_lora_per_1m: 7.25, dpo_full_per_1m: 8 },
      ],
      as_of: '2026-02-01',
      source: `${TOGETHER_PRICING} ("Fine-tuning, price per 1M tokens"), as quoted in a February 2026 research copy of the page; billing rule: ${TOGETHER_DOCS}`,
      note:
        'UNVERIFIED: the table was read from a copy of the pricing page, not the page itself. Tokens billed = epochs × training tokens + n_evals × validation tokens; no minimum charge (docs). ' +
        'Hosting a tuned model is a dedicated endpoint billed by the minute (hardware-dependent), and serverless LoRA was not offered in February 2026: serving is not priced here.',
    },
  },
  fireworks: {
    training: {
      // "Models up to 16B parameters $0.50; Models 16.1B - 80B $3.00" per 1M training tokens; the
      // page's separate Mixtral 8x7B price ($2.00) is for a mixture-of-experts model and not bracketed.
      brackets: [
        { up_to_params_b: 16, per_1m: 0.5 },
        { up_to_params_b: 80, per_1m: 3 },
      ],
      // The copy is undated; its other figures are 2024's, so as_of is set early on purpose.
      as_of: '2024-01-01',
      source: `${FIREWORKS_PRICING} (fine-tuning, "$ / 1M tokens in training"; dataset tokens × epochs)`,
      note:
        'UNVERIFIED: read from an undated stored copy of the pricing page (it lists an A100 at $3.89/h, a 2024 price; as_of is a conservative guess); one Fireworks page says models under 16B tune free. ' +
        'The old page served LoRA models serverless at the base model’s rate, but the current docs say LoRA add-ons deploy on a dedicated deployment: serving is not priced here.',
    },
  },
};
