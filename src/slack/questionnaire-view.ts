import type { types } from '@slack/bolt';

type InputBlock = types.InputBlock;
type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;
type PlainTextOption = types.PlainTextOption;

import {
  type Answers,
  type ChoiceQuestion,
  QUESTIONS,
  type Question,
  type RawAnswers,
} from '../advisor/questionnaire.ts';
import { type ChannelMetadata, decodeChannelMetadata, encodeChannelMetadata } from './channel-metadata.ts';
import { readForm } from './payloads.ts';
import { mrkdwn, plain } from './text.ts';

export const ADVISE_CALLBACK_ID = 'advise_questionnaire';
/** Every input's action_id; the block_id is the question id, so errors land on the right field. */
export const ANSWER_ACTION_ID = 'answer';

export type AdviseMetadata = ChannelMetadata;
export const encodeAdviseMetadata = encodeChannelMetadata;
export const decodeAdviseMetadata = decodeChannelMetadata;

function option(value: string, label: string): PlainTextOption {
  return { text: plain(label, 75), value };
}

function options(q: ChoiceQuestion): PlainTextOption[] {
  return Object.entries(q.options).map(([value, label]) => option(value, label));
}

function element(q: Question, initial: unknown): InputBlock['element'] {
  switch (q.kind) {
    case 'text':
    case 'number':
      return {
        type: 'plain_text_input',
        action_id: ANSWER_ACTION_ID,
        placeholder: plain(q.placeholder, 150),
        ...(q.kind === 'text' ? { max_length: q.maxLength } : {}),
        ...(initial !== undefined ? { initial_value: String(initial) } : {}),
      };
    case 'select':
    case 'radio': {
      const opts = options(q);
      const picked = opts.find((o) => o.value === initial);
      return {
        type: q.kind === 'select' ? 'static_select' : 'radio_buttons',
        action_id: ANSWER_ACTION_ID,
        ...(q.kind === 'select' ? { placeholder: plain('Choose one') } : {}),
        options: opts,
        ...(picked ? { initial_option: picked } : {}),
      } as InputBlock['element'];
    }
    case 'checkboxes': {
      const opts = options(q);
      const picked = Array.isArray(initial) ? opts.filter((o) => initial.includes(o.value)) : [];
      return {
        type: 'checkboxes',
        action_id: ANSWER_ACTION_ID,
        options: opts,
        ...(picked.length ? { initial_options: picked } : {}),
      };
    }
  }
}

/** The whole questionnaire in one modal: ten short questions fit well under the 100-block limit. */
export function buildQuestionnaireView(meta: AdviseMetadata, initial: Partial<Answers> = {}): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        'Ten quick questions. I will post a recommendation in this channel: whether to fine-tune, why, ' +
          'what to try instead, and which provider and base model fit.',
      ),
    },
  ];
  for (const q of QUESTIONS) {
    blocks.push({
      type: 'input',
      block_id: q.id,
      label: plain(q.label, 2000),
      ...(q.hint ? { hint: plain(q.hint, 2000) } : {}),
      optional: q.optional ?? false,
      element: element(q, initial[q.id]),
    });
  }
  return {
    type: 'modal',
    callback_id: ADVISE_CALLBACK_ID,
    title: plain('Should we fine-tune?', 24),
    submit: plain('Get advice', 24),
    close: plain('Cancel', 24),
    private_metadata: encodeAdviseMetadata(meta),
    blocks,
  };
}

/**
 * The submitted state as raw answers keyed by question id, ready for parseAnswers(). An answer whose
 * state is not what Slack sends is left out, so parseAnswers() asks for it again on its field.
 */
export function readQuestionnaireState(values: unknown): RawAnswers {
  const form = readForm(values);
  const raw: RawAnswers = {};
  for (const q of QUESTIONS) {
    const state = form.get(q.id, ANSWER_ACTION_ID);
    if (!state) continue;
    if (state.selected_options) raw[q.id] = state.selected_options.map((o) => o.value);
    else if (state.selected_option) raw[q.id] = state.selected_option.value;
    else if (typeof state.value === 'string') raw[q.id] = state.value;
  }
  return raw;
}
