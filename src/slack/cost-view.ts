import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

import { formatTokens } from '../advisor/providers.ts';
import { parseAmount } from '../advisor/questionnaire.ts';
import type { Catalogue } from '../cost/catalogue.ts';
import type { CostOption } from '../cost/estimate.ts';
import { DEFAULT_INPUT_SHARE as INPUT_SHARE } from '../cost/monthly.ts';
import { DEFAULT_MODEL, findModel } from '../data/models.ts';
import {
  type CostPrefill,
  DEFAULT_SELF_HOSTED_B,
  decodeOption,
  encodeOption,
  offeredOptions,
} from '../reports/cost-options.ts';
import { type ChannelMetadata, encodeChannelMetadata } from './channel-metadata.ts';
import { flagUnreadable, readForm } from './payloads.ts';
import { escapeMrkdwn, mrkdwn, plain } from './text.ts';
import { FIELD_ACTION_ID, modelOptions, parseEpochs, type SlackFileRef } from './validate-view.ts';

export const COST_CALLBACK_ID = 'estimate_cost';

export function buildCostView(meta: ChannelMetadata, catalogue: Catalogue, prefill: CostPrefill = {}): ModalView {
  const offered = offeredOptions(catalogue).map((o) => ({ text: plain(o.label, 75), value: o.value }));
  const initial = (prefill.options ?? [])
    .map((o) => offered.find((x) => x.value === encodeOption(o)))
    .filter((o) => o !== undefined);
  const models = modelOptions();
  const text = (value: number | undefined) => (value !== undefined ? { initial_value: formatTokens(value) } : {});
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        'Compare what training and a month of serving would cost on each option. Give the training tokens, or ' +
          'upload the training file and I will count them.',
      ),
    },
    {
      type: 'input',
      block_id: 'trainingTokens',
      optional: true,
      label: plain('Training tokens (one epoch)'),
      hint: plain('For example 2M. Leave blank when you upload the file below.'),
      element: {
        type: 'plain_text_input',
        action_id: FIELD_ACTION_ID,
        placeholder: plain('2M'),
        ...text(prefill.trainingTokens),
      },
    },
    {
      type: 'input',
      block_id: 'file',
      optional: true,
      label: plain('…or the training file (JSONL)'),
      element: { type: 'file_input', action_id: FIELD_ACTION_ID, filetypes: ['jsonl', 'json', 'txt'], max_files: 1 },
    },
    {
      type: 'input',
      block_id: 'model',
      label: plain('Model to count tokens with'),
      element: {
        type: 'static_select',
        action_id: FIELD_ACTION_ID,
        options: models,
        initial_option: models.find((o) => o.value === (prefill.model ?? DEFAULT_MODEL)) ?? models[0],
      },
    },
    {
      type: 'input',
      block_id: 'epochs',
      optional: true,
      label: plain('Epochs'),
      hint: plain('Blank: 3, or the auto estimate when you upload a file.'),
      element: {
        type: 'plain_text_input',
        action_id: FIELD_ACTION_ID,
        placeholder: plain('3'),
        ...(prefill.epochs ? { initial_value: String(prefill.epochs) } : {}),
      },
    },
    {
      type: 'input',
      block_id: 'monthlyTokens',
      label: plain('Inference tokens per month'),
      hint: plain(`Input and output together; I assume ${INPUT_SHARE * 100}% are input. For example 50M.`),
      element: {
        type: 'plain_text_input',
        action_id: FIELD_ACTION_ID,
        placeholder: plain('50M'),
        ...text(prefill.monthlyTokens),
      },
    },
    {
      type: 'input',
      block_id: 'options',
      label: plain('Options to compare'),
      element: {
        type: 'multi_static_select',
        action_id: FIELD_ACTION_ID,
        placeholder: plain('Choose up to 8'),
        max_selected_items: 8,
        options: offered,
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    },
    {
      type: 'input',
      block_id: 'modelParamsB',
      optional: true,
      label: plain('Self-hosted model size (billions of parameters)'),
      hint: plain(`Used for the GPU options. Blank: ${DEFAULT_SELF_HOSTED_B} (a Llama 3.1 8B class model).`),
      element: {
        type: 'plain_text_input',
        action_id: FIELD_ACTION_ID,
        placeholder: plain(String(DEFAULT_SELF_HOSTED_B)),
        ...(prefill.modelParamsB ? { initial_value: String(prefill.modelParamsB) } : {}),
      },
    },
  ];
  if (prefill.note) blocks.splice(1, 0, { type: 'context', elements: [mrkdwn(escapeMrkdwn(prefill.note))] });
  return {
    type: 'modal',
    callback_id: COST_CALLBACK_ID,
    title: plain('Estimate the cost', 24),
    submit: plain('Compare', 24),
    close: plain('Cancel', 24),
    private_metadata: encodeChannelMetadata(meta),
    blocks,
  };
}

