import { type JobSpec, ProviderError } from '../types.ts';
import { TOGETHER_CAPABILITIES } from './capabilities.ts';

/** Together's LoRA alpha default is twice the rank; we follow it rather than ask one more thing. */
const ALPHA_PER_RANK = 2;

/**
 * The `/fine-tunes` body for a spec (openapi.yaml, POST /fine-tunes). Left `auto`, a knob is left
 * out so Together picks it (epochs 1, batch "max", learning rate 1e-5). The training file is the
 * one uploaded for this job, which is also how a retried start finds the job it already made.
 */
export function createBody(spec: JobSpec): Record<string, unknown> {
  checkSpec(spec);
  const h = spec.hyperparameters;
  const full = h.tuning === 'full';
  const rank = h.loraRank ?? TOGETHER_CAPABILITIES.adapter?.ranks[0] ?? 8;
  return {
    model: spec.model,
    training_file: spec.trainingFileId,
    ...(spec.validationFileId ? { validation_file: spec.validationFileId } : {}),
    ...(typeof h.nEpochs === 'number' ? { n_epochs: h.nEpochs } : {}),
    ...(typeof h.batchSize === 'number' ? { batch_size: h.batchSize } : {}),
    ...(typeof h.learningRate === 'number' ? { learning_rate: h.learningRate } : {}),
    ...(h.nCheckpoints !== undefined ? { n_checkpoints: h.nCheckpoints } : {}),
    ...(h.nEvals !== undefined && spec.validationFileId ? { n_evals: h.nEvals } : {}),
    ...(spec.suffix ? { suffix: spec.suffix } : {}),
    ...(spec.seed !== undefined ? { random_seed: spec.seed } : {}),
    training_method:
      spec.method === 'dpo'
        ? { method: 'dpo', ...(typeof h.beta === 'number' ? { dpo_beta: h.beta } : {}) }
        : { method: 'sft', train_on_inputs: 'auto' },
    training_type: full
      ? { type: 'Full' }
      : { type: 'Lora', lora_r: rank, lora_alpha: rank * ALPHA_PER_RANK, lora_trainable_modules: 'all-linear' },
  };
}

/** What Together would refuse, said before anything is sent. */
export function checkSpec(spec: JobSpec): void {
  const max = TOGETHER_CAPABILITIES.suffixMax ?? 40;
  if (spec.suffix && (spec.suffix.length > max || !/^[A-Za-z0-9_-]+$/.test(spec.suffix))) {
    throw new ProviderError('invalid_request', `The model name suffix “${spec.suffix}” is not one Together AI takes.`, {
      hint: `Use at most ${max} letters, digits, hyphens and underscores.`,
    });
  }
  const h = spec.hyperparameters;
  if (h.nEvals !== undefined && h.nEvals > 0 && !spec.validationFileId) {
    throw new ProviderError('invalid_request', 'Evaluations were asked for without a validation file.', {
      hint: 'Give a validation file id, or set evaluations to 0.',
    });
  }
  const ranks = TOGETHER_CAPABILITIES.adapter?.ranks ?? [];
  if (h.loraRank !== undefined && h.tuning !== 'full' && !ranks.includes(h.loraRank)) {
    throw new ProviderError('invalid_request', `LoRA rank ${h.loraRank} is not offered.`, {
      hint: `Choose one of ${ranks.join(', ')}.`,
    });
  }
}
