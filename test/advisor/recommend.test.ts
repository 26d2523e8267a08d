import { describe, expect, it } from 'vitest';
import {
  type Answers,
  DATA_VOLUMES,
  KNOWLEDGE_CHANGE,
  LATENCY,
  SENSITIVITY,
  SPECIALIZATION,
  TASK_TYPES,
  type Tried,
  volumeForExamples,
} from '../../src/advisor/questionnaire.ts';
import { recommend } from '../../src/advisor/recommend.ts';
import { LEGAL, NOW, PLAIN } from '../support/answers.ts';

const AFTER_CUTOFF = new Date('2027-01-06T00:00:01Z');
const base = PLAIN;
const with_ = (over: Partial<Answers>): Answers => ({ ...base, ...over });

const BLOG_ALTERNATIVES = ['Few-shot prompting', 'RAG with your domain documents', 'System prompt engineering'];

describe('recommend(): the source blog', () => {
  it('says yes to its own example, with both the specialization and the data reasons', () => {
    const r = recommend(LEGAL, NOW);
    expect(r.verdict).toBe('fine_tune');
    expect(r.fineTune).toBe(true);
    expect(r.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^High specialization/),
        expect.stringMatching(/^A large data set/),
      ]),
    );
    expect(r.reasons.some((x) => /latency/i.test(x))).toBe(false);
    expect(r.confidence).toBe('high');
    expect(r.alternatives).toEqual([]);
    expect(LEGAL.examples).toBeGreaterThan(10_000);
    expect(r.warnings.join(' ')).not.toMatch(/for the data volume/);
  });

  it.each([
    ['high specialization', { specialization: 'high' }, /^High specialization/],
    ['medium data', { dataVolume: 'medium', examples: 2500 }, /^A medium data set \(2,500 labelled examples\)/],
    ['large data', { dataVolume: 'large', examples: 20_000 }, /^A large data set \(20,000 labelled examples\)/],
    ['strict latency', { latency: 'strict' }, /^Strict latency: a smaller fine-tuned model/],
  ] as const)('%s alone → fine-tune, and says why', (_name, over, reason) => {
    const r = recommend(with_(over as Partial<Answers>), NOW);
    expect(r.verdict).toBe('fine_tune');
    expect(r.reasons[0]).toMatch(reason);
    expect(r.confidence).toBe('medium');
  });

  it('says no when none of the three rules apply, and lists the blog alternatives', () => {
    const r = recommend(base, NOW);
    expect(r.verdict).toBe('no');
    expect(r.fineTune).toBe(false);
    expect(r.alternatives.map((a) => a.name)).toEqual(BLOG_ALTERNATIVES);
    expect(r.alternatives.every((a) => a.why.length > 20 && !a.tried)).toBe(true);
    expect(r.provider).toBeUndefined();
    expect(r.confidence).toBe('high');
  });

  it('marks alternatives already tried and lowers its confidence in a no', () => {
    const r = recommend(with_({ tried: ['prompting'] }), NOW);
    expect(r.verdict).toBe('no');
    expect(r.alternatives.filter((a) => a.tried).map((a) => a.name)).toEqual([
      'Few-shot prompting',
      'System prompt engineering',
    ]);
    expect(r.confidence).toBe('medium');
    expect(r.reasons.join(' ')).toMatch(/tried prompting already/);
  });
});

