import type { types } from '@slack/bolt';
import type { Hyperparameters, ProviderCapabilities } from '../providers/types.ts';
import { JOB_START_BLOCKS as B, JOB_FIELD_ACTION_ID as FIELD } from './job-ids.ts';
import type { readForm } from './payloads.ts';
import { plain } from './text.ts';

type KnownBlock = types.KnownBlock;

/**
 * The start form's inputs that only some hosted providers have, read off their capabilities: the
 * learning rate itself (Together, Fireworks) instead of a multiplier, the LoRA rank or full
 * fine-tuning, intermediate checkpoints, evaluations on the validation file. Render and parse sit
 * together so the two cannot drift.
 */

/** The rate itself: providers default near 1e-5 (Together) to 1e-4 (Fireworks); above 1e-2 is a typo. */
export const LEARNING_RATE = { min: 1e-8, max: 1e-2 } as const;
export const CHECKPOINTS = { min: 1, max: 20 } as const;
export const EVALUATIONS = { min: 0, max: 100 } as const;
const FULL = 'full';

export const ADAPTER_ERRORS = {
  learningRate: `The learning rate is a number above 0 and at most ${LEARNING_RATE.max}, e.g. 0.0001 or 1e-4, or blank for the provider’s default.`,
  adapter: 'Choose a LoRA rank, or full fine-tuning where it is offered.',
  checkpoints: `Checkpoints is a whole number from ${CHECKPOINTS.min} to ${CHECKPOINTS.max}, or blank for one.`,
  evaluations: `Evaluations is a whole number from ${EVALUATIONS.min} to ${EVALUATIONS.max}, or blank for none.`,
  evaluationsNeedFile: 'Evaluations score a validation file: give its id above, or leave this blank.',
} as const;

type Prefill = Partial<Hyperparameters> | undefined;

export function adapterInputs(caps: ProviderCapabilities, label: string, hp: Prefill): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (caps.learningRate === 'absolute') {
    blocks.push(
      textInput(B.learningRate, 'Learning rate', 'auto', numberText(hp?.learningRate), {
        hint: `The rate itself, e.g. 0.0001 (1e-4); blank lets ${label} choose.`,
      }),
    );
  }
  if (caps.adapter) {
    const options = caps.adapter.ranks.map((r) => ({
      text: plain(`LoRA, rank ${r}`, 75),
      description: plain(
        r === caps.adapter?.ranks[0] ? 'The default: small, quick, cheap.' : 'More capacity, larger adapter.',
        75,
      ),
      value: String(r),
    }));
    if (caps.adapter.full) {
      options.push({
        text: plain('Full fine-tuning', 75),
        description: plain('Updates every weight: dearer, for big shifts in behaviour.', 75),
        value: FULL,
      });
    }
    const initial = hp?.tuning === 'full' ? FULL : String(hp?.loraRank ?? caps.adapter.ranks[0]);
    blocks.push({
      type: 'input',
      block_id: B.adapter,
      label: plain('Adapter'),
      element: {
        type: 'static_select',
        action_id: FIELD,
        options,
        initial_option: options.find((o) => o.value === initial) ?? options[0],
      },
    });
  }
  if (caps.checkpoints) {
    blocks.push(
      textInput(B.checkpoints, 'Checkpoints to keep', '1', hp?.nCheckpoints?.toString(), {
        hint: `Intermediate models saved along the way, ${CHECKPOINTS.min}–${CHECKPOINTS.max}; the last is the result.`,
      }),
    );
  }
  if (caps.evaluations) {
    blocks.push(
      textInput(B.evaluations, 'Evaluations', '0', hp?.nEvals?.toString(), {
        hint: 'How often the validation file is scored; each pass is billed as its tokens.',
      }),
    );
  }
  return blocks;
}

