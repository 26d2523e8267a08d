import type { Catalogue } from '../../cost/catalogue.ts';
import { gpuTraining } from '../../cost/gpu.ts';
import { DEFAULT_LORA_SETTINGS } from '../gpu/job-spec.ts';
import type { LoraSettings } from '../types.ts';

/**
 * The Job's activeDeadlineSeconds: a guard against a pod that holds a GPU for ever (a hung NCCL
 * call, a dataloader deadlock), not a budget. From the same FLOPs rule the review's estimate uses
 * (src/cost/gpu.ts) with the file's size for its tokens, times three plus an hour for pulling the
 * image and the model; without a basis (a model whose size its name does not say), a day. Pure.
 */

export const DEFAULT_DEADLINE_HOURS = 24;
const MIN_SECONDS = 2 * 3600;
const MAX_SECONDS = 7 * 24 * 3600;
const MARGIN = 3;
const SETUP_SECONDS = 3600;
/**
 * About four bytes of JSONL a token: the JSON's keys and punctuation make this an over-count of the
 * text's tokens, which a deadline can afford.
 */
const BYTES_PER_TOKEN = 4;

const SIZE = /(?:^|[-_.])(\d{1,4}(?:\.\d{1,3})?)([bm])(?=$|[-_.])/i;

/**
 * Billions of parameters a model's name states (`Qwen2.5-0.5B-Instruct` → 0.5). The same rule as
 * src/jobs/gpu-estimate.ts's paramsFromName, repeated here because providers do not import jobs/.
 */
export function paramsFromName(model: string): number | undefined {
  const name = model.split('/').filter(Boolean).at(-1) ?? '';
  if (/\d+x\d/i.test(name)) return undefined;
  const match = SIZE.exec(name);
  if (!match?.[1] || !match[2]) return undefined;
  const n = Number(match[1]) / (match[2].toLowerCase() === 'm' ? 1000 : 1);
  return n >= 0.01 && n <= 2000 ? n : undefined;
}

export interface DeadlineInput {
  model: string;
  lora?: Partial<LoraSettings>;
  /** The training file's size, uncompressed. */
  trainingBytes?: number;
  gpuType: string;
  catalogue: Catalogue;
}

export function jobDeadline(input: DeadlineInput): { seconds: number; basis: 'estimate' | 'default' } {
  const fallback = { seconds: DEFAULT_DEADLINE_HOURS * 3600, basis: 'default' as const };
  const gpu = input.catalogue.gpus[input.gpuType];
  const paramsB = paramsFromName(input.model);
  if (!gpu || paramsB === undefined || !(input.trainingBytes && input.trainingBytes > 0)) return fallback;
  const lora = { ...DEFAULT_LORA_SETTINGS, ...input.lora };
  const tokens = (input.trainingBytes / BYTES_PER_TOKEN) * lora.epochs;
  const { wallHours } = gpuTraining(
    { gpu, count: 1, paramsB, method: lora.method, mfu: input.catalogue.self_hosting.default_mfu },
    input.catalogue.self_hosting,
    tokens,
  );
  if (!Number.isFinite(wallHours)) return fallback;
  const seconds = Math.ceil(wallHours * 3600 * MARGIN + SETUP_SECONDS);
  return { seconds: Math.min(MAX_SECONDS, Math.max(MIN_SECONDS, seconds)), basis: 'estimate' };
}
