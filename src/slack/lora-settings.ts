import { z } from 'zod';
import type { LoraSettings } from '../providers/types.ts';

/**
 * The LoRA / QLoRA settings the job form offers, as data: each number's range and default is
 * trainer/ftbot_trainer/spec.py's (FIELDS), so a value the form accepts is one the trainer accepts
 * (test/slack/lora-settings.test.ts compares the two). The form (job-view-lora.ts), its parser and
 * the review's private_metadata (job-review-metadata.ts) all check against `loraSettingsSchema`.
 */

type NumberKey = Exclude<keyof LoraSettings, 'method' | 'targetModules' | 'packing'>;

export interface LoraNumberField {
  key: NumberKey;
  /** The spec.json field it becomes. */
  spec: string;
  /** The start modal's input block. */
  block: string;
  label: string;
  integer: boolean;
  min: number;
  /** The minimum itself is not allowed (spec.py's low_open). */
  minOpen: boolean;
  max: number;
  default: number;
  hint: string;
}

export const LORA_NUMBER_FIELDS: readonly LoraNumberField[] = [
  {
    key: 'r',
    spec: 'r',
    block: 'loraR',
    label: 'LoRA rank (r)',
    integer: true,
    min: 1,
    minOpen: false,
    max: 1024,
    default: 16,
    hint: 'How much the adapter can learn; 8 to 64 is usual. Higher takes more memory.',
  },
  {
    key: 'alpha',
    spec: 'alpha',
    block: 'loraAlpha',
    label: 'LoRA alpha',
    integer: false,
    min: 0,
    minOpen: true,
    max: 4096,
    default: 32,
    hint: 'The update is scaled by alpha ÷ r; twice r is usual.',
  },
  {
    key: 'dropout',
    spec: 'dropout',
    block: 'loraDropout',
    label: 'LoRA dropout',
    integer: false,
    min: 0,
    minOpen: false,
    max: 0.9,
    default: 0.05,
    hint: 'A little (0.05 to 0.1) helps against over-fitting a small data set.',
  },
  {
    key: 'epochs',
    spec: 'epochs',
    block: 'loraEpochs',
    label: 'Epochs',
    integer: false,
    min: 0,
    minOpen: true,
    max: 100,
    default: 3,
    hint: 'Passes over the training file; fractions such as 0.5 are allowed.',
  },
  {
    key: 'learningRate',
    spec: 'learning_rate',
    block: 'loraLearningRate',
    label: 'Learning rate',
    integer: false,
    min: 0,
    minOpen: true,
    max: 1,
    default: 2e-4,
    hint: 'The peak rate, e.g. 0.0002 or 2e-4; 1e-4 to 3e-4 is usual for LoRA.',
  },
  {
    key: 'batchSize',
    spec: 'batch_size',
    block: 'loraBatchSize',
    label: 'Batch size per GPU',
    integer: true,
    min: 1,
    minOpen: false,
    max: 4096,
    default: 4,
    hint: 'Sequences per GPU per micro-step. Lower it if the GPU runs out of memory.',
  },
  {
    key: 'gradientAccumulation',
    spec: 'gradient_accumulation',
    block: 'loraGradientAccumulation',
    label: 'Gradient accumulation',
    integer: true,
    min: 1,
    minOpen: false,
    max: 4096,
    default: 4,
    hint: 'Micro-steps per optimizer step: the effective batch is batch size × this × GPUs.',
  },
  {
    key: 'maxLength',
    spec: 'max_length',
    block: 'loraMaxLength',
    label: 'Max sequence length (tokens)',
    integer: true,
    min: 32,
    minOpen: false,
    max: 1_048_576,
    default: 2048,
    hint: 'Longer examples are truncated, and the review counts them.',
  },
];

export const LORA_METHODS = [
  { value: 'lora', label: 'LoRA', hint: 'bf16 base weights: the fastest; needs the most GPU memory.' },
  { value: 'qlora', label: 'QLoRA', hint: '4-bit base weights: about a third of the memory, ~20% slower.' },
] as const satisfies readonly { value: LoraSettings['method']; label: string; hint: string }[];

export const LORA_TARGETS = [
  { value: 'all-linear', label: 'All linear layers', hint: 'Every linear layer but the output head: learns the most.' },
  { value: 'attention', label: 'Attention only', hint: 'The attention projections: a smaller, faster adapter.' },
] as const satisfies readonly { value: LoraSettings['targetModules']; label: string; hint: string }[];

