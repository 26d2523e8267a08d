import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'ftbot-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chat = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `What is ${i} + ${i}?` },
      { role: 'assistant', content: String(i + i) },
    ],
  });
function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
const good = file(
  'good.jsonl',
  Array.from({ length: 60 }, (_, i) => chat(i)),
);
const bad = file('bad.jsonl', [...Array.from({ length: 20 }, (_, i) => chat(i)), '{"messages": "nope"}', '[1,2]']);

describe('finetune-bot validate', () => {
  it('passes a good file with exit 0 and the token stats', async () => {
    const r = await run('validate', good);
    expect(r.code).toBe(0);
    expect(r.out).toContain('✓');
    expect(r.out).toContain('60 examples');
    expect(r.out).toMatch(/billable\s+[\d,]+ tokens/);
    expect(r.out).toContain('OpenAI gpt-4.1-mini');
  });

  it('lists errors by line with exit 1', async () => {
    const r = await run('validate', bad, '--model', 'gpt-4o-mini');
    expect(r.code).toBe(1);
    expect(r.out).toContain('2 errors to fix');
    expect(r.out).toMatch(/line 21 \$\.messages: /);
    expect(r.out).toMatch(/line 22/);
  });

  it('lists every error in --json, past the 50 the text report shows', async () => {
    const many = file('many-bad.jsonl', [
      ...Array.from({ length: 20 }, (_, i) => chat(i)),
      ...Array.from({ length: 80 }, () => '[1]'),
    ]);
    const r = await run('validate', many, '--json');
    const report = JSON.parse(r.out);
    expect(report.totalErrors).toBe(80);
    expect(report.errors).toHaveLength(80);
    expect(report.errorsOmitted).toBeUndefined();
  });

  it('says in --json how many errors it left out past its cap, and why', async () => {
    const huge = file('huge-bad.jsonl', [
      ...Array.from({ length: 10 }, (_, i) => chat(i)),
      ...Array.from({ length: 10_005 }, () => '[1]'),
    ]);
    const report = JSON.parse((await run('validate', huge, '--json')).out);
    expect(report.errors).toHaveLength(10_000);
    expect(report).toMatchObject({
      totalErrors: 10_005,
      errorsOmitted: 5,
      errorsOmittedWhy: 'only the first 10000 errors are listed',
    });
  });

  it('prints the whole report as JSON for scripts', async () => {
    const r = await run('validate', bad, '--json', '--epochs', '2');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({
      ok: false,
      lines: 22,
      examples: 21,
      totalErrors: 2,
      epochs: { value: 2, auto: false },
    });
    expect(report.errors[0]).toMatchObject({ line: 21, path: expect.stringMatching(/^\$/) });
  });

  it.each([
    [['validate'], 'validate takes exactly one FILE.'],
    [['validate', join(dir, 'missing.jsonl')], 'missing.jsonl: no such file.'],
    [['validate', 'x', 'y'], 'validate takes exactly one FILE.'],
    [['validate', 'FILE', '--epochs', '0'], '--epochs is a whole number from 1 to 50, or auto.'],
    [['frobnicate'], 'unknown command frobnicate.'],
    [['estimate'], 'give --tokens N or --file FILE.'],
    [['estimate', '--tokens', 'lots'], '--tokens expects a token count such as 2M or 500k, not "lots".'],
    [['estimate', '--tokens', '1M', '--option', 'aws:thing'], '--option aws:thing is not openai:MODEL'],
    [['estimate', '--tokens', '1M', '--model', 'gpt-9'], 'unknown model gpt-9.'],
  ])('%j → usage error, exit 2', async (argv, message) => {
    const r = await run(...argv.map((a) => (a === 'FILE' ? good : a)));
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('Usage:');
  });

  it.each([['validate', '--help'], ['estimate', '-h'], ['convert', 'x.jsonl', '--help'], ['--help']])(
    '%j prints the whole usage, exit 0',
    async (...argv) => {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      for (const part of [
        'finetune-bot validate',
        'finetune-bot estimate',
        'finetune-bot convert',
        '--chart OUT.png',
      ]) {
        expect(r.out).toContain(part);
      }
    },
  );

  it('takes --help after -- as a file name, not a request for help', async () => {
    const r = await run('validate', '--', '--help');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--help: no such file.');
  });

  it('says which line of a bad PRICES_FILE is wrong', async () => {
    const prices = join(dir, 'prices.json');
    writeFileSync(prices, '{"gpus": {"H100-80GB": {"hourly_usd": "cheap"}}}');
    const r = await run('estimate', '--tokens', '1M', '--prices', prices);
    expect(r.code).toBe(2);
    expect(r.err).toContain(prices);
    expect(r.err).toContain('gpus');
  });
});