describe('recommend(): beyond the blog', () => {
  it.each([
    [0, 10],
    [3, 7],
    [9, 1],
  ])('%i examples → not yet, collect %i more', (examples, more) => {
    const r = recommend(with_({ examples, specialization: 'high', dataVolume: 'medium' }), NOW);
    expect(r.verdict).toBe('not_yet');
    expect(r.fineTune).toBe(false);
    expect(r.headline).toBe(`Fine-tune: not yet (collect ${more} more examples first)`);
    expect(r.reasons[0]).toContain(`Collect at least ${more} more`);
    expect(r.reasons[1]).toMatch(/^Once you have them, fine-tuning fits/);
    expect(r.provider?.provider).toBe('azure');
    expect(r.alternatives.map((a) => a.name)).toEqual(BLOG_ALTERNATIVES);
  });

  it('10 examples is enough to start, with a warning that 50–100 do better', () => {
    const r = recommend(with_({ examples: 10, specialization: 'high' }), NOW);
    expect(r.verdict).toBe('fine_tune');
    expect(r.confidence).toBe('low');
    expect(r.warnings[0]).toMatch(/10 examples is enough to start a job but thin/);
  });

  it.each([
    ['knowledge that changes daily', { knowledgeChange: 'daily' }, /changes daily/],
    ['knowledge that changes weekly', { knowledgeChange: 'weekly' }, /changes weekly/],
    ['Q&A over documents', { taskType: 'domain_qa' }, /Q&A over documents is a retrieval problem/],
  ] as const)('%s → RAG first, even with fine-tuning signals', (_name, over, reason) => {
    const r = recommend(with_({ ...(over as Partial<Answers>), specialization: 'high' }), NOW);
    expect(r.verdict).toBe('rag_first');
    expect(r.fineTune).toBe(false);
    expect(r.reasons.join(' ')).toMatch(reason);
    expect(r.reasons.join(' ')).toMatch(/Fine-tuning can come later, on top of RAG/);
    expect(r.alternatives[0]?.name).toBe('RAG with your domain documents');
  });

  it('once RAG is in place, fine-tunes for behaviour and keeps RAG for the facts', () => {
    const r = recommend(with_({ taskType: 'domain_qa', tried: ['rag'], specialization: 'high' }), NOW);
    expect(r.verdict).toBe('fine_tune');
    expect(r.reasons).toContain(
      'You already use RAG: keep it for the facts and fine-tune for the behaviour and format.',
    );
  });

  it('regulated data → Azure OpenAI or self-hosted, never OpenAI', () => {
    const r = recommend(with_({ sensitivity: 'regulated', specialization: 'high' }), NOW);
    expect(r.provider?.provider).toBe('azure');
    expect(r.provider?.why[0]).toMatch(/^Regulated data: Azure OpenAI keeps training data/);
    expect(r.otherProviders.map((p) => p.provider)).toEqual(['gpu']);
  });

  it('high volume → self-hosted LoRA, with the reason', () => {
    const r = recommend(with_({ monthlyTokens: 2_000_000_000, specialization: 'high' }), NOW);
    expect(r.provider).toMatchObject({ provider: 'gpu', model: 'meta-llama/Llama-3.1-8B-Instruct' });
    expect(r.provider?.why[0]).toMatch(
      /^At 2B tokens a month, per-token API prices add up to more than a dedicated GPU/,
    );
  });

  it('high volume and regulated data → self-hosted, and says the data stays home', () => {
    const r = recommend(with_({ monthlyTokens: 5e9, sensitivity: 'regulated', latency: 'strict' }), NOW);
    expect(r.provider?.provider).toBe('gpu');
    expect(r.provider?.model).toBe('meta-llama/Llama-3.2-3B-Instruct');
    expect(r.provider?.why).toContain('Regulated data never leaves your own infrastructure.');
    expect(r.otherProviders.map((p) => p.provider)).not.toContain('openai');
  });

  it.each([
    [{ latency: 'strict' }, 'gpt-4.1-nano-2025-04-14'],
    [{ taskType: 'classification', dataVolume: 'medium', examples: 2500 }, 'gpt-4.1-nano-2025-04-14'],
    [{ taskType: 'tool_use', specialization: 'high' }, 'gpt-4.1-mini-2025-04-14'],
    [{ specialization: 'high', dataVolume: 'large', examples: 20_000 }, 'gpt-4.1-2025-04-14'],
  ] as const)('suggests a base model that fits: %o → %s', (over, model) => {
    expect(recommend(with_(over as Partial<Answers>), NOW).provider?.model).toBe(model);
  });

  it('never offers OpenAI without the wind-down warning, and the warning counts the days', () => {
    const r = recommend(with_({ specialization: 'high' }), NOW);
    expect(r.provider?.provider).not.toBe('openai');
    expect(r.otherProviders.map((p) => p.provider)).toContain('openai');
    expect(r.warnings.join(' ')).toMatch(/nobody can start a new job from 2027-01-06 \(in 44 days\)/);
  });

  it('stops offering OpenAI once new jobs are closed, and says so', () => {
    const r = recommend(with_({ specialization: 'high' }), AFTER_CUTOFF);
    expect(r.otherProviders.map((p) => p.provider)).not.toContain('openai');
    expect(r.warnings.join(' ')).toMatch(/OpenAI stopped accepting new fine-tuning jobs on 2027-01-06/);
  });

  it('is pure: same answers and clock, same answer; the input is not touched', () => {
    const answers = Object.freeze(
      with_({ specialization: 'high', tried: Object.freeze(['rag']) as unknown as Tried[] }),
    );
    expect(recommend(answers, NOW)).toEqual(recommend(answers, NOW));
  });
});

