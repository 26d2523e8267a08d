import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { estimate } from '../../src/cost/estimate.ts';
import { loadCatalogue, PricesFileError, type ReadFile } from '../../src/cost/load.ts';
import { deepMerge, formatPath } from '../../src/cost/override.ts';

const FILE = '/etc/finetune-bot/prices.json';
const NOW = new Date('2026-11-23T12:00:00Z');

/** A reader that serves one file's text and fails like fs for any other path. */
function serve(text: string): ReadFile {
  return (path) => {
    if (path !== FILE)
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return text;
  };
}

function load(json: unknown): ReturnType<typeof loadCatalogue> {
  return loadCatalogue(FILE, serve(typeof json === 'string' ? json : JSON.stringify(json)));
}

function failure(run: () => unknown): PricesFileError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PricesFileError);
    return error as PricesFileError;
  }
  throw new Error('expected a PricesFileError');
}

describe('loadCatalogue()', () => {
  it('is the built-in catalogue without a file, and never reads one', () => {
    const never: ReadFile = () => {
      throw new Error('read');
    };
    expect(loadCatalogue(undefined, never)).toBe(CATALOGUE);
    expect(loadCatalogue('', never)).toBe(CATALOGUE);
  });

  it('changes one GPU’s hourly rate and nothing else', () => {
    const catalogue = load({ gpus: { 'H100-80GB': { hourly_usd: 2.25, as_of: '2026-11-01', source: 'our invoice' } } });
    expect(catalogue.gpus['H100-80GB']).toMatchObject({
      hourly_usd: 2.25,
      peak_bf16_tflops: 989,
      source: 'our invoice',
    });
    expect({ ...catalogue, gpus: { ...catalogue.gpus, 'H100-80GB': CATALOGUE.gpus['H100-80GB'] } }).toEqual(CATALOGUE);
    expect(CATALOGUE.gpus['H100-80GB']?.hourly_usd).toBe(3);
  });

  it('feeds the override into estimates', () => {
    const catalogue = load({ gpus: { 'H100-80GB': { hourly_usd: 2 } } });
    const { options } = estimate(
      {
        trainingTokens: 0,
        epochs: 1,
        monthlyInputTokens: 0,
        monthlyOutputTokens: 0,
        options: [{ provider: 'gpu', gpu: 'H100-80GB', modelParamsB: 8, method: 'lora' }],
      },
      catalogue,
      NOW,
    );
    expect(options[0]?.monthly.hostingUsd).toBe(2 * 730);
  });

  it('adds a model, and removes one with null', () => {
    const catalogue = load({
      openai: {
        models: {
          'gpt-5-mini-2026-01-01': {
            training: { per_1m: 4, as_of: '2026-11-01', source: 'https://example.com/pricing' },
            inference: {
              input_per_1m: 0.5,
              output_per_1m: 2,
              as_of: '2026-11-01',
              source: 'https://example.com/pricing',
            },
          },
          'gpt-3.5-turbo-0125': null,
        },
      },
    });
    expect(catalogue.openai.models['gpt-5-mini-2026-01-01']?.training.per_1m).toBe(4);
    expect(catalogue.openai.models['gpt-3.5-turbo-0125']).toBeUndefined();
    expect(catalogue.openai.models['gpt-4.1-2025-04-14']).toEqual(CATALOGUE.openai.models['gpt-4.1-2025-04-14']);
  });

  it.each([
    ['not JSON', '{"gpus": {', /^PRICES_FILE \/etc\/finetune-bot\/prices\.json: is not valid JSON \(.+\)$/],
    ['a JSON array', '[1, 2]', /: expects a JSON object at the top level, got an array$/],
    [
      'a string where a price goes',
      { gpus: { 'H100-80GB': { hourly_usd: 'cheap' } } },
      /: gpus\["H100-80GB"\]\.hourly_usd expects USD per GPU-hour \(a number, 0 or more\), got "cheap"$/,
    ],
    [
      'a negative price',
      { openai: { models: { 'gpt-4.1-mini-2025-04-14': { inference: { output_per_1m: -3.2 } } } } },
      /: openai\.models\["gpt-4\.1-mini-2025-04-14"\]\.inference\.output_per_1m expects USD per 1M tokens \(a number, 0 or more\), got -3\.2$/,
    ],
    [
      'a bad date',
      { azure: { hosting: { as_of: '11/01/2026' } } },
      /: azure\.hosting\.as_of expects a date as YYYY-MM-DD, got "11\/01\/2026"$/,
    ],
    [
      'a misspelt field',
      { gpus: { L4: { hourly_usdd: 0.7 } } },
      /: gpus\.L4\.hourly_usdd is not a known field; check its spelling$/,
    ],
    [
      'a new GPU missing its fields',
      { gpus: { B200: { hourly_usd: 6 } } },
      /: gpus\.B200\.name is missing; expects a display name .+ \(and \d+ more problems\)$/,
    ],
    ['a number where the GPUs go', { gpus: 5 }, /: gpus expects an object of GPUs by id, got 5$/],
    [
      'a number where a model goes',
      { openai: { models: { 'gpt-x': 3 } } },
      /: openai\.models\["gpt-x"\] expects an object with the fields \(training, inference\), got 3$/,
    ],
    [
      'an MFU above 1',
      { self_hosting: { default_mfu: 3 } },
      /: self_hosting\.default_mfu expects .* at most 1, got 3$/,
    ],
    ['a prototype key', '{"__proto__": {"polluted": true}}', /: __proto__ is not allowed as a key$/],
  ])('refuses %s with one line naming the file and the path', (_name, json, message) => {
    const error = failure(() => load(json));
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`PRICES_FILE ${FILE}: `);
    expect(error.message).not.toContain('\n');
    expect(error.file).toBe(FILE);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('says when the file cannot be read', () => {
    const error = failure(() => loadCatalogue('/nope.json', serve('{}')));
    expect(error.message).toBe('PRICES_FILE /nope.json: cannot be read (no such file)');
  });

  it('keeps every problem for whoever wants the full list', () => {
    const error = failure(() => load({ gpus: { L4: { hourly_usd: -1, memory_gb: 0 } } }));
    expect(error.problems).toHaveLength(2);
    expect(error.message).toMatch(/\(and 1 more problem\)$/);
  });
});

describe('deepMerge() and formatPath()', () => {
  it('merges objects, replaces the rest, and leaves both inputs alone', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x' };
    const merged = deepMerge(base, { a: { c: [3] }, e: 2 });
    expect(merged).toEqual({ a: { b: 1, c: [3] }, d: 'x', e: 2 });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x' });
  });

  it.each([
    [[], 'the top level'],
    [['gpus', 'L4', 'hourly_usd'], 'gpus.L4.hourly_usd'],
    [['openai', 'models', 'gpt-4.1-2025-04-14', 'training'], 'openai.models["gpt-4.1-2025-04-14"].training'],
    [['list', 0], 'list[0]'],
  ])('writes %j as %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe('the README’s PRICES_FILE example', () => {
  it('is a valid file, and the Azure figure it sets is no longer a placeholder', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync('README.md', 'utf8');
    const prices = readme.slice(readme.indexOf('### Prices'));
    const json = /```json\n([\s\S]*?)```/.exec(prices)?.[1] ?? '';
    const catalogue = load(json);
    expect(catalogue.gpus['H100-80GB']?.hourly_usd).toBe(2.1);
    const training = catalogue.azure.models['gpt-4.1-mini-2025-04-14']?.training;
    expect(training).toMatchObject({ global_per_1m: 5, source: 'our Azure invoice' });
    expect(training?.placeholder).toEqual(['standard', 'developer']);
  });
});
