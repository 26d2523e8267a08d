import { OPEN_MODEL_PRICES } from './catalogue-open.ts';
import type { Catalogue } from './schema.ts';

export type { Catalogue } from './schema.ts';

/**
 * The built-in price catalogue: data only, no logic. Prices go stale; every figure says when it was
 * read (`as_of`) and where (`source`), and a PRICES_FILE can override any of it (load.ts). Sources
 * in brackets are the tags of shared/research/provider-apis.md and gpu-dispatch.md. All prices are
 * USD; token prices per 1M tokens; GPU prices per GPU-hour, on demand.
 */

const RESEARCH = 'shared/research/provider-apis.md §3.1';
const LITELLM_FT = `${RESEARCH} [P1]: LiteLLM price map (secondary), https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json`;
const OPENAI_PRICING = 'https://developers.openai.com/api/docs/pricing';
const RESEARCH_AS_OF = '2026-08-21';

const AZURE_COST_DOC =
  'Azure "Cost management for fine-tuning" (ms.date 2026-02-11) [A3], https://learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning-cost-management';
const AZURE_COST_AS_OF = '2026-02-11';
const LITELLM_AZURE =
  'LiteLLM price map, azure/<model> base rates (secondary), https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json';
const AZURE_INFERENCE_NOTE =
  "Azure bills a fine-tuned deployment per token at its base model's rate [A3]; these are the base Global Standard rates. Regional Standard can be about 10% higher. Secondary source, not read off Azure's pricing page.";

/**
 * Azure's per-token training rates were in no official source read. Placeholders: Global is the
 * cost doc's illustrative "$2/1M for GPT-4.1 global" scaled by OpenAI's training price for the
 * model relative to GPT-4.1 ($25); Standard is Global ÷ 0.8 (the middle of "10–30% cheaper");
 * Developer is half of Global ("50% off Global").
 */
const azureTraining = (global: number, openAiPer1m: number) => ({
  standard_per_1m: round4(global / 0.8),
  global_per_1m: global,
  developer_per_1m: round4(global / 2),
  // All three tiers are placeholders until the Retail Prices feed or a PRICES_FILE sets them.
  placeholder: ['standard', 'global', 'developer'] as Array<'standard' | 'global' | 'developer'>,
  as_of: AZURE_COST_AS_OF,
  source: `${AZURE_COST_DOC}: Global 10–30% below Standard, Developer 50% off Global, "$2/1M for GPT-4.1 global" as an example`,
  note:
    `UNVERIFIED PLACEHOLDER: Global = $2 × (OpenAI's $${openAiPer1m} ÷ $25), Standard = Global ÷ 0.8, Developer = Global × 0.5. ` +
    `OpenAI charges $${openAiPer1m}/1M to train the same model, so the real Azure rate may be far higher: check https://prices.azure.com/api/retail/prices or set PRICES_FILE.`,
});

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

const azureInference = (input: number, cached: number, output: number) => ({
  input_per_1m: input,
  cached_input_per_1m: cached,
  output_per_1m: output,
  as_of: '2026-11-24',
  source: LITELLM_AZURE,
  note: AZURE_INFERENCE_NOTE,
});

const openAiInference = (input: number, cached: number | undefined, output: number) => ({
  input_per_1m: input,
  ...(cached === undefined ? {} : { cached_input_per_1m: cached }),
  output_per_1m: output,
  as_of: RESEARCH_AS_OF,
  source: LITELLM_FT,
  note: 'Fine-tuned model rates (ft:<model>) from a secondary price map; OpenAI charges no hosting fee.',
});

const unverifiedTraining = (per1m: number) => ({
  per_1m: per1m,
  as_of: RESEARCH_AS_OF,
  source: `${RESEARCH}; ${OPENAI_PRICING}`,
  note: 'UNVERIFIED: not confirmed against a primary source.',
});

const MERCATUS =
  'Mercatus "Cloud GPU pricing" (May 2026), on-demand per GPU-hour, https://www.mercatus-ai.com/blog/cloud-gpu-pricing';
const GPU_MARKET = `${MERCATUS}; pricegpu "H100 vs A100 cloud pricing" (early 2026), https://pricegpu.pages.dev/blog/h100-vs-a100-cloud-price`;
const SERVING_NOTE =
  'ASSUMPTION: serving_tokens_per_s is a conservative guess, not a measurement: input plus output tokens per second for an 8B model in BF16 with continuous batching (vLLM-class), scaled by 8/N for other sizes.';
const GLENN = 'gpu-dispatch.md §3: https://glennklockwood.com/garden/processors/';

