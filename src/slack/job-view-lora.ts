import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;
type PlainTextOption = types.PlainTextOption;

import type { LoraSettings } from '../providers/types.ts';
import { hostWords, type JobHostChoice, type JobProviderChoice } from './job-choice.ts';
import { AUTO_HOST, JOB_START_BLOCKS as B, JOB_FIELD_ACTION_ID as FIELD } from './job-ids.ts';
import {
  LORA_DEFAULTS,
  LORA_METHODS,
  LORA_NUMBER_FIELDS,
  LORA_TARGETS,
  numberWords,
  parseLoraNumber,
  rangeError,
} from './lora-settings.ts';
import type { FormFields } from './payloads.ts';
import { plain } from './text.ts';

/**
 * The job form's part for providers that run our LoRA trainer on their hosts (capabilities
 * `knobs: 'lora'`, `baseModel: 'free'`, `hosts`): the host, the base model typed, the LoRA settings.
 * Rendered and read here; job-view.ts and job-view-parse.ts call in when the capabilities say so.
 */

const AUTO_LABEL = 'Auto (a free host)';
/** A static select holds 100 options; one is auto. */
const MAX_HOSTS = 99;

export const HOST_ERRORS = {
  gone: (name: string) => `${name.slice(0, 63)} is not one of the hosts configured here; choose another, or auto.`,
} as const;

/** The host select: auto first, then each configured host with its GPUs. */
export function hostInput(choice: JobProviderChoice, prefill: string | undefined): KnownBlock {
  const hosts = (choice.hosts ?? []).slice(0, MAX_HOSTS);
  const options: PlainTextOption[] = [
    { text: plain(AUTO_LABEL, 75), value: AUTO_HOST },
    ...hosts.map((h) => ({ text: plain(hostWords(h), 75), value: h.name })),
  ];
  return {
    type: 'input',
    block_id: B.host,
    label: plain('Host'),
    hint: plain(
      hosts.length > 0
        ? 'Auto picks a host with a free slot and enough GPU memory when the job starts. The review checks the host first.'
        : 'The job goes to a host with a free slot and enough GPU memory. The review checks it first.',
    ),
    element: {
      type: 'static_select',
      action_id: FIELD,
      options,
      initial_option: options.find((o) => o.value === prefill) ?? options[0],
    },
  };
}

/** The base model, typed: the provider's models are only suggestions. */
export function baseModelInput(choice: JobProviderChoice, prefill: string | undefined): KnownBlock {
  const suggested = choice.models.slice(0, 5).map((m) => m.id);
  const initial = prefill ?? suggested[0];
  return {
    type: 'input',
    block_id: B.baseModel,
    label: plain('Base model'),
    hint: plain(
      'A Hugging Face id (owner/name) or an absolute model folder on the host.' +
        (suggested.length > 0 ? ` Suggested: ${suggested.join(', ')}.` : ''),
      2000,
    ),
    element: {
      type: 'plain_text_input',
      action_id: FIELD,
      max_length: 512,
      placeholder: plain(suggested[0] ?? 'meta-llama/Llama-3.1-8B-Instruct', 150),
      ...(initial ? { initial_value: initial } : {}),
    },
  };
}

function radio(
  blockId: string,
  label: string,
  choices: readonly { value: string; label: string; hint: string }[],
  selected: string,
): KnownBlock {
  const options = choices.map((c) => ({ text: plain(c.label, 75), description: plain(c.hint, 75), value: c.value }));
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element: {
      type: 'radio_buttons',
      action_id: FIELD,
      options,
      initial_option: options.find((o) => o.value === selected) ?? options[0],
    },
  };
}

/** Method, target modules, the numbers (pre-filled; blank means spec.py's default) and packing. */
export function loraInputs(prefill: LoraSettings | undefined): KnownBlock[] {
  const lora = prefill ?? LORA_DEFAULTS;
  const numbers: KnownBlock[] = LORA_NUMBER_FIELDS.map((f) => ({
    type: 'input',
    block_id: f.block,
    optional: true,
    label: plain(f.label),
    hint: plain(f.hint),
    element: {
      type: 'plain_text_input',
      action_id: FIELD,
      max_length: 32,
      placeholder: plain(`${numberWords(f.default)} (default)`, 150),
      initial_value: String(lora[f.key]),
    },
  }));
  const packing = {
    text: plain('Pack short examples together', 75),
    description: plain('Several examples per sequence: faster; attention stays per example.', 75),
    value: 'packing',
  };
  return [
    radio(B.loraMethod, 'Method', LORA_METHODS, lora.method),
    radio(B.loraTargets, 'LoRA target modules', LORA_TARGETS, lora.targetModules),
    ...numbers,
    {
      type: 'input',
      block_id: B.loraPacking,
      optional: true,
      label: plain('Packing'),
      element: {
        type: 'checkboxes',
        action_id: FIELD,
        options: [packing],
        ...(lora.packing ? { initial_options: [packing] } : {}),
      },
    },
  ];
}

/** The host asked for: undefined for auto, null when it is not one offered (an error is set). */
export function parseHost(
  form: FormFields,
  hosts: readonly JobHostChoice[] | undefined,
  errors: Record<string, string>,
): string | undefined | null {
  const value = form.get(B.host, FIELD)?.selected_option?.value;
  if (value === undefined || value === AUTO_HOST) return undefined;
  if ((hosts ?? []).some((h) => h.name === value)) return value;
  errors[B.host] = HOST_ERRORS.gone(value);
  return null;
}

/** The LoRA settings, or null with one error per bad field. */
export function parseLora(form: FormFields, errors: Record<string, string>): LoraSettings | null {
  let ok = true;
  const choice = <T extends string>(block: string, allowed: readonly { value: T }[], fallback: T, what: string): T => {
    const value = form.get(block, FIELD)?.selected_option?.value;
    if (value === undefined) return fallback;
    const found = allowed.find((a) => a.value === value);
    if (found) return found.value;
    ok = false;
    errors[block] = `Choose ${what}.`;
    return fallback;
  };
  const method = choice(B.loraMethod, LORA_METHODS, LORA_DEFAULTS.method, 'LoRA or QLoRA');
  const targetModules = choice(
    B.loraTargets,
    LORA_TARGETS,
    LORA_DEFAULTS.targetModules,
    'all linear layers or attention only',
  );
  const numbers: Partial<LoraSettings> = {};
  for (const f of LORA_NUMBER_FIELDS) {
    const n = parseLoraNumber(f, form.get(f.block, FIELD)?.value);
    if (n === null) {
      ok = false;
      errors[f.block] = rangeError(f);
    } else {
      numbers[f.key] = n;
    }
  }
  const packing = (form.get(B.loraPacking, FIELD)?.selected_options ?? []).some((o) => o.value === 'packing');
  if (!ok) return null;
  return { ...LORA_DEFAULTS, ...numbers, method, targetModules, packing };
}