/** The values of adapterInputs; null when one is wrong (its message is in `errors`). */
export function parseAdapterKnobs(
  form: ReturnType<typeof readForm>,
  caps: ProviderCapabilities,
  hasValidationFile: boolean,
  errors: Record<string, string>,
): Partial<Hyperparameters> | null {
  const value = (block: string) => (form.get(block, FIELD)?.value ?? '').trim().toLowerCase();
  const out: Partial<Hyperparameters> = {};
  let ok = true;
  if (caps.learningRate === 'absolute') {
    const text = value(B.learningRate);
    if (text !== '' && text !== 'auto') {
      const n = Number(text);
      if (
        text.length > 32 ||
        !/^\d*\.?\d+(e-?\d+)?$/.test(text) ||
        !(n >= LEARNING_RATE.min && n <= LEARNING_RATE.max)
      ) {
        errors[B.learningRate] = ADAPTER_ERRORS.learningRate;
        ok = false;
      } else out.learningRate = n;
    }
  }
  if (caps.adapter) {
    const picked = form.get(B.adapter, FIELD)?.selected_option?.value ?? String(caps.adapter.ranks[0]);
    if (picked === FULL && caps.adapter.full) out.tuning = 'full';
    else if (caps.adapter.ranks.map(String).includes(picked)) {
      out.tuning = 'lora';
      out.loraRank = Number(picked);
    } else {
      errors[B.adapter] = ADAPTER_ERRORS.adapter;
      ok = false;
    }
  }
  if (caps.checkpoints) {
    const n = wholeIn(value(B.checkpoints), CHECKPOINTS.min, CHECKPOINTS.max);
    if (n === null) {
      errors[B.checkpoints] = ADAPTER_ERRORS.checkpoints;
      ok = false;
    } else if (n !== undefined) out.nCheckpoints = n;
  }
  if (caps.evaluations) {
    const n = wholeIn(value(B.evaluations), EVALUATIONS.min, EVALUATIONS.max);
    if (n === null) {
      errors[B.evaluations] = ADAPTER_ERRORS.evaluations;
      ok = false;
    } else if (n !== undefined && n > 0 && !hasValidationFile) {
      errors[B.evaluations] = ADAPTER_ERRORS.evaluationsNeedFile;
      ok = false;
    } else if (n !== undefined) out.nEvals = n;
  }
  return ok ? out : null;
}

/**
 * Whether a validation file may be named by its id: where file ids are taken at all, and where the
 * training file must be an upload but evaluations score a file already there (Together).
 */
export function validationFileIds(caps: ProviderCapabilities): boolean {
  return caps.knobs !== 'lora' && (caps.fileIds !== false || caps.evaluations === true);
}

/** Blank: undefined (the provider's default); a whole number in range; else null. */
function wholeIn(text: string, min: number, max: number): number | undefined | null {
  if (text === '' || text === 'auto') return undefined;
  const n = Number(text);
  return /^\d{1,4}$/.test(text) && n >= min && n <= max ? n : null;
}

export function numberText(value: number | 'auto' | undefined): string | undefined {
  return typeof value === 'number' ? String(value) : undefined;
}

/** An optional one-line text input of the start form. */
export function textInput(
  blockId: string,
  label: string,
  placeholder: string,
  initial: string | undefined,
  opts: { hint?: string; maxLength?: number } = {},
): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    label: plain(label, 2000),
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: FIELD,
      placeholder: plain(placeholder, 150),
      ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
      ...(initial ? { initial_value: initial } : {}),
    },
  };
}

/** The hosted knobs in one line, for the job message and the review: what each provider was asked. */
export function hostedKnobWords(method: 'supervised' | 'dpo', hp: Hyperparameters): string {
  const parts = [method === 'dpo' ? 'DPO' : 'Supervised'];
  if (hp.tuning === 'full') parts.push('full fine-tuning');
  else if (hp.loraRank !== undefined) parts.push(`LoRA rank ${hp.loraRank}`);
  parts.push(`epochs ${hp.nEpochs}`, `batch ${hp.batchSize}`);
  if (hp.learningRate !== undefined) parts.push(`LR ${hp.learningRate}`);
  else if (hp.learningRateMultiplier !== 'auto' || hp.tuning === undefined)
    parts.push(`LR × ${hp.learningRateMultiplier}`);
  if (hp.nCheckpoints !== undefined) parts.push(`${hp.nCheckpoints} checkpoint${hp.nCheckpoints === 1 ? '' : 's'}`);
  if (hp.nEvals) parts.push(`${hp.nEvals} evaluation${hp.nEvals === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
