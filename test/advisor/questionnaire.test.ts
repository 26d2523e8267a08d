import { describe, expect, it } from 'vitest';
import {
  DATA_VOLUMES,
  LARGE_DATA_ABOVE_EXAMPLES,
  MEDIUM_DATA_MIN_EXAMPLES,
  parseAmount,
  parseAnswers,
  QUESTIONS,
  type RawAnswers,
  volumeForExamples,
} from '../../src/advisor/questionnaire.ts';

const valid: RawAnswers = {
  useCase: '  Legal   document classification ',
  taskType: 'classification',
  examples: '20,000',
  dataVolume: 'large',
  specialization: 'high',
  latency: 'flexible',
  sensitivity: 'internal',
  monthlyTokens: '50M',
  tried: ['prompting'],
  knowledgeChange: 'rarely',
};

describe('parseAmount', () => {
  it.each([
    ['2500', 2500],
    ['2,500', 2500],
    ['2 500', 2500],
    ['1.5k', 1500],
    ['50M', 50_000_000],
    ['2b', 2_000_000_000],
    ['0', 0],
    ['1.1k', 1100],
    ['2.3M', 2_300_000],
    ['999999999999', 999_999_999_999],
  ])('reads %s as %d', (raw, value) => expect(parseAmount(raw)).toBe(value));

  it.each(['abc', '', '1e6', '12abc', '--3', '1.2.3', 'k'])('refuses %j', (raw) =>
    expect(parseAmount(raw)).toBeUndefined(),
  );
});

describe('parseAnswers', () => {
  it('turns a valid submission into typed answers, tidying the name', () => {
    const parsed = parseAnswers(valid);
    expect(parsed).toEqual({
      ok: true,
      answers: {
        useCase: 'Legal document classification',
        taskType: 'classification',
        examples: 20_000,
        dataVolume: 'large',
        specialization: 'high',
        latency: 'flexible',
        sensitivity: 'internal',
        monthlyTokens: 50_000_000,
        tried: ['prompting'],
        knowledgeChange: 'rarely',
      },
    });
  });

  it('accepts nothing tried', () => {
    const parsed = parseAnswers({ ...valid, tried: undefined });
    expect(parsed.ok && parsed.answers.tried).toEqual([]);
  });

  it.each([
    ['useCase', '   ', 'Give the use case a short name.'],
    ['useCase', 'x'.repeat(101), 'Keep it under 100 characters.'],
    ['examples', 'abc', '"abc" is not a number. Try 2500, 2.5k or 50M.'],
    ['examples', '-5', 'Use a number of zero or more.'],
    ['examples', '12.5', 'Use a whole number.'],
    ['examples', '1e9', '"1e9" is not a number. Try 2500, 2.5k or 50M.'],
    ['examples', '500M', 'That is more than 100 million; check the number.'],
    ['examples', '999999999999', 'That is more than 100 million; check the number.'],
    ['examples', '1.5', 'Use a whole number.'],
    ['examples', '', 'This answer is required.'],
    ['monthlyTokens', '99T', 'That is more than 10 trillion; check the number.'],
    ['monthlyTokens', 'lots', '"lots" is not a number. Try 2500, 2.5k or 50M.'],
    ['taskType', 'poetry', 'Pick one of the options shown.'],
    ['latency', undefined, 'This answer is required.'],
    ['tried', ['prompting', 'magic'], 'Pick from the options shown.'],
    // Every object has these; none is an answer of ours.
    ['taskType', 'constructor', 'Pick one of the options shown.'],
    ['taskType', '__proto__', 'Pick one of the options shown.'],
    ['latency', 'toString', 'Pick one of the options shown.'],
    ['tried', ['hasOwnProperty'], 'Pick from the options shown.'],
  ] as const)('%s = %j → "%s"', (field, value, message) => {
    const parsed = parseAnswers({ ...valid, [field]: value });
    expect(parsed).toEqual({ ok: false, errors: { [field]: message } });
  });

  it('answers megabyte answers with a short message, not a throw', () => {
    expect(parseAnswers({ ...valid, useCase: 'x'.repeat(1024 * 1024) })).toEqual({
      ok: false,
      errors: { useCase: 'Keep it under 100 characters.' },
    });
    const parsed = parseAnswers({ ...valid, examples: '9'.repeat(1024 * 1024) });
    expect(parsed.ok === false && parsed.errors.examples?.length).toBeLessThan(100);
  });

  it('reports every wrong field at once, on its own question', () => {
    const parsed = parseAnswers({ ...valid, useCase: '', examples: 'abc', monthlyTokens: '-1' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(Object.keys(parsed.errors).sort()).toEqual(['examples', 'monthlyTokens', 'useCase']);
  });

  it('asks at least the ten questions the issue lists', () => {
    expect(QUESTIONS.map((q) => q.id)).toEqual([
      'useCase',
      'taskType',
      'examples',
      'dataVolume',
      'specialization',
      'latency',
      'sensitivity',
      'monthlyTokens',
      'tried',
      'knowledgeChange',
    ]);
  });
});

describe('the data volume options', () => {
  it('show the same thresholds that volumeForExamples() applies', () => {
    expect(DATA_VOLUMES).toEqual({
      small: 'Small (under 1,000 examples)',
      medium: 'Medium (1,000 – 10,000)',
      large: 'Large (over 10,000)',
    });
    expect(volumeForExamples(MEDIUM_DATA_MIN_EXAMPLES - 1)).toBe('small');
    expect(volumeForExamples(MEDIUM_DATA_MIN_EXAMPLES)).toBe('medium');
    expect(volumeForExamples(LARGE_DATA_ABOVE_EXAMPLES)).toBe('medium');
    expect(volumeForExamples(LARGE_DATA_ABOVE_EXAMPLES + 1)).toBe('large');
  });

  it('no question mentions a command that does not exist yet', () => {
    expect(JSON.stringify(QUESTIONS)).not.toContain('/finetune cost');
  });
});