/** spec.py's defaults. */
export const LORA_DEFAULTS: LoraSettings = {
  method: 'lora',
  targetModules: 'all-linear',
  packing: false,
  ...(Object.fromEntries(LORA_NUMBER_FIELDS.map((f) => [f.key, f.default])) as Record<NumberKey, number>),
};

function numberSchema(f: LoraNumberField): z.ZodNumber {
  let n = z.number();
  if (f.integer) n = n.int();
  n = f.minOpen ? n.gt(f.min) : n.min(f.min);
  return n.max(f.max);
}

const numbers = Object.fromEntries(LORA_NUMBER_FIELDS.map((f) => [f.key, numberSchema(f)])) as Record<
  NumberKey,
  z.ZodNumber
>;

/** The settings as a job request carries them: every field, within spec.py's ranges. */
export const loraSettingsSchema: z.ZodType<LoraSettings> = z.strictObject({
  method: z.enum(['lora', 'qlora']),
  targetModules: z.enum(['attention', 'all-linear']),
  packing: z.boolean(),
  ...numbers,
});

/** "1,048,576", "0.0002": a bound as people read it. */
export function numberWords(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : String(n);
}

/** The field's error: "LoRA rank (r) is a whole number from 1 to 1,024." */
export function rangeError(f: LoraNumberField): string {
  const range = f.minOpen
    ? `above ${numberWords(f.min)} and at most ${numberWords(f.max)}`
    : `from ${numberWords(f.min)} to ${numberWords(f.max)}`;
  return `${f.label} is ${f.integer ? 'a whole number' : 'a number'} ${range} (default ${numberWords(f.default)}).`;
}

const DECIMAL = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d{1,3})?$/i;

/** One typed number: blank is the default; null when it is not a number in the field's range. */
export function parseLoraNumber(f: LoraNumberField, raw: string | null | undefined): number | null {
  // "2,048" and "2_048" are read as 2048; nothing else is forgiven.
  const text = (raw ?? '').trim().replace(/(?<=\d)[,_](?=\d{3}(?:\D|$))/g, '');
  if (text === '') return f.default;
  if (text.length > 32 || !DECIMAL.test(text)) return null;
  const n = Number(text);
  return numberSchema(f).safeParse(n).success ? n : null;
}

/** A Hugging Face id: owner/name, as the hub allows (spec.py's HUB_ID, with the owner required). */
export const HUB_MODEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
/** A model folder on the host: absolute (or under the SSH user's home), printable, no `.`/`..` parts. */
export const HOST_MODEL_PATH = /^(?:\/|~\/)\P{Cc}{1,510}$/u;
export const BASE_MODEL_MAX = 512;

export function isHostPath(model: string): boolean {
  return (
    HOST_MODEL_PATH.test(model) &&
    model.length <= BASE_MODEL_MAX &&
    !model
      .split('/')
      .slice(1)
      .some((part) => part === '.' || part === '..')
  );
}

/** A base model a LoRA job may name: a hub id or a folder on the host. */
export function isFreeBaseModel(model: string): boolean {
  return HUB_MODEL.test(model) || isHostPath(model);
}

/** Why a typed base model is refused, or undefined when it is fine. */
export function baseModelProblem(model: string): string | undefined {
  const example = 'e.g. meta-llama/Llama-3.1-8B-Instruct, or /models/llama-3.1-8b on the host';
  if (model === '')
    return `Give a base model: a Hugging Face id (owner/name) or a model folder on the host, ${example}.`;
  if (isFreeBaseModel(model)) return undefined;
  if (model.length > BASE_MODEL_MAX)
    return `That is ${model.length} characters; a base model is at most ${BASE_MODEL_MAX}.`;
  if (/^\.{1,2}\//.test(model))
    return 'A folder on the host must be absolute: start it with / (or ~/ for the SSH user’s home).';
  if (/^(?:\/|~\/)/.test(model)) return 'Write the folder without “.” or “..” parts and without control characters.';
  if (/\s/.test(model))
    return `A base model has no spaces: a Hugging Face id (owner/name) or an absolute folder, ${example}.`;
  return `That is neither a Hugging Face id (owner/name) nor an absolute folder on the host, ${example}.`;
}
