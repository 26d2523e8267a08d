import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

import { DEFAULT_MODEL, findModel, TUNABLE_MODELS } from '../data/models.ts';
import { type ChannelMetadata, encodeChannelMetadata } from './channel-metadata.ts';
import { flagUnreadable, readForm } from './payloads.ts';
import { mrkdwn, plain } from './text.ts';

export const VALIDATE_CALLBACK_ID = 'validate_file';
export const FIELD_ACTION_ID = 'value';

/** Extensions we read as JSON Lines; anything else is refused before a byte is downloaded. */
const TEXT_EXTENSIONS = ['jsonl', 'json', 'txt'];

export function modelOptions(): types.PlainTextOption[] {
  return TUNABLE_MODELS.map((m) => ({
    text: plain(`${m.id} (${m.providers.map((p) => (p === 'openai' ? 'OpenAI' : 'Azure')).join(', ')})`, 75),
    value: m.id,
  }));
}

export function buildValidateView(meta: ChannelMetadata, initialModel = DEFAULT_MODEL): ModalView {
  const models = modelOptions();
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        'Upload a JSONL training file and I will check every line the way OpenAI and Azure do, count the tokens ' +
          'with the model’s tokenizer, and post a report here with what training would cost.',
      ),
    },
    {
      type: 'input',
      block_id: 'file',
      label: plain('Training file (JSONL)'),
      hint: plain(
        'One example per line. Slack takes files up to 10 MB here; for bigger ones run `npx finetune-bot validate FILE`.',
      ),
      element: { type: 'file_input', action_id: FIELD_ACTION_ID, filetypes: TEXT_EXTENSIONS, max_files: 1 },
    },
    {
      type: 'input',
      block_id: 'model',
      label: plain('Base model'),
      hint: plain('Decides the tokenizer and the per-example token limit.'),
      element: {
        type: 'static_select',
        action_id: FIELD_ACTION_ID,
        options: models,
        initial_option: models.find((o) => o.value === initialModel) ?? models[0],
      },
    },
    {
      type: 'input',
      block_id: 'epochs',
      optional: true,
      label: plain('Epochs'),
      hint: plain('Leave blank for auto: the provider picks from the number of examples.'),
      element: { type: 'plain_text_input', action_id: FIELD_ACTION_ID, placeholder: plain('auto') },
    },
  ];
  return {
    type: 'modal',
    callback_id: VALIDATE_CALLBACK_ID,
    title: plain('Check training data', 24),
    submit: plain('Check file', 24),
    close: plain('Cancel', 24),
    private_metadata: encodeChannelMetadata(meta),
    blocks,
  };
}

export interface SlackFileRef {
  id: string;
  name: string;
  size: number;
  url: string;
}

export type ValidateSubmission =
  | { ok: true; file: SlackFileRef; model: string; epochs: number | 'auto' }
  | { ok: false; errors: Record<string, string> };

/** The providers' own range for n_epochs; the job form and the review step hold to it too. */
export const EPOCHS = { min: 1, max: 50 } as const;

export function parseEpochs(raw: string | undefined | null): number | 'auto' | { error: string } {
  const text = (raw ?? '').trim().toLowerCase();
  if (text === '' || text === 'auto') return 'auto';
  const n = Number(text);
  if (!/^\d{1,6}$/.test(text) || n < EPOCHS.min || n > EPOCHS.max)
    return { error: `Epochs is a whole number from ${EPOCHS.min} to ${EPOCHS.max}, or blank for auto.` };
  return n;
}

/** A file name as a field error quotes it: Slack caps the error text, and a name can be long. */
export function shortName(name: string | undefined): string {
  const text = name ?? '';
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

/** Reads and checks the submitted modal; errors are keyed by block for `response_action: errors`. */
export function readValidateSubmission(values: unknown, maxFileBytes: number): ValidateSubmission {
  const errors: Record<string, string> = {};
  const form = readForm(values);
  const file = form.get('file', FIELD_ACTION_ID)?.files?.[0];
  if (!file?.id || !file.url_private_download) {
    errors.file = 'Attach one JSONL file.';
  } else {
    const extension = (file.name ?? '').split('.').pop()?.toLowerCase() ?? '';
    if (!TEXT_EXTENSIONS.includes(extension)) {
      errors.file = `“${shortName(file.name)}” is not a JSON Lines file; I read .jsonl (one JSON example per line).`;
    } else if (typeof file.size === 'number' && file.size > maxFileBytes) {
      errors.file = `That file is ${formatMb(file.size)}; the limit here is ${formatMb(maxFileBytes)}.`;
    }
  }
  const modelId = form.get('model', FIELD_ACTION_ID)?.selected_option?.value ?? '';
  const model = findModel(modelId);
  if (!model) errors.model = 'Choose a base model from the list.';
  const epochs = parseEpochs(form.get('epochs', FIELD_ACTION_ID)?.value);
  if (typeof epochs === 'object') errors.epochs = epochs.error;

  flagUnreadable(form, errors);
  if (Object.keys(errors).length > 0 || !file || !model || typeof epochs === 'object') return { ok: false, errors };
  return {
    ok: true,
    file: {
      id: file.id ?? '',
      name: file.name ?? 'training.jsonl',
      size: file.size ?? 0,
      url: file.url_private_download ?? '',
    },
    model: model.id,
    epochs,
  };
}
