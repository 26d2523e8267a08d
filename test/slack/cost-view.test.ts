import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { compareCosts } from '../../src/reports/cost-comparison.ts';
import { defaultOptions, offeredOptions } from '../../src/reports/cost-options.ts';
import { buildCostMessage } from '../../src/slack/cost-message.ts';
import { buildCostView, readCostSubmission } from '../../src/slack/cost-view.ts';
import { buildValidateView, readValidateSubmission } from '../../src/slack/validate-view.ts';
import { checkMessage, checkView } from '../support/slack-limits.ts';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('the cost modal', () => {
  it('offers every priced option within Slack’s limits, and pre-fills from advice', () => {
    expect(offeredOptions(CATALOGUE).length).toBeGreaterThan(10);
    const view = buildCostView({ channelId: 'C1' }, CATALOGUE, {
      trainingTokens: 150_000,
      monthlyTokens: 2_000_000,
      options: defaultOptions('gpt-4.1-mini-2025-04-14', CATALOGUE),
      note: 'Pre-filled from “x”',
    });
    expect(checkView(view)).toEqual([]);
    const text = JSON.stringify(view);
    expect(text).toContain('"initial_value":"150k"');
    expect(text).toContain('"initial_options"');
  });

  it('reads a submission into the estimate’s input: 75% of the monthly volume is input', () => {
    const v = (value: string) => ({ value: { type: 'plain_text_input', value } });
    const parsed = readCostSubmission(
      {
        trainingTokens: v('1.5M'),
        model: { value: { type: 'static_select', selected_option: { value: 'gpt-4.1-mini-2025-04-14' } } },
        epochs: v('4'),
        monthlyTokens: v('10M'),
        options: { value: { type: 'multi_static_select', selected_options: [{ value: 'gpu|H100-80GB|qlora' }] } },
        modelParamsB: v('70'),
      } as never,
      1e9,
    );
    expect(parsed).toEqual({
      ok: true,
      request: {
        trainingTokens: 1_500_000,
        model: 'gpt-4.1-mini-2025-04-14',
        epochs: 4,
        monthlyInputTokens: 7_500_000,
        monthlyOutputTokens: 2_500_000,
        options: [{ provider: 'gpu', gpu: 'H100-80GB', method: 'qlora', modelParamsB: 70 }],
        modelParamsB: 70,
      },
    });
  });
  it('answers a field whose state is not what Slack sends with a field error, not a throw', () => {
    const parsed = readCostSubmission(
      {
        trainingTokens: { value: { type: 'plain_text_input', value: 2_000_000 } },
        model: { value: { type: 'static_select', selected_option: { value: 'gpt-4.1-mini-2025-04-14' } } },
        monthlyTokens: { value: { type: 'plain_text_input', value: ['10M'] } },
        options: { value: { type: 'multi_static_select', selected_options: [{ value: 'openai|constructor' }] } },
      },
      1e9,
    );
    expect(parsed).toMatchObject({
      ok: false,
      errors: {
        trainingTokens: 'This answer could not be read. Please enter it again.',
        monthlyTokens: 'This answer could not be read. Please enter it again.',
      },
    });
    expect(readCostSubmission(null, 1e9).ok).toBe(false);
  });
});

describe('the validate modal', () => {
  it('is within Slack’s limits', () => {
    expect(checkView(buildValidateView({ channelId: 'C1' }))).toEqual([]);
  });

  it('reads typed values only: a number, a megabyte name or a forged file are field errors', () => {
    const model = { value: { type: 'static_select', selected_option: { value: 'gpt-4.1-mini-2025-04-14' } } };
    const file = (f: unknown) => ({ value: { type: 'file_input', files: [f] } });
    expect(
      readValidateSubmission(
        {
          model,
          file: file({ id: 'F1', url_private_download: 'u', name: 'a.csv' }),
          epochs: { value: { type: 'plain_text_input', value: 3 } },
        },
        1e9,
      ),
    ).toEqual({
      ok: false,
      errors: { file: expect.any(String), epochs: 'This answer could not be read. Please enter it again.' },
    });
    const long = readValidateSubmission(
      { model, file: file({ id: 'F1', url_private_download: 'u', name: `${'n'.repeat(900)}.csv` }) },
      1e9,
    );
    expect(long.ok === false && long.errors.file?.length).toBeLessThan(200);
    expect(readValidateSubmission({ model, file: file({ id: 5 }) }, 1e9)).toEqual({
      ok: false,
      errors: { file: 'This answer could not be read. Please enter it again.' },
    });
  });
});

describe('the cost message', () => {
  it('stays within limits comparing eight options', () => {
    const options = offeredOptions(CATALOGUE)
      .slice(0, 8)
      .map((o) => o.value);
    const comparison = compareCosts(
      {
        trainingTokens: 2e6,
        epochs: 3,
        monthlyInputTokens: 3e7,
        monthlyOutputTokens: 1e7,
        options: defaultOptions('gpt-4.1-2025-04-14', CATALOGUE).concat(
          options.length > 0 ? defaultOptions('gpt-4.1-mini-2025-04-14', CATALOGUE) : [],
        ),
      },
      CATALOGUE,
      NOW,
    );
    const message = buildCostMessage({ ...comparison, userId: 'U1' });
    expect(checkMessage(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('Break-even');
  });
});