describe('recommend(): over every combination of answers', () => {
  const keys = <T extends object>(o: T) => Object.keys(o) as Array<keyof T>;
  const triedSets: Tried[][] = [[], ['prompting'], ['rag'], ['prompting', 'rag']];
  const all: Answers[] = [];
  for (const taskType of keys(TASK_TYPES))
    for (const dataVolume of keys(DATA_VOLUMES))
      for (const specialization of keys(SPECIALIZATION))
        for (const latency of keys(LATENCY))
          for (const sensitivity of keys(SENSITIVITY))
            for (const knowledgeChange of keys(KNOWLEDGE_CHANGE))
              for (const tried of triedSets)
                for (const [examples, monthlyTokens] of [
                  [5, 1e6],
                  [40, 3e9],
                  [5000, 5e7],
                  [20_000, 2e8],
                ] as const)
                  all.push({
                    ...base,
                    taskType,
                    dataVolume,
                    specialization,
                    latency,
                    sensitivity,
                    knowledgeChange,
                    tried,
                    examples,
                    monthlyTokens,
                  });

  it('keeps its invariants for all of them', () => {
    expect(all.length).toBeGreaterThan(15_000);
    for (const a of all) {
      const r = recommend(a, NOW);
      const blogSignal =
        a.specialization === 'high' || volumeForExamples(a.examples) !== 'small' || a.latency === 'strict';
      const ragOverride =
        (a.taskType === 'domain_qa' || ['weekly', 'daily'].includes(a.knowledgeChange)) && !a.tried.includes('rag');
      const ctx = JSON.stringify(a);
      expect(r.reasons.length, ctx).toBeGreaterThan(0);
      if (a.examples >= 10 && !ragOverride) expect(r.fineTune, ctx).toBe(blogSignal);
      if (ragOverride) expect(r.verdict, ctx).toBe('rag_first');
      if (a.examples < 10 && !ragOverride) expect(r.verdict, ctx).toBe('not_yet');
      if (a.examples < 10 && ragOverride) expect(r.reasons.join(' '), ctx).toMatch(/collect at least \d+ more/);
      const mismatch = volumeForExamples(a.examples) !== a.dataVolume;
      expect(
        r.warnings.some((w) => w.includes('for the data volume')),
        ctx,
      ).toBe(mismatch);
      expect(JSON.stringify(r), ctx).not.toContain('/finetune cost');
      if (!r.fineTune) expect(r.alternatives.map((x) => x.name).sort(), ctx).toEqual([...BLOG_ALTERNATIVES].sort());
      expect(r.provider?.provider, ctx).not.toBe('openai');
      if (r.otherProviders.some((p) => p.provider === 'openai'))
        expect(r.warnings.join(' '), ctx).toMatch(/2027-01-06/);
      if (a.sensitivity === 'regulated')
        expect(
          r.otherProviders.map((p) => p.provider),
          ctx,
        ).not.toContain('openai');
    }
  });
});

