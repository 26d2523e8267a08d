import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { estimate } from '../../src/cost/estimate.ts';
import { catalogueSchema } from '../../src/cost/schema.ts';

const OPENAI_IDS = [
  'gpt-4.1-2025-04-14',
  'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano-2025-04-14',
  'gpt-4o-2024-08-06',
  'gpt-4o-mini-2024-07-18',
  'gpt-3.5-turbo-0125',
];

/**
 * Every object in the catalogue that carries a price: it must say when and where from. A bracket
 * list (Together, Fireworks) is dated and sourced by the object that holds it.
 */
function pricedEntries(node: unknown, path = ''): Array<{ path: string; entry: Record<string, unknown> }> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return [];
  const entry = node as Record<string, unknown>;
  const own =
    'as_of' in entry || Object.keys(entry).some((k) => /_per_|hourly_usd|per_1m/.test(k)) ? [{ path, entry }] : [];
  return [...own, ...Object.entries(entry).flatMap(([k, v]) => pricedEntries(v, `${path}.${k}`))];
}

describe('the built-in catalogue', () => {
  it('passes its own schema', () => {
    expect(catalogueSchema.safeParse(CATALOGUE).success).toBe(true);
  });

  it('dates and sources every price', () => {
    const entries = pricedEntries(CATALOGUE);
    expect(entries.length).toBeGreaterThan(25);
    for (const { path, entry } of entries) {
      expect(entry.as_of, path).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(String(entry.source ?? ''), path).not.toBe('');
    }
  });

  it('prices every OpenAI model by its exact id, with no hosting fee anywhere in the shape', () => {
    expect(Object.keys(CATALOGUE.openai.models).sort()).toEqual([...OPENAI_IDS].sort());
    expect(Object.keys(CATALOGUE.openai).sort()).toEqual(['models', 'wind_down']);
    for (const model of Object.values(CATALOGUE.openai.models))
      expect(Object.keys(model)).toEqual(['training', 'inference']);
    expect(CATALOGUE.openai.models['gpt-4.1-mini-2025-04-14']).toMatchObject({
      training: { per_1m: 5 },
      inference: { input_per_1m: 0.8, cached_input_per_1m: 0.2, output_per_1m: 3.2 },
    });
  });

  it('marks unverified OpenAI training prices as such', () => {
    for (const id of [
      'gpt-4.1-2025-04-14',
      'gpt-4.1-mini-2025-04-14',
      'gpt-4.1-nano-2025-04-14',
      'gpt-3.5-turbo-0125',
    ]) {
      expect(CATALOGUE.openai.models[id]?.training.note, id).toMatch(/^UNVERIFIED/);
    }
  });

  it('prices Azure models on all three tiers by the documented rule, flagged as placeholders', () => {
    const ids = Object.keys(CATALOGUE.azure.models);
    expect(ids.sort()).toEqual(OPENAI_IDS.filter((id) => !id.startsWith('gpt-3.5')).sort());
    expect(CATALOGUE.azure.models['gpt-4.1-2025-04-14']?.training.global_per_1m).toBe(2);
    for (const [id, { training }] of Object.entries(CATALOGUE.azure.models)) {
      const discount = 1 - training.global_per_1m / training.standard_per_1m;
      expect(discount, id).toBeGreaterThanOrEqual(0.1);
      expect(discount, id).toBeLessThanOrEqual(0.3);
      expect(training.developer_per_1m, id).toBeCloseTo(training.global_per_1m / 2, 6);
      expect(training.note, id).toMatch(/^UNVERIFIED PLACEHOLDER/);
    }
  });

  it('carries Azure hosting and deployment lifetimes as data', () => {
    expect(CATALOGUE.azure.hosting).toMatchObject({
      standard_per_hour: 1.7,
      global_per_hour: 1.7,
      developer_per_hour: 0,
      developer_lifetime_hours: 24,
      idle_delete_days: 15,
    });
  });

  it('has the GPUs people rent, with the research peak TFLOPS and a flagged serving assumption', () => {
    expect(Object.keys(CATALOGUE.gpus)).toEqual(
      expect.arrayContaining(['A10G', 'L4', 'A100-40GB', 'A100-80GB', 'H100-80GB', 'H200-141GB']),
    );
    expect(CATALOGUE.gpus['A100-80GB']?.peak_bf16_tflops).toBe(312);
    expect(CATALOGUE.gpus['A100-40GB']?.peak_bf16_tflops).toBe(312);
    expect(CATALOGUE.gpus['H100-80GB']?.peak_bf16_tflops).toBe(989);
    for (const [id, gpu] of Object.entries(CATALOGUE.gpus)) {
      expect(gpu.note, id).toMatch(/ASSUMPTION: serving_tokens_per_s/);
      expect(gpu.hourly_usd, id).toBeGreaterThan(0);
    }
  });

  it('keeps the source blog’s 2023 prices as a labelled historical entry', () => {
    const blog = CATALOGUE.historical.blog_2023;
    expect(blog.label).toMatch(/historical/i);
    expect(blog.openai_gpt35_turbo).toMatchObject({
      training_per_1k: 0.008,
      input_per_1k: 0.012,
      output_per_1k: 0.016,
    });
    expect(blog.azure.note).toMatch(/omitted/i);
  });

  it('never uses the historical prices in an estimate', () => {
    const { options } = estimate(
      {
        trainingTokens: 1e6,
        epochs: 3,
        monthlyInputTokens: 1e6,
        monthlyOutputTokens: 1e6,
        options: [{ provider: 'openai', model: 'gpt-3.5-turbo-0125' }],
      },
      CATALOGUE,
      new Date('2026-11-23T12:00:00Z'),
    );
    // Today's $3/1M input and $6/1M output, not 2023's $0.012/1K and $0.016/1K ($12 and $16 per 1M).
    expect(options[0]?.monthly.inferenceUsd).toBe(9);
    expect(options[0]?.asOf.startsWith('2023')).toBe(false);
    expect(options[0]?.sources.join(' ')).not.toMatch(/2023/);
  });
});
