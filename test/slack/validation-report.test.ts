import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { validateJsonl } from '../../src/data/validate.ts';
import { trainingCostLines } from '../../src/reports/cost-options.ts';
import { buildValidationReportMessage } from '../../src/slack/validation-report.ts';
import { checkMessage } from '../support/slack-limits.ts';

async function* chunks(text: string) {
  yield new TextEncoder().encode(text);
}
const line = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `q${i}` },
      { role: 'assistant', content: `a${i}` },
    ],
  });

describe('the validation report message', () => {
  it('stays within Slack’s limits with thousands of errors of every kind and a hostile file name', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) =>
      i % 3 === 0 ? '{"messages":[{"role":"wizard","content":"x"}]}' : i % 3 === 1 ? '{"prompt": 3}' : 'nope',
    );
    const report = await validateJsonl(chunks(lines.join('\n')), { model: 'gpt-4.1-mini' });
    const message = buildValidationReportMessage({
      fileName: `<!channel> ${'x'.repeat(400)}.jsonl`,
      userId: 'U1',
      report,
      costs: [],
    });
    expect(checkMessage(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('…and');
    // Plain text (the header) cannot mention anyone; the mrkdwn parts and the notification text must not.
    const mrkdwnParts = JSON.stringify(message.blocks.filter((b) => b.type !== 'header'));
    expect(mrkdwnParts + message.text).not.toContain('<!channel>');
  });

  it('shows stats, billable tokens and the training cost of a good file', async () => {
    const report = await validateJsonl(chunks(Array.from({ length: 60 }, (_, i) => line(i)).join('\n')), {
      model: 'gpt-4.1-mini',
      epochs: 2,
    });
    const message = buildValidationReportMessage({
      fileName: 'good.jsonl',
      userId: 'U1',
      report,
      costs: [{ label: 'OpenAI gpt-4.1-mini', usd: 0.004 }],
      pricesAsOf: '2026-08-21',
    });
    expect(checkMessage(message)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(':white_check_mark: good.jsonl is ready to train');
    expect(text).toContain('*Epochs*\\n2');
    expect(text).toContain('< $0.01');
    expect(text).toContain('prices as of 2026-08-21');
  });

  it('says next to an Azure training cost that it rests on a placeholder rate', async () => {
    const report = await validateJsonl(chunks(Array.from({ length: 60 }, (_, i) => line(i)).join('\n')), {
      model: 'gpt-4.1-mini',
      epochs: 2,
    });
    const costs = trainingCostLines(report, CATALOGUE, new Date('2026-12-01T00:00:00Z')).lines;
    expect(costs.find((c) => c.label === 'Azure gpt-4.1-mini (Global)')).toMatchObject({ placeholder: true });
    expect(costs.find((c) => c.label === 'OpenAI gpt-4.1-mini')?.placeholder).toBeUndefined();
    const message = buildValidationReportMessage({ fileName: 'good.jsonl', userId: 'U1', report, costs });
    expect(checkMessage(message)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Global\) +≈ \$0\.00 \(placeholder rate\)/);
    expect(text).toMatch(/OpenAI gpt-4\.1-mini +\$0\.01\\n/);
    expect(text).toContain('Together Meta-Llama-3.1-8B-Instruct-Reference (LoRA)');
    expect(text).toContain('(placeholder rate): Azure publishes no rate for it in its Retail Prices feed');
  });

  it('says why a file that is not JSONL could not be read, and heads a DM with its note', async () => {
    const report = await validateJsonl(chunks('[{"messages": []}, {"messages": []}]'), { model: 'gpt-4.1-mini' });
    const message = buildValidationReportMessage(
      { fileName: 'array.json', userId: 'U1', report, costs: [] },
      'Sent privately.',
    );
    expect(message.blocks[0]).toMatchObject({ type: 'context' });
    expect(JSON.stringify(message.blocks)).toContain('could not be read as training data');
  });
});
