import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import type { CostOption } from '../../src/cost/estimate.ts';
import { compareCosts } from '../../src/reports/cost-comparison.ts';
import { buildCostMessage } from '../../src/slack/cost-message.ts';
import { checkMessage } from '../support/slack-limits.ts';

const options: CostOption[] = [
  { provider: 'azure', tier: 'global', model: 'gpt-4.1-mini-2025-04-14' },
  { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14' },
  { provider: 'together', model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference', paramsB: 8 },
  { provider: 'gpu', gpu: 'A100-80GB', method: 'lora', modelParamsB: 8 },
];

function message(prices = CATALOGUE) {
  const { chart: _chart, ...c } = compareCosts(
    { trainingTokens: 1e6, epochs: 2, monthlyInputTokens: 3e6, monthlyOutputTokens: 1e6, options },
    prices,
    new Date('2026-12-01T00:00:00Z'),
  );
  return buildCostMessage({ ...c, userId: 'U1' });
}

describe('the cost comparison message', () => {
  it('marks the Azure figure that rests on a placeholder, next to the number, and says what the mark means', () => {
    const m = message();
    expect(checkMessage(m)).toEqual([]);
    const text = JSON.stringify(m.blocks);
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Global\) +≈ \$0\.80 \(placeholder rate\)/);
    expect(text).toMatch(/OpenAI gpt-4\.1-mini +\$10\.00 /);
    expect(text).toContain(
      "(placeholder rate): not a published price. Azure's Retail Prices feed had no figure for it",
    );
    expect(text).toMatch(
      /Together Meta-Llama-3\.1-8B-Instruct-Reference \(LoRA\) +\$0\.96 +not priced +\$0\.96 \+ serving/,
    );
    expect(text).toContain('*Together Meta-Llama-3.1-8B-Instruct-Reference (LoRA)*: serving not priced');
  });

  it('drops the mark once the rate is a real one', () => {
    const prices = structuredClone(CATALOGUE);
    const training = prices.azure.models['gpt-4.1-mini-2025-04-14']?.training;
    if (training) training.placeholder = ['standard', 'developer'];
    const text = JSON.stringify(message(prices).blocks);
    expect(text).not.toContain('placeholder rate');
  });
});
