import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import type { CostOption } from '../../src/cost/estimate.ts';
import { compareCosts } from '../../src/reports/cost-comparison.ts';
import { encodeStartValue, type StartableOption } from '../../src/reports/cost-start.ts';
import { assumptionGroups } from '../../src/reports/cost-table.ts';
import { assumptionBlocks, buildCostMessage, START_JOB_FROM_COST_ACTION_ID } from '../../src/slack/cost-message.ts';
import { applyPricesFile } from '../support/prices.ts';
import { checkMessage } from '../support/slack-limits.ts';

const options: CostOption[] = [
  { provider: 'azure', tier: 'global', model: 'gpt-4.1-mini-2025-04-14' },
  { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14' },
  { provider: 'together', model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference', paramsB: 8 },
  { provider: 'gpu', gpu: 'A100-80GB', method: 'lora', modelParamsB: 8 },
];

const MINI = 'gpt-4.1-mini-2025-04-14';
const AZURE_DEV: CostOption = { provider: 'azure', tier: 'developer', model: MINI };

function comparison(
  list = options,
  prices = CATALOGUE,
  volumes = { monthlyInputTokens: 3e6, monthlyOutputTokens: 1e6 },
) {
  const { chart: _chart, ...c } = compareCosts(
    { trainingTokens: 1e6, epochs: 2, ...volumes, options: list },
    prices,
    new Date('2026-12-01T00:00:00Z'),
  );
  return c;
}

function message(prices = CATALOGUE) {
  return buildCostMessage({ ...comparison(options, prices), userId: 'U1' });
}

type Block = {
  type: string;
  text?: { text: string };
  elements?: Array<{ text?: string }>;
  accessory?: Record<string, unknown>;
};
const sectionTexts = (blocks: unknown[]) =>
  (blocks as Block[]).filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');
/** The assumptions' sections: the one headed "Assumptions" and those after it. */
const assumptionText = (blocks: unknown[]) => {
  const texts = sectionTexts(blocks);
  return texts.slice(texts.findIndex((t) => t.startsWith('*Assumptions*'))).join('\n');
};

/** Every option the table can hold as a startable option on a provider of its own kind. */
const everyStartable = (list: CostOption[]): StartableOption[] =>
  comparison(list).estimates.map((e) => ({
    label: e.label,
    provider: e.option.provider,
    providerLabel: `${e.option.provider} here`,
    value: encodeStartValue(e.option.provider, e.option),
  }));

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

describe('the assumptions', () => {
  it('sits each assumption under the option it belongs to', () => {
    const m = message();
    const text = sectionTexts(m.blocks).find((t) => t.startsWith('*Assumptions*')) ?? '';
    const openai = text.indexOf('*OpenAI gpt-4.1-mini*');
    const gpu = text.indexOf('*Own GPU: A100-80GB LoRA, 8B*');
    expect(openai).toBeGreaterThan(0);
    expect(gpu).toBeGreaterThan(openai);
    // OpenAI's hosting words come after its label and before the next option's.
    const noHosting = text.indexOf('No hosting fee: OpenAI charges for tokens only.');
    expect(noHosting).toBeGreaterThan(openai);
    expect(noHosting).toBeLessThan(text.indexOf('*Together Meta-Llama-3.1-8B-Instruct-Reference (LoRA)*'));
    expect(text.indexOf('Training time from the FLOPs rule')).toBeGreaterThan(gpu);
    expect(text).not.toContain('*All options*'); // these four share nothing
  });

  it('says once, as "All options", what every option assumes', () => {
    const list: CostOption[] = [
      { provider: 'azure', tier: 'global', model: MINI },
      { provider: 'azure', tier: 'standard', model: MINI },
    ];
    const m = buildCostMessage({ ...comparison(list), userId: 'U1' });
    expect(checkMessage(m)).toEqual([]);
    const text = assumptionText(m.blocks);
    expect(text).toMatch(/^\*Assumptions\*\n\*All options\*\n• Inference at the base model’s/);
    expect(text.match(/Inference at the base model’s/g)).toHaveLength(1);
    expect(text).toMatch(/\*Azure gpt-4\.1-mini \(Global\)\*\n• Training: 2M billed tokens .* the Global tier’s/);
    expect(text).toMatch(
      /\*Azure gpt-4\.1-mini \(Standard\)\*\n• Training: 2M billed tokens .* the Standard \(regional\) tier’s/,
    );
  });

  it('keeps eight long comparisons within Slack’s limits, saying how many assumptions it left out', () => {
    const gpus = ['A100-80GB', 'H100-80GB', 'L4', 'L40S', 'A10G', 'H200-141GB', 'A100-40GB'];
    const list = gpus.map((gpu): CostOption => ({ provider: 'gpu', gpu, method: 'qlora', modelParamsB: 70, mfu: 0.7 }));
    list.push({ provider: 'gpu', gpu: 'H100-80GB', method: 'lora', modelParamsB: 70, gpuCount: 2 });
    // A PRICES_FILE whose unverified GPU prices cite their sources at length: each lands in an assumption.
    const long = 'a long citation of where this price was read, '.repeat(40);
    const prices = applyPricesFile(
      CATALOGUE,
      JSON.stringify({ gpus: Object.fromEntries(gpus.map((g) => [g, { note: 'UNVERIFIED', source: long }])) }),
      'prices.json',
    );
    const c = comparison(list, prices, { monthlyInputTokens: 3e10, monthlyOutputTokens: 1e10 });
    expect(c.errors).toEqual([]);
    const m = buildCostMessage({ ...c, userId: 'U1', fileName: 'train.jsonl' });
    expect(checkMessage(m)).toEqual([]);
    const groups = assumptionGroups(c.estimates);
    const all = groups.perOption.reduce((n, g) => n + g.assumptions.length, groups.shared.length);
    const text = assumptionText(m.blocks);
    const shown = (text.match(/^• /gm) ?? []).length;
    const said = Number(text.match(/_(\d+) more assumptions? left out to fit one Slack message/)?.[1] ?? 0);
    expect(said).toBeGreaterThan(0); // eight of these do not fit in one message
    expect(shown + said).toBe(all); // every assumption is either shown or counted
    expect(m.blocks.at(-1)).toMatchObject({ type: 'context' }); // the prices' date still closes the message
  });

  it('packs into the blocks and characters it is given, and says what did not fit', () => {
    const c = comparison();
    const total = c.estimates.reduce((n, e) => n + new Set(e.assumptions).size, 0);
    const blocks = assumptionBlocks(c.estimates, { chars: 900, maxBlocks: 1 });
    expect(blocks).toHaveLength(1);
    const text = sectionTexts(blocks)[0] ?? '';
    expect(text.length).toBeLessThanOrEqual(900);
    const shown = (text.match(/^• /gm) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(text).toContain(`_${total - shown} more assumptions left out to fit one Slack message`);
    expect(assumptionBlocks(c.estimates, { chars: 900, maxBlocks: 0 })).toEqual([]);
  });
});

describe('the monthly volume', () => {
  it('says the input/output split serving is priced at, under the header', () => {
    const context = (message().blocks as Block[]).find((b) => b.type === 'context')?.elements?.[0]?.text;
    expect(context).toBe('Asked by <@U1> · 4M tokens/month, 75% input / 25% output');
    const none = buildCostMessage({
      ...comparison(options, CATALOGUE, { monthlyInputTokens: 0, monthlyOutputTokens: 0 }),
      userId: 'U1',
    });
    expect(JSON.stringify(none.blocks)).toContain('0 tokens/month (the chart assumes 75% input / 25% output)');
    const even = buildCostMessage({
      ...comparison(options, CATALOGUE, { monthlyInputTokens: 2e6, monthlyOutputTokens: 1e6 }),
      userId: 'U1',
    });
    expect(JSON.stringify(even.blocks)).toContain('3M tokens/month, 67% input / 33% output');
  });
});

describe('the Developer tier', () => {
  it('is shown as evaluation only: training priced, no monthly figure, no break-even', () => {
    const m = buildCostMessage({ ...comparison([...options, AZURE_DEV]), userId: 'U1' });
    expect(checkMessage(m)).toEqual([]);
    const text = JSON.stringify(m.blocks);
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Developer\) +≈ \$0\.40 \(placeholder rate\) +eval only +— +—/);
    expect(text).toContain(
      '*Azure gpt-4.1-mini (Developer)*: not a monthly service — the deployment is deleted after 24 hours, so it is for evaluation only',
    );
    expect(text).toContain('eval only: not a monthly service');
    const breakEven = sectionTexts(m.blocks).find((t) => t.startsWith('*Break-even*')) ?? '';
    expect(breakEven).toContain('*Azure gpt-4.1-mini (Global)*');
    expect(breakEven).not.toContain('Developer');
  });
});

describe('"Start a job"', () => {
  const button = (blocks: unknown[]) =>
    (blocks as Block[]).find((b) => b.accessory?.action_id === START_JOB_FROM_COST_ACTION_ID);

  it('goes on the cheapest option that can be started here and has a trusted yearly figure', () => {
    const list = [...options, AZURE_DEV];
    const m = buildCostMessage({ ...comparison(list), userId: 'U1', startable: everyStartable(list) });
    expect(checkMessage(m)).toEqual([]);
    const block = button(m.blocks);
    expect(block?.text?.text).toBe(
      '*Cheapest you can start here:* OpenAI gpt-4.1-mini on openai here, $77.20 over 12 months with training.',
    );
    expect(block?.accessory).toMatchObject({
      type: 'button',
      text: { type: 'plain_text', text: 'Start a job' },
      value: encodeStartValue('openai', { provider: 'openai', model: MINI }),
    });
    // Right under the table and its notes, before the monthly detail.
    const blocks = m.blocks as Block[];
    const at = blocks.indexOf(block as Block);
    expect(blocks[at - 1]?.type).toBe('context'); // the table's notes
    expect(blocks[at + 1]?.text?.text).toMatch(/^\*Per month\*/);
  });

  it('is left off when nothing here can start a fitting option', () => {
    expect(button(message().blocks)).toBeUndefined();
    const onlyStandIns = everyStartable(options).filter(
      (s) => !s.label.startsWith('OpenAI') && !s.label.startsWith('Own GPU'),
    );
    expect(button(buildCostMessage({ ...comparison(), userId: 'U1', startable: onlyStandIns }).blocks)).toBeUndefined();
  });
});
