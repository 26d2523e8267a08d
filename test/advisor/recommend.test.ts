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
  });

  it.each([
    ['high specialization', { specialization: 'high' }, /^High specialization/],
    ['medium data', { dataVolume: 'medium' }, /^A medium data set/],
    ['large data', { dataVolume: 'large', examples: 5000 }, /^A large data set/],
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
    [{ taskType: 'classification', dataVolume: 'medium' }, 'gpt-4.1-nano-2025-04-14'],
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

  it('flags a large data volume with few labelled examples', () => {
    const r = recommend(with_({ dataVolume: 'large', examples: 200 }), NOW);
    expect(r.warnings.join(' ')).toMatch(/describe the data as large but have 200 labelled examples/);
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
    expect(all.length).toBeGreaterThan(10_000);
    for (const a of all) {
      const r = recommend(a, NOW);
      const blogSignal = a.specialization === 'high' || a.dataVolume !== 'small' || a.latency === 'strict';
      const ragOverride =
        (a.taskType === 'domain_qa' || ['weekly', 'daily'].includes(a.knowledgeChange)) && !a.tried.includes('rag');
      const ctx = JSON.stringify(a);
      expect(r.reasons.length, ctx).toBeGreaterThan(0);
      if (a.examples >= 10 && !ragOverride) expect(r.fineTune, ctx).toBe(blogSignal);
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