describe('finetune-bot estimate', () => {
  it('compares the default options for a token count', async () => {
    const r = await run('estimate', '--tokens', '2M', '--monthly-tokens', '50M');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Cost: 2M training tokens × 3 epochs, 50M tokens/month');
    expect(r.out).toMatch(/OpenAI gpt-4\.1-mini\s+\$30\.00/);
    expect(r.out).toContain('Break-even');
  });

  it('says the input/output split, and lists each option’s assumptions under its name', async () => {
    const r = await run('estimate', '--tokens', '2M', '--monthly-tokens', '50M');
    expect(r.out).toContain('Monthly volume: 50M tokens/month, 75% input / 25% output.');
    const assumptions = r.out.slice(r.out.indexOf('\nAssumptions\n'));
    expect(assumptions).toMatch(
      /\n {2}OpenAI gpt-4\.1-mini\n {4}Training: 6M billed tokens \(2M × 3 epochs\) at OpenAI’s/,
    );
    expect(assumptions).toMatch(/\n {2}Own GPU: A100-80GB LoRA, 8B\n {4}Training time from the FLOPs rule/);
    expect(assumptions.match(/at OpenAI’s \$5\.00 per 1M/g)).toHaveLength(1); // said once, under OpenAI
  });

  it('shows the Developer tier as evaluation only: its training, no month, no break-even', async () => {
    const r = await run('estimate', '--tokens', '2M', '--monthly-tokens', '50M');
    expect(r.out).toMatch(/Azure gpt-4\.1-mini \(Developer\)\s+≈ \$1\.20 \(placeholder rate\)\s+eval only\s+—\s+—\n/);
    expect(r.out).toContain('eval only: not a monthly service — the deployment is deleted after 24 hours');
    const breakEven = r.out.slice(r.out.indexOf('Break-even'), r.out.indexOf('Warnings'));
    expect(breakEven).toContain('Azure gpt-4.1-mini (Global)');
    expect(breakEven).not.toContain('Developer');
    const json = JSON.parse((await run('estimate', '--tokens', '2M', '--monthly-tokens', '50M', '--json')).out);
    const dev = json.estimates.find((e: { label: string }) => e.label.endsWith('(Developer)'));
    expect(dev.monthly).toMatchObject({ totalUsd: 0, evaluationOnly: expect.stringMatching(/^Not a monthly service/) });
    expect(dev.twelveMonthsUsd).toBe(dev.training.usd);
    expect(json).toMatchObject({ monthlyInputTokens: 37_500_000, monthlyOutputTokens: 12_500_000, inputShare: 0.75 });
  });

  it('counts the tokens of a file, takes chosen options, and writes the chart', async () => {
    const chart = join(dir, 'cost.png');
    const r = await run(
      'estimate',
      '--file',
      good,
      '--option',
      'openai:gpt-4.1-nano-2025-04-14',
      '--option',
      'gpu:H100-80GB:qlora',
      '--params-b',
      '70',
      '--chart',
      chart,
      '--json',
    );
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out);
    expect(data.epochs).toBe(3);
    expect(data.estimates.map((e: { label: string }) => e.label)).toEqual([
      'OpenAI gpt-4.1-nano',
      'Own GPU: H100-80GB QLoRA, 70B',
    ]);
    expect(readFileSync(chart).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('placeholder rates in the terminal', () => {
  it('marks every Azure figure that rests on a placeholder, in estimate and in validate', async () => {
    const r = await run(
      'estimate',
      '--tokens',
      '1M',
      '--epochs',
      '2',
      '--option',
      'azure:global:gpt-4.1-mini-2025-04-14',
      '--option',
      'openai:gpt-4.1-mini-2025-04-14',
      '--option',
      'together:meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
      '--option',
      'fireworks:accounts/fireworks/models/llama-v3p1-8b-instruct',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Azure gpt-4\.1-mini \(Global\)\s+≈ \$0\.80 \(placeholder rate\)/);
    expect(r.out).toMatch(/OpenAI gpt-4\.1-mini\s+\$10\.00 /);
    expect(r.out).toMatch(/Together Meta-Llama-3\.1-8B-Instruct-Reference \(LoRA\)\s+\$0\.96\s+not priced/);
    expect(r.out).toMatch(/Fireworks llama-v3p1-8b-instruct \(LoRA\)\s+\$1\.00\s+not priced/);
    expect(r.out).toContain('(placeholder rate): not a published price.');
    const v = await run('validate', good);
    expect(v.out).toMatch(/Azure gpt-4\.1-mini \(Global\)\s+≈ \S+ \(placeholder rate\)/);
    expect(v.out).toContain("(placeholder rate): not a published price (Azure's Retail Prices feed had none)");
  });

  it('says so in the JSON too', async () => {
    const r = await run('estimate', '--tokens', '1M', '--option', 'azure:developer:gpt-4.1-2025-04-14', '--json');
    const data = JSON.parse(r.out);
    expect(data.estimates[0]).toMatchObject({ placeholder: true, placeholderRates: ['training'] });
  });
});

describe('finetune-bot estimate --file on a file with errors', () => {
  it('says it priced only the valid examples and exits 1, unless --allow-errors', async () => {
    const r = await run('estimate', '--file', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('has 2 errors: priced only its 20 valid examples');
    expect(r.err).toContain('--allow-errors');
    expect(r.out).toMatch(/\$\d/); // the estimate is still shown
    const allowed = await run('estimate', '--file', bad, '--allow-errors');
    expect(allowed.code).toBe(0);
    expect(allowed.err).toContain('priced only its 20 valid examples');
    expect((await run('estimate', '--file', good)).err).toBe('');
  });
});

describe('the installed command', () => {
  it('runs as `finetune-bot` and exits with the report’s status', () => {
    const bin = resolve('bin/finetune-bot.cjs');
    const ok = spawnSync(process.execPath, [bin, 'validate', good], { encoding: 'utf8' });
    const failed = spawnSync(process.execPath, [bin, 'validate', bad], { encoding: 'utf8' });
    expect([ok.status, failed.status]).toEqual([0, 1]);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).bin).toEqual({ 'finetune-bot': 'bin/finetune-bot.cjs' });
  });

  it('reads .env in the working directory like the bot, under the real environment', () => {
    const bin = resolve('bin/finetune-bot.cjs');
    const cwd = mkdtempSync(join(tmpdir(), 'ftbot-cli-env-'));
    try {
      writeFileSync(join(cwd, '.env'), 'PRICES_FILE=prices-from-dotenv.json\n');
      const env = { PATH: process.env.PATH ?? '' };
      const fromFile = spawnSync(process.execPath, [bin, 'validate', good], { encoding: 'utf8', cwd, env });
      expect(fromFile.status).toBe(2);
      expect(fromFile.stderr).toContain('prices-from-dotenv.json');
      const overridden = spawnSync(process.execPath, [bin, 'validate', good], {
        encoding: 'utf8',
        cwd,
        env: { ...env, PRICES_FILE: 'prices-from-env.json' },
      });
      expect(overridden.stderr).toContain('prices-from-env.json');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