export interface CostRequest {
  trainingTokens?: number;
  file?: SlackFileRef;
  model: string;
  epochs: number | 'auto';
  monthlyInputTokens: number;
  monthlyOutputTokens: number;
  options: CostOption[];
  modelParamsB: number;
}

function tokens(raw: string | null | undefined, max: number): number | undefined | { error: string } {
  const text = (raw ?? '').trim();
  if (text === '') return undefined;
  if (text.startsWith('-')) return { error: 'Use a number of zero or more.' };
  const n = parseAmount(text);
  if (n === undefined) return { error: `"${text.slice(0, 40)}" is not a number. Try 2M or 500k.` };
  if (n > max) return { error: `That is more than ${formatTokens(max)}; check the number.` };
  return Math.round(n);
}

/** Reads the cost modal; errors are keyed by block for `response_action: errors`. */
export function readCostSubmission(
  values: unknown,
  maxFileBytes: number,
): { ok: true; request: CostRequest } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const form = readForm(values);
  const get = (block: string) => form.get(block, FIELD_ACTION_ID);

  const training = tokens(get('trainingTokens')?.value, 1e12);
  if (typeof training === 'object') errors.trainingTokens = training.error;
  const uploaded = get('file')?.files?.[0];
  if (uploaded && typeof uploaded.size === 'number' && uploaded.size > maxFileBytes) {
    errors.file = `That file is larger than the ${Math.round(maxFileBytes / 1024 / 1024)} MB limit here.`;
  }
  if (training === undefined && !uploaded)
    errors.trainingTokens = 'Give the training tokens, or upload the file below.';
  if (training === 0) errors.trainingTokens = 'Training tokens must be more than zero.';

  const model = findModel(get('model')?.selected_option?.value ?? '');
  if (!model) errors.model = 'Choose a model from the list.';
  const epochs = parseEpochs(get('epochs')?.value);
  if (typeof epochs === 'object') errors.epochs = epochs.error;

  const monthly = tokens(get('monthlyTokens')?.value, 1e13);
  if (monthly === undefined) errors.monthlyTokens = 'Give the monthly inference tokens; 0 is fine.';
  else if (typeof monthly === 'object') errors.monthlyTokens = monthly.error;

  const sizeRaw = (get('modelParamsB')?.value ?? '').trim();
  const modelParamsB = sizeRaw === '' ? DEFAULT_SELF_HOSTED_B : Number(sizeRaw);
  if (!Number.isFinite(modelParamsB) || modelParamsB <= 0 || modelParamsB > 2000) {
    errors.modelParamsB = 'Give the size in billions of parameters, e.g. 8 or 70.';
  }

  const selected = get('options')?.selected_options ?? [];
  const options = selected.map((o) => decodeOption(o.value ?? '', modelParamsB)).filter((o) => o !== undefined);
  if (options.length === 0) errors.options = 'Choose at least one option to compare.';

  flagUnreadable(form, errors);
  if (Object.keys(errors).length > 0 || !model || typeof epochs === 'object' || typeof monthly !== 'number') {
    return { ok: false, errors };
  }
  return {
    ok: true,
    request: {
      ...(typeof training === 'number' ? { trainingTokens: training } : {}),
      ...(uploaded?.id && uploaded.url_private_download
        ? {
            file: {
              id: uploaded.id,
              name: uploaded.name ?? 'training.jsonl',
              size: uploaded.size ?? 0,
              url: uploaded.url_private_download,
            },
          }
        : {}),
      model: model.id,
      epochs: epochs === 'auto' && typeof training === 'number' ? 3 : epochs,
      monthlyInputTokens: Math.round(monthly * INPUT_SHARE),
      monthlyOutputTokens: monthly - Math.round(monthly * INPUT_SHARE),
      options,
      modelParamsB,
    },
  };
}
