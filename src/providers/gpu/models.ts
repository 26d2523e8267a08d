import type { ModelInfo } from '../types.ts';

/**
 * Open chat models that train well with LoRA / QLoRA on one GPU: a suggestion list for the form.
 * The GPU provider takes any hub id or a model folder on the host (capabilities.baseModel 'free');
 * `family` names the model family (src/data/models.ts lists only the hosted APIs' models).
 * The advisor's self-hosting suggestions (src/advisor/providers.ts) are among them.
 */
export const SUGGESTED_MODELS: readonly ModelInfo[] = [
  {
    id: 'meta-llama/Llama-3.2-1B-Instruct',
    family: 'llama-3.2',
    label: 'Llama 3.2 1B Instruct',
    methods: ['supervised'],
  },
  {
    id: 'meta-llama/Llama-3.2-3B-Instruct',
    family: 'llama-3.2',
    label: 'Llama 3.2 3B Instruct',
    methods: ['supervised'],
  },
  {
    id: 'meta-llama/Llama-3.1-8B-Instruct',
    family: 'llama-3.1',
    label: 'Llama 3.1 8B Instruct',
    methods: ['supervised'],
  },
  { id: 'Qwen/Qwen2.5-7B-Instruct', family: 'qwen-2.5', label: 'Qwen2.5 7B Instruct', methods: ['supervised'] },
  { id: 'Qwen/Qwen2.5-3B-Instruct', family: 'qwen-2.5', label: 'Qwen2.5 3B Instruct', methods: ['supervised'] },
  {
    id: 'mistralai/Mistral-7B-Instruct-v0.3',
    family: 'mistral-7b',
    label: 'Mistral 7B Instruct v0.3',
    methods: ['supervised'],
  },
  { id: 'google/gemma-2-9b-it', family: 'gemma-2', label: 'Gemma 2 9B Instruct', methods: ['supervised'] },
];