export const CATALOGUE: Catalogue = {
  openai: {
    models: {
      'gpt-4.1-2025-04-14': { training: unverifiedTraining(25), inference: openAiInference(3, 0.75, 12) },
      'gpt-4.1-mini-2025-04-14': { training: unverifiedTraining(5), inference: openAiInference(0.8, 0.2, 3.2) },
      'gpt-4.1-nano-2025-04-14': { training: unverifiedTraining(1.5), inference: openAiInference(0.2, 0.05, 0.8) },
      'gpt-4o-2024-08-06': {
        training: {
          per_1m: 25,
          as_of: RESEARCH_AS_OF,
          source: `${RESEARCH} [P3]: GPT-4o fine-tuning announcement of 2024-08-20, via a secondary report`,
          note: 'Secondary source.',
        },
        inference: openAiInference(3.75, 1.875, 15),
      },
      'gpt-4o-mini-2024-07-18': {
        training: {
          per_1m: 3,
          as_of: RESEARCH_AS_OF,
          source: `${RESEARCH} [P3b]: https://tokonomics.ca/blog/llm-fine-tuning-costs-guide`,
          note: 'Secondary source.',
        },
        inference: openAiInference(0.3, 0.15, 1.2),
      },
      'gpt-3.5-turbo-0125': { training: unverifiedTraining(8), inference: openAiInference(3, undefined, 6) },
    },
    wind_down: {
      new_orgs_refused: '2026-05-07',
      no_new_jobs: '2027-01-06',
      as_of: RESEARCH_AS_OF,
      source:
        'provider-apis.md §0 [D1][D1b]: https://developers.openai.com/api/docs/deprecations ("Update to OpenAI\'s self-serve fine-tuning")',
      note: 'Stage dates as quoted by two secondary reports of the deprecations page.',
    },
  },
  azure: {
    // gpt-35-turbo-0125 is left out: Azure's 2026-03-05 fine-tuning table [A4] no longer lists it.
    models: {
      'gpt-4.1-2025-04-14': { training: azureTraining(2, 25), inference: azureInference(2, 0.5, 8) },
      'gpt-4.1-mini-2025-04-14': { training: azureTraining(0.4, 5), inference: azureInference(0.4, 0.1, 1.6) },
      'gpt-4.1-nano-2025-04-14': { training: azureTraining(0.12, 1.5), inference: azureInference(0.1, 0.025, 0.4) },
      'gpt-4o-2024-08-06': { training: azureTraining(2, 25), inference: azureInference(2.5, 1.25, 10) },
      'gpt-4o-mini-2024-07-18': { training: azureTraining(0.24, 3), inference: azureInference(0.165, 0.075, 0.66) },
    },
    hosting: {
      standard_per_hour: 1.7,
      global_per_hour: 1.7,
      developer_per_hour: 0,
      developer_lifetime_hours: 24,
      idle_delete_days: 15,
      as_of: AZURE_COST_AS_OF,
      source: `${AZURE_COST_DOC}; deletion after 15 idle days: provider-apis.md §3.2 [A2] (azure-ai-docs articles/ai-foundry/openai/includes/fine-tune.md)`,
      note: 'Standard and Global Standard: $1.70 per hour deployed, used or not. Developer: no hourly fee, no SLA, removed after 24 hours.',
    },
  },
  ...OPEN_MODEL_PRICES,
  gpus: {
    A10G: {
      name: 'NVIDIA A10G 24GB',
      memory_gb: 24,
      peak_bf16_tflops: 70,
      specs_source:
        "AWS EC2 G5 (A10G); NVIDIA lists 125 dense BF16 TFLOPS for the full A10, AWS's A10G is commonly quoted at ~70",
      hourly_usd: 1.006,
      serving_tokens_per_s: 1500,
      as_of: '2025-06-01',
      source: 'AWS EC2 on-demand, g5.xlarge (1×A10G), us-east-1, https://aws.amazon.com/ec2/instance-types/g5/',
      note: `UNVERIFIED: list price and the 70 TFLOPS figure not re-checked against AWS. ${SERVING_NOTE}`,
    },
    L4: {
      name: 'NVIDIA L4 24GB',
      memory_gb: 24,
      peak_bf16_tflops: 121,
      specs_source: 'NVIDIA L4 datasheet: 242 BF16 TFLOPS with sparsity, 121 dense',
      hourly_usd: 0.805,
      serving_tokens_per_s: 1200,
      as_of: '2025-06-01',
      source: 'AWS EC2 on-demand, g6.xlarge (1×L4), us-east-1, https://aws.amazon.com/ec2/instance-types/g6/',
      note: `UNVERIFIED: list price not re-checked against AWS. ${SERVING_NOTE}`,
    },
    L40S: {
      name: 'NVIDIA L40S 48GB',
      memory_gb: 48,
      peak_bf16_tflops: 362,
      specs_source: 'NVIDIA L40S datasheet: 733 BF16 TFLOPS with sparsity, 362 dense',
      hourly_usd: 0.86,
      serving_tokens_per_s: 3000,
      as_of: '2025-08-12',
      source:
        'Modal, "How much does it cost to run NVIDIA L40S GPUs" (2025-08-12): RunPod on-demand $0.86, AWS g6e.xlarge $1.861, https://modal.com/blog/nvidia-l40s-price-article',
      note: SERVING_NOTE,
    },
    'A100-40GB': {
      name: 'NVIDIA A100 40GB',
      memory_gb: 40,
      peak_bf16_tflops: 312,
      specs_source: `${GLENN}A100`,
      hourly_usd: 1.29,
      serving_tokens_per_s: 4000,
      as_of: '2025-06-01',
      source: 'Lambda on-demand list price for 1×A100 40GB, https://lambda.ai/pricing',
      note: `UNVERIFIED: not re-checked; 40GB A100s are scarce on demand. ${SERVING_NOTE}`,
    },
    'A100-80GB': {
      name: 'NVIDIA A100 80GB',
      memory_gb: 80,
      peak_bf16_tflops: 312,
      specs_source: `${GLENN}A100`,
      hourly_usd: 1.5,
      serving_tokens_per_s: 4500,
      as_of: '2026-05-01',
      source: `${GPU_MARKET}: $1.10–1.50 (specialty), $1.49–2.49 (typical)`,
      note: `Top of the specialty-cloud range; hyperscalers charge $1.50–3.00. ${SERVING_NOTE}`,
    },
    'H100-80GB': {
      name: 'NVIDIA H100 80GB SXM',
      memory_gb: 80,
      peak_bf16_tflops: 989,
      specs_source: `${GLENN}h100`,
      hourly_usd: 3,
      serving_tokens_per_s: 8000,
      as_of: '2026-05-01',
      source: `${GPU_MARKET}: $2.50–3.50 (specialty), $2.49–3.99 (typical)`,
      note: `Middle of the specialty-cloud range; hyperscalers charge $3.50–5.00. ${SERVING_NOTE}`,
    },
    'H200-141GB': {
      name: 'NVIDIA H200 141GB',
      memory_gb: 141,
      peak_bf16_tflops: 989,
      specs_source: 'Same Hopper compute as the H100 SXM (989 dense BF16 TFLOPS) with 141 GB of HBM3e',
      hourly_usd: 4,
      serving_tokens_per_s: 10000,
      as_of: '2026-05-01',
      source: `${MERCATUS}: $3.50–4.50 (specialty)`,
      note: `Middle of the specialty-cloud range; hyperscalers charge $4.50–7.00. ${SERVING_NOTE}`,
    },
  },
  self_hosting: {
    // FLOPs rule: 6N per token for full fine-tuning, ≈4N for LoRA (no weight gradients).
    flops_per_token_per_param: { lora: 4, qlora: 4, full: 6 },
    // torchtune, Llama-3.1-8B on one RTX 4090: QLoRA 2,413 tok/s vs LoRA 3,083 (−22%).
    qlora_throughput_factor: 0.8,
    default_mfu: 0.3,
    // LLaMA-Factory's estimate for a 7B model: full BF16 60 GB, LoRA 16 GB, QLoRA 4-bit 6 GB.
    training_memory_gb_per_b: { lora: 16 / 7, qlora: 6 / 7, full: 60 / 7 },
    serving_bytes_per_param: 2,
    serving_memory_headroom: 1.2,
    serving_reference_params_b: 8,
    serving_utilisation: 0.5,
    as_of: RESEARCH_AS_OF,
    source:
      'gpu-dispatch.md §3: FLOPs rule (PaLM App. B, arXiv 2204.02311), torchtune README (QLoRA vs LoRA on a 4090), LLaMA-Factory README (VRAM for 7B)',
    note: 'ASSUMPTION: 30% MFU is a guess; serving in BF16 with 20% memory headroom; GPUs run at half their peak serving throughput on average because traffic is not flat.',
  },
  historical: {
    blog_2023: {
      label: 'Prices quoted by the source blog (2023). Historical: never used in estimates.',
      openai_gpt35_turbo: {
        training_per_1k: 0.008,
        input_per_1k: 0.012,
        output_per_1k: 0.016,
        as_of: '2023-08-22',
        source:
          'OpenAI, "GPT-3.5 Turbo fine-tuning and API updates" (2023-08-22), https://openai.com/index/gpt-3-5-turbo-fine-tuning-and-api-updates/',
      },
      azure: {
        as_of: '2023-01-24',
        source:
          'Blog post "Azure OpenAI service pricing" (2023-01-24), https://github.com/creyn/daily: training billed by the hour, plus hosting',
        note: 'Figures omitted: in 2023 Azure billed fine-tuning per training compute-hour plus an hourly hosting fee per deployed model, but no source read gave the exact 2023 rates.',
      },
    },
  },
};