describe('recommend(): the data rule goes by the number of labelled examples', () => {
  it.each([
    [0, 'small'],
    [999, 'small'],
    [1000, 'medium'],
    [10_000, 'medium'],
    [10_001, 'large'],
    [50_000, 'large'],
  ] as const)('%i labelled examples is a %s data set', (examples, volume) => {
    expect(volumeForExamples(examples)).toBe(volume);
  });

  it.each([
    // picked, examples, counted, verdict, the data reason (null: none), what the warning says
    ['medium', 20, 'small', 'no', null, /not, on its own, a reason to fine-tune/],
    ['large', 200, 'small', 'no', null, /so if you have more data, label it first/],
    ['large', 5000, 'medium', 'fine_tune', /^A medium data set \(5,000 labelled examples\)/, /label it first/],
    [
      'small',
      50_000,
      'large',
      'fine_tune',
      /^A large data set \(50,000 labelled examples\)/,
      /reason to fine-tune on its own/,
    ],
    [
      'small',
      2500,
      'medium',
      'fine_tune',
      /^A medium data set \(2,500 labelled examples\)/,
      /reason to fine-tune on its own/,
    ],
    [
      'medium',
      20_000,
      'large',
      'fine_tune',
      /^A large data set \(20,000 labelled examples\)/,
      /reason to fine-tune on its own/,
    ],
  ] as const)(
    'picked %s with %i examples: counts as %s → %s, and warns',
    (picked, examples, counted, verdict, reason, says) => {
      const r = recommend(with_({ dataVolume: picked, examples }), NOW);
      expect(r.verdict).toBe(verdict);
      const dataReason = r.reasons.find((x) => /data set \(/.test(x));
      if (reason) expect(dataReason).toMatch(reason);
      else expect(dataReason).toBeUndefined();
      const warning = r.warnings.find((w) => w.includes('for the data volume'));
      expect(warning).toContain(`You chose "${DATA_VOLUMES[picked]}" for the data volume`);
      expect(warning).toContain(`which is a ${counted} data set`);
      expect(warning).toMatch(says);
    },
  );

  it.each([
    ['small', 500],
    ['small', 999],
    ['medium', 1000],
    ['medium', 10_000],
    ['large', 10_001],
  ] as const)('picked %s with %i examples agree: no warning', (dataVolume, examples) => {
    const r = recommend(with_({ dataVolume, examples }), NOW);
    expect(r.warnings.join(' ')).not.toMatch(/for the data volume/);
  });

  it('the blog example with only 20 examples still fine-tunes for the specialization, not the data', () => {
    const r = recommend({ ...LEGAL, examples: 20 }, NOW);
    expect(r.verdict).toBe('fine_tune');
    expect(r.reasons[0]).toMatch(/^High specialization/);
    expect(r.reasons.some((x) => /data set/.test(x))).toBe(false);
    expect(r.warnings[0]).toMatch(
      /^You chose "Large \(over 10,000\)" for the data volume but have 20 labelled examples/,
    );
    expect(r.provider?.model).toBe('gpt-4.1-mini-2025-04-14');
  });

  it.each([
    [{ dataVolume: 'large', examples: 200 }, 'gpt-4.1-mini-2025-04-14'],
    [{ dataVolume: 'small', examples: 20_000 }, 'gpt-4.1-2025-04-14'],
  ] as const)('picks the base model by the count too: %o → %s', (over, model) => {
    const r = recommend(with_({ ...over, specialization: 'high', taskType: 'style' }), NOW);
    expect(r.provider?.model).toBe(model);
  });

  it('the "no" reason names the count, and what would change it', () => {
    const r = recommend(with_({ examples: 300, tried: ['prompting'] }), NOW);
    expect(r.verdict).toBe('no');
    expect(r.reasons[0]).toMatch(
      /^Specialization is low, 300 labelled examples is a small data set, and latency is flexible/,
    );
    expect(r.reasons[1]).toMatch(/a medium data set \(1,000 or more labelled examples\) would change this verdict/);
  });
});

describe('recommend(): RAG first comes before "not enough examples"', () => {
  it.each([
    [{ knowledgeChange: 'daily' }, 3, 7, /changes daily/],
    [{ knowledgeChange: 'weekly' }, 0, 10, /changes weekly/],
    [{ taskType: 'domain_qa' }, 9, 1, /Q&A over documents/],
    [{ taskType: 'domain_qa', knowledgeChange: 'daily' }, 1, 9, /changes daily/],
  ] as const)('%o with %i examples → RAG first, and collect %i more', (over, examples, more, first) => {
    const r = recommend(with_({ ...(over as Partial<Answers>), examples, specialization: 'high' }), NOW);
    expect(r.verdict).toBe('rag_first');
    expect(r.headline).toBe('Fine-tune: not first; start with RAG');
    expect(r.reasons[0]).toMatch(first);
    expect(r.reasons.at(-1)).toBe(
      `To fine-tune later, collect at least ${more} more labelled example${more === 1 ? '' : 's'} first: you have ` +
        `${examples}, and the providers refuse training files with fewer than 10.`,
    );
    expect(r.alternatives[0]?.name).toBe('RAG with your domain documents');
  });

  it.each([
    [{ knowledgeChange: 'daily', tried: ['rag'] }, 'not_yet'],
    [{ taskType: 'domain_qa', tried: ['rag', 'prompting'] }, 'not_yet'],
    [{ knowledgeChange: 'rarely' }, 'not_yet'],
  ] as const)('%o with 3 examples → %s: RAG is in place or not needed', (over, verdict) => {
    const r = recommend(with_({ ...(over as Partial<Answers>), examples: 3 }), NOW);
    expect(r.verdict).toBe(verdict);
    expect(r.reasons[0]).toContain('Collect at least 7 more');
  });

  it('with enough examples, RAG first adds no "collect more" reason', () => {
    const r = recommend(with_({ knowledgeChange: 'daily', examples: 10 }), NOW);
    expect(r.verdict).toBe('rag_first');
    expect(r.reasons.join(' ')).not.toMatch(/collect at least/i);
  });
});

describe('recommend(): mentions no command that does not exist yet', () => {
  it.each([
    ['the API providers', {}],
    ['self-hosting at high volume', { monthlyTokens: 5e9 }],
    ['regulated data', { sensitivity: 'regulated' }],
    ['high volume and regulated data', { monthlyTokens: 5e9, sensitivity: 'regulated' }],
  ] as const)('%s: no "/finetune cost"', (_name, over) => {
    const r = recommend(with_({ ...(over as Partial<Answers>), specialization: 'high' }), NOW);
    expect(r.provider).toBeDefined();
    expect(JSON.stringify(r)).not.toContain('/finetune cost');
  });
});
