import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, findModel, TUNABLE_MODELS, tokenLimitFor } from '../../src/data/models.ts';

describe('tunable models', () => {
  it('lists the snapshots OpenAI and Azure tune, with their tokenizer', () => {
    expect(TUNABLE_MODELS.map((m) => [m.id, m.encoding])).toEqual([
      ['gpt-4.1-2025-04-14', 'o200k_base'],
      ['gpt-4.1-mini-2025-04-14', 'o200k_base'],
      ['gpt-4.1-nano-2025-04-14', 'o200k_base'],
      ['gpt-4o-2024-08-06', 'o200k_base'],
      ['gpt-4o-mini-2024-07-18', 'o200k_base'],
      ['gpt-3.5-turbo-0125', 'cl100k_base'],
    ]);
    expect(findModel(DEFAULT_MODEL)?.id).toBe(DEFAULT_MODEL);
  });

  it('keeps the stricter limit when the providers differ', () => {
    for (const m of TUNABLE_MODELS) {
      expect(m.tokenLimit).toBe(Math.min(...Object.values(m.tokenLimits)));
    }
    const nano = findModel('gpt-4.1-nano');
    expect(nano && [nano.tokenLimit, tokenLimitFor(nano, 'openai'), tokenLimitFor(nano, 'azure')]).toEqual([
      32_768, 65_536, 32_768,
    ]);
  });

  it.each([
    ['gpt-4.1-mini', 'gpt-4.1-mini-2025-04-14'],
    ['GPT-4o', 'gpt-4o-2024-08-06'],
    [' gpt-4o-mini ', 'gpt-4o-mini-2024-07-18'],
    ['gpt-35-turbo-0125', 'gpt-3.5-turbo-0125'],
    ['gpt-35-turbo', 'gpt-3.5-turbo-0125'],
    ['ft:gpt-4o-mini-2024-07-18:acme::abc123', 'gpt-4o-mini-2024-07-18'],
    ['gpt-4.1-2025-04-14.ft-0123abcd', 'gpt-4.1-2025-04-14'],
  ])('finds %j as %s', (name, id) => {
    expect(findModel(name)?.id).toBe(id);
  });

  it.each(['gpt-5', 'o4-mini-2025-04-16', '', 'ft:'])('knows nothing of %j', (name) => {
    expect(findModel(name)).toBeUndefined();
  });
});
