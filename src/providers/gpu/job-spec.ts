import { type JobSpec, type LoraSettings, ProviderError } from '../types.ts';

/**
 * The trainer's spec.json from a job: LoraSettings in the trainer's field names
 * (trainer/ftbot_trainer/spec.py FIELDS is the authority; it refuses unknown keys). Paths are
 * relative to the job folder. Pure.
 */

/** The trainer's own defaults (spec.py), for a form that leaves a knob alone. */
export const DEFAULT_LORA_SETTINGS: Readonly<LoraSettings> = Object.freeze({
  method: 'lora',
  r: 16,
  alpha: 32,
  dropout: 0.05,
  targetModules: 'all-linear',
  epochs: 3,
  learningRate: 2e-4,
  batchSize: 4,
  gradientAccumulation: 4,
  maxLength: 2048,
  packing: false,
});

export const TRAINING_FILE = 'train.jsonl';
export const OUTPUT_DIR = 'output';

/** A hub id (owner/name) or an absolute path on the host; what spec.py accepts as base_model, minus relative paths. */
const BASE_MODEL =
  /^(?:(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}|\/[^\0\n\r]{1,1000}|~\/[^\0\n\r]{1,1000})$/;

export type TrainerSpec = Record<string, string | number | boolean>;

export function trainerSpec(spec: Pick<JobSpec, 'id' | 'model' | 'seed' | 'lora'>): TrainerSpec {
  const model = spec.model.trim();
  if (!BASE_MODEL.test(model)) {
    throw new ProviderError(
      'invalid_request',
      `"${model.slice(0, 200)}" is neither a hub model id (owner/name) nor an absolute path on the GPU host.`,
      { hint: 'Give a Hugging Face id such as meta-llama/Llama-3.2-3B-Instruct, or /path/to/model on the host.' },
    );
  }
  const l = { ...DEFAULT_LORA_SETTINGS, ...spec.lora };
  return {
    base_model: model,
    dataset: TRAINING_FILE,
    output_dir: OUTPUT_DIR,
    method: l.method,
    r: l.r,
    alpha: l.alpha,
    dropout: l.dropout,
    target_modules: l.targetModules,
    epochs: l.epochs,
    learning_rate: l.learningRate,
    batch_size: l.batchSize,
    gradient_accumulation: l.gradientAccumulation,
    max_length: l.maxLength,
    packing: l.packing,
    ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
    job_id: spec.id,
  };
}

export function specJson(spec: Pick<JobSpec, 'id' | 'model' | 'seed' | 'lora'>): string {
  return `${JSON.stringify(trainerSpec(spec), null, 2)}\n`;
}
