import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { autoEpochs, HashSet52, hash52, quantiles, U32List } from '../../src/data/stats.ts';
import { ExampleCounter, loadCounter } from '../../src/data/tokens.ts';
import { jsonl, validate } from './helpers.ts';

const o200k = await loadCounter('o200k_base');
const cl100k = await loadCounter('cl100k_base');
const counter = new ExampleCounter(o200k);

describe('token counting', () => {
  it.each([
    ['o200k_base', 'hello world', 2],
    ['cl100k_base', 'hello world', 2],
    // tiktoken's README example: [83, 1609, 5963, 374, 2294, 0]
    ['cl100k_base', 'tiktoken is great!', 6],
    ['o200k_base', '', 0],
  ] as const)('%s counts %j as %i tokens', (encoding, text, n) => {
    expect((encoding === 'o200k_base' ? o200k : cl100k)(text)).toBe(n);
  });

  it('agrees with encoding the whole text at once, whitespace, numbers and all scripts included', () => {
    const text = "Hello,  WORLD's 12345 naïve 東京 🚚\n\n\tend  \r\n x'LL ١٢٣ done.   ";
    expect(o200k(text)).toBe(encode(text).length);
    expect(o200k(text.repeat(50))).toBe(encode(text.repeat(50)).length);
  });

  it('counts special-token text as plain text instead of throwing', () => {
    expect(o200k('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('counts a message as the cookbook does: 3 + role + content, +1 + name for a name', () => {
    expect(counter.message({ role: 'user', content: 'hello world' })).toEqual({ total: 6, output: 0, images: 0 });
    expect(counter.message({ role: 'assistant', content: 'hello world' })).toEqual({ total: 6, output: 2, images: 0 });
    expect(counter.message({ role: 'assistant', content: 'hello world', weight: 0 }).output).toBe(0);
    expect(counter.message({ role: 'user', name: 'ana', content: 'hello world' }).total).toBe(6 + o200k('ana') + 1);
  });

  it('counts text parts, tool-call names and arguments; images count nothing', () => {
    const parts = {
      role: 'user',
      content: [
        { type: 'text', text: 'hello world' },
        { type: 'image_url', image_url: { url: 'u' } },
      ],
    };
    expect(counter.message(parts)).toEqual({ total: 6, output: 0, images: 1 });
    const args = '{"city":"Oslo"}';
    const call = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'a', type: 'function', function: { name: 'weather', arguments: args } }],
    };
    const n = o200k('weather') + o200k(args);
    expect(counter.message(call)).toEqual({ total: 3 + 1 + n, output: n, images: 0 });
  });
});

describe('billable tokens and epochs', () => {
  // 3 + 1 + 2 per message, twice, + 3 to prime the reply.
  const hello = {
    messages: [
      { role: 'user', content: 'hello world' },
      { role: 'assistant', content: 'hello world' },
    ],
  };
  const file = (n: number) =>
    jsonl(Array.from({ length: n }, (_, i) => ({ messages: [...hello.messages, { role: 'user', content: `n${i}` }] })));

  it('reports the example, assistant and message distributions', async () => {
    const r = await validate(jsonl(Array(20).fill(hello)));
    expect(r.stats).toEqual({
      messages: { min: 2, p50: 2, p95: 2, max: 2, total: 40 },
      tokens: { min: 15, p50: 15, p95: 15, max: 15, total: 300 },
      assistantTokens: { min: 2, p50: 2, p95: 2, max: 2, total: 40 },
    });
  });

  it('estimates auto epochs from the number of examples, and bills tokens × epochs', async () => {
    const r = await validate(jsonl(Array(20).fill(hello)));
    expect(r.epochs).toEqual({ value: 5, auto: true });
    expect(r.trainingTokens).toBe(300);
    expect(r.billableTokens).toBe(1500);
  });

  it('uses the epochs given', async () => {
    const r = await validate(file(40), { epochs: 2 });
    expect(r.epochs).toEqual({ value: 2, auto: false });
    expect(r.billableTokens).toBe(r.trainingTokens * 2);
  });

  it.each([
    [1, 25],
    [4, 25],
    [5, 20],
    [10, 10],
    [33, 3],
    [34, 3],
    [8333, 3],
    [8334, 2],
    [25_000, 1],
    [1_000_000, 1],
  ])('auto epochs for %i examples: %i', (n, epochs) => {
    expect(autoEpochs(n)).toBe(epochs);
  });

  it('caps each example at the token limit, and says which were truncated', async () => {
    const long = {
      messages: [
        { role: 'user', content: 'hello '.repeat(20_000) },
        { role: 'assistant', content: 'ok' },
      ],
    };
    const r = await validate(jsonl([...Array(10).fill(hello), long]), { model: 'gpt-35-turbo-0125', epochs: 1 });
    expect(r).toMatchObject({
      model: 'gpt-3.5-turbo-0125',
      encoding: 'cl100k_base',
      tokenLimit: 16_385,
      truncatedExamples: 1,
    });
    expect(r.stats?.tokens.max).toBeGreaterThan(20_000);
    expect(r.trainingTokens).toBe(10 * 15 + 16_385);
    expect(r.warnings).toContainEqual({
      category: 'too_long',
      message:
        "1 example is over gpt-3.5-turbo-0125's limit of 16,385 tokens per example and will be truncated to it in training.",
      count: 1,
      lines: [11],
    });
  });
});

describe('compact stats', () => {
  it('takes nearest-rank quantiles', () => {
    const list = new U32List();
    for (let i = 100; i >= 1; i--) list.push(i);
    expect(quantiles(list)).toEqual({ min: 1, p50: 50, p95: 95, max: 100, total: 5050 });
    expect(quantiles(new U32List())).toEqual({ min: 0, p50: 0, p95: 0, max: 0, total: 0 });
  });

  it('remembers 52-bit hashes across growth', () => {
    const set = new HashSet52();
    for (let i = 0; i < 20_000; i++) expect(set.add(hash52(`example ${i}`))).toBe(true);
    for (let i = 0; i < 20_000; i += 7) expect(set.add(hash52(`example ${i}`))).toBe(false);
    expect(set.size).toBe(20_000);
    expect(Number.isSafeInteger(hash52('x'.repeat(1000)))).toBe(true);
  });
});
