import { describe, expect, it } from 'vitest';
import { ConversionError, chatToTrainer, convertJsonl, pairsToChat } from '../../src/data/convert.ts';
import { byteByByte, chunks, jsonl, validate } from './helpers.ts';

describe('pairsToChat()', () => {
  it.each([
    [{ instruction: 'Translate to French', input: 'cat', output: 'chat' }, 'Translate to French\n\ncat', 'chat'],
    [{ instruction: 'Say hi', input: '', output: 'hi' }, 'Say hi', 'hi'],
    [{ prompt: 'Capital of France?', response: 'Paris' }, 'Capital of France?', 'Paris'],
    [{ question: 'Why?', answer: 'Because.' }, 'Why?', 'Because.'],
    [{ prompt: 'Q:', completion: ' A' }, 'Q:', ' A'],
    [{ instruction: 'Summarise', context: 'Long text', response: 'Short' }, 'Summarise\n\nLong text', 'Short'],
  ])('%j', (record, user, assistant) => {
    expect(pairsToChat(record)).toEqual({
      messages: [
        { role: 'user', content: user },
        { role: 'assistant', content: assistant },
      ],
    });
  });

  it('adds the system prompt given, unless the record has its own', () => {
    expect(pairsToChat({ question: 'q', answer: 'a' }, { system: 'Be brief.' }).messages[0]).toEqual({
      role: 'system',
      content: 'Be brief.',
    });
    expect(
      pairsToChat({ system: 'Own.', question: 'q', answer: 'a' }, { system: 'Be brief.' }).messages[0]?.content,
    ).toBe('Own.');
  });

  it('says which keys it expected and which it found', () => {
    expect(() => pairsToChat({ text: 'x', label: 'y' })).toThrow(ConversionError);
    expect(() => pairsToChat({ text: 'x', label: 'y' })).toThrow(/keys found: text, label/);
  });
});

describe('chatToTrainer()', () => {
  it('flattens content parts, keeps tool turns, parses arguments and marks weight-0 turns', () => {
    const out = chatToTrainer({
      tools: [{ type: 'function', function: { name: 'weather' } }],
      messages: [
        { role: 'system', content: 'S' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image_url', image_url: { url: 'u' } },
            { type: 'text', text: 'what?' },
          ],
        },
        { role: 'assistant', content: 'Draft', weight: 0 },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '3' },
        { role: 'assistant', content: 'It is 3 °C.', weight: 1 },
      ],
    });
    expect(out).toEqual({
      tools: [{ type: 'function', function: { name: 'weather' } }],
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'Look:\nwhat?' },
        { role: 'assistant', content: 'Draft', weight: 0 },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ type: 'function', id: 'c1', function: { name: 'weather', arguments: { city: 'Oslo' } } }],
        },
        { role: 'tool', content: '3', tool_call_id: 'c1' },
        { role: 'assistant', content: 'It is 3 °C.' },
      ],
    });
  });

  it('turns legacy functions into tools', () => {
    const out = chatToTrainer({
      functions: [{ name: 'f' }],
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', function_call: { name: 'f', arguments: '{}' } },
        { role: 'function', name: 'f', content: 'ok' },
      ],
    });
    expect(out.tools).toEqual([{ type: 'function', function: { name: 'f' } }]);
    expect(out.messages.slice(1)).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'f', arguments: {} } }] },
      { role: 'tool', content: 'ok', name: 'f' },
    ]);
  });

  it('refuses a record without messages', () => {
    expect(() => chatToTrainer({ prompt: 'x' })).toThrow(/no "messages"/);
  });
});

describe('convertJsonl()', () => {
  async function collect(gen: AsyncGenerator<string>): Promise<string[]> {
    const out: string[] = [];
    for await (const line of gen) out.push(line);
    return out;
  }

  it('streams pairs into chat lines that validate, whatever the chunking', async () => {
    const pairs = Array.from({ length: 12 }, (_, i) => ({ question: `q${i}`, answer: `a${i}` }));
    const text = `\uFEFF${jsonl(pairs, '\r\n')}\n`;
    const lines = await collect(convertJsonl(byteByByte(text), (r) => pairsToChat(r, { system: 'S' })));
    expect(lines).toHaveLength(12);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toEqual(pairsToChat(pairs[0] ?? {}, { system: 'S' }));
    const report = await validate(lines.join(''));
    expect(report).toMatchObject({ totalErrors: 0, validExamples: 12 });
  });

  it('drops records the function returns nothing for', async () => {
    const lines = await collect(
      convertJsonl(chunks(jsonl([{ a: 1 }, { a: 2 }, { a: 3 }])), (r) => (r.a === 2 ? undefined : r)),
    );
    expect(lines).toEqual(['{"a":1}\n', '{"a":3}\n']);
  });

  it('stops at a broken line, naming it', async () => {
    await expect(collect(convertJsonl(chunks('{"a":1}\n{oops\n'), (r) => r))).rejects.toThrow(/^Line 2: /);
    await expect(collect(convertJsonl(chunks('{"a":1}\n{"b":2}\n'), (r) => pairsToChat(r)))).rejects.toThrow(
      /^Line 1: Expected a prompt/,
    );
  });
});
