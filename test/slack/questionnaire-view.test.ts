import { describe, expect, it } from 'vitest';
import { parseAnswers, QUESTIONS } from '../../src/advisor/questionnaire.ts';
import {
  ADVISE_CALLBACK_ID,
  ANSWER_ACTION_ID,
  buildQuestionnaireView,
  decodeAdviseMetadata,
  readQuestionnaireState,
} from '../../src/slack/questionnaire-view.ts';
import { checkView } from '../support/slack-limits.ts';

describe('the questionnaire modal', () => {
  const view = buildQuestionnaireView({ channelId: 'C0CHAN' });

  it('is a valid modal within Slack limits', () => {
    expect(checkView(view)).toEqual([]);
    expect(view.callback_id).toBe(ADVISE_CALLBACK_ID);
    expect(view.title.text).toBe('Should we fine-tune?');
  });

  it('asks every question as an input block named after it, so errors land on the right field', () => {
    const inputs = view.blocks.filter((b) => b.type === 'input');
    expect(inputs.map((b) => b.block_id)).toEqual(QUESTIONS.map((q) => q.id));
    expect(inputs.find((b) => b.block_id === 'tried')).toMatchObject({
      optional: true,
      element: { type: 'checkboxes' },
    });
    expect(inputs.find((b) => b.block_id === 'latency')).toMatchObject({
      optional: false,
      element: { type: 'radio_buttons' },
    });
  });

  it('carries the channel in private_metadata and reads it back; anything else is ignored', () => {
    expect(decodeAdviseMetadata(view.private_metadata)).toEqual({ channelId: 'C0CHAN' });
    expect(decodeAdviseMetadata(undefined)).toBeUndefined();
    expect(decodeAdviseMetadata('{"v":1,"channel":"<script>"}')).toBeUndefined();
    expect(decodeAdviseMetadata('not json')).toBeUndefined();
  });

  it('pre-fills answers when given them', () => {
    const prefilled = buildQuestionnaireView(
      { channelId: 'C1' },
      { useCase: 'Triage', latency: 'strict', tried: ['rag'] },
    );
    const byId = Object.fromEntries(prefilled.blocks.map((b) => [b.block_id, b]));
    expect(byId.useCase).toMatchObject({ element: { initial_value: 'Triage' } });
    expect(byId.latency).toMatchObject({ element: { initial_option: { value: 'strict' } } });
    expect(byId.tried).toMatchObject({ element: { initial_options: [{ value: 'rag' }] } });
    expect(checkView(prefilled)).toEqual([]);
  });

  it('reads a submitted state back into answers that parse', () => {
    const a = ANSWER_ACTION_ID;
    const raw = readQuestionnaireState({
      useCase: { [a]: { type: 'plain_text_input', value: 'Triage' } },
      taskType: {
        [a]: {
          type: 'static_select',
          selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'classification' },
        },
      },
      examples: { [a]: { type: 'plain_text_input', value: '2k' } },
      dataVolume: {
        [a]: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'medium' } },
      },
      specialization: {
        [a]: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'low' } },
      },
      latency: {
        [a]: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'strict' } },
      },
      sensitivity: {
        [a]: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'public' } },
      },
      monthlyTokens: { [a]: { type: 'plain_text_input', value: '0' } },
      tried: { [a]: { type: 'checkboxes', selected_options: [] } },
      knowledgeChange: {
        [a]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'monthly' } },
      },
    });
    expect(raw.tried).toEqual([]);
    expect(parseAnswers(raw)).toMatchObject({ ok: true, answers: { examples: 2000, latency: 'strict', tried: [] } });
  });

  it('leaves out an answer whose state is not what Slack sends, so it is asked for again', () => {
    const a = ANSWER_ACTION_ID;
    const raw = readQuestionnaireState({
      useCase: { [a]: { type: 'plain_text_input', value: 42 } },
      examples: { [a]: { type: 'plain_text_input', value: { n: 1 } } },
      latency: { [a]: { type: 'radio_buttons', selected_option: { value: ['strict'] } } },
      tried: { [a]: { type: 'checkboxes', selected_options: 'rag' } },
      constructor: { [a]: { type: 'plain_text_input', value: 'x' } },
    });
    expect(raw).toEqual({});
    expect(readQuestionnaireState(null)).toEqual({});
    expect(readQuestionnaireState([])).toEqual({});
    const parsed = parseAnswers(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.useCase).toBe('Give the use case a short name.');
  });
});
