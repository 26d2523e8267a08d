import { describe, expect, it } from 'vitest';
import { chats, jsonl, validate } from './helpers.ts';

const user = (content: string) => ({ role: 'user', content });
const bot = (content: string) => ({ role: 'assistant', content });

function dpo(i: number): Record<string, unknown> {
  return {
    input: { messages: [{ role: 'system', content: 'Be kind.' }, user(`Rate movie ${i}`)] },
    preferred_output: [bot(`Movie ${i} is worth a watch.`)],
    non_preferred_output: [bot('No.')],
  };
}
const dpos = (n: number) => Array.from({ length: n }, (_, i) => dpo(i));

describe('validateJsonl(): supervised chat beyond plain text', () => {
  it('accepts tool calls with their replies, tools, weights, names and images', async () => {
    const tools = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }];
    const example = {
      tools,
      parallel_tool_calls: false,
      messages: [
        { role: 'system', content: 'You check the weather.' },
        {
          role: 'user',
          name: 'ana',
          content: [
            { type: 'text', text: 'Weather here?' },
            { type: 'image_url', image_url: { url: 'https://x/p.png' } },
          ],
        },
        { role: 'assistant', content: 'Let me think.', weight: 0 },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"temp": 3}' },
        { role: 'assistant', content: 'It is 3 °C in Oslo.', weight: 1 },
      ],
    };
    const legacy = {
      functions: [{ name: 'f', parameters: {} }],
      messages: [
        user('go'),
        { role: 'assistant', function_call: { name: 'f', arguments: '{}' } },
        { role: 'function', name: 'f', content: 'ok' },
        bot('done'),
      ],
    };
    const r = await validate(jsonl([...chats(60), example, legacy]));
    expect(r.errors).toEqual([]);
    expect(r.format).toBe('chat');
    expect(r.validExamples).toBe(62);
    expect(r.warnings.map((w) => w.category).sort()).toEqual(['images_not_counted', 'missing_system_message']);
  });
});

describe('validateJsonl(): DPO', () => {
  it('accepts a DPO file for a model that trains with DPO', async () => {
    const r = await validate(jsonl(dpos(60)), { model: 'gpt-4.1' });
    expect(r).toMatchObject({ ok: true, format: 'dpo', validExamples: 60, errors: [] });
    expect(r.stats?.messages.max).toBe(3); // the input and the preferred answer
  });

  it('refuses DPO for a model that cannot train with it', async () => {
    const r = await validate(jsonl(dpos(12)), { model: 'gpt-4o-mini' });
    expect(r.errors[0]).toEqual({
      line: 0,
      path: '$',
      category: 'dpo_unsupported_model',
      message: expect.stringMatching(
        /^gpt-4o-mini-2024-07-18 cannot be trained with DPO; models that can: gpt-4.1-2025-04-14/,
      ),
    });
  });

  const input = { messages: [user('Hi')] };
  it.each([
    [
      'no input',
      { preferred_output: [bot('a')], non_preferred_output: [bot('b')] },
      'dpo_missing_input',
      '$.input',
      /no "input"/,
    ],
    [
      'input without messages',
      { input: {}, preferred_output: [bot('a')], non_preferred_output: [bot('b')] },
      'missing_messages_list',
      '$.input.messages',
      /must be an array/,
    ],
    [
      'an input ending with the answer',
      {
        input: { messages: [user('Hi'), bot('Hello')] },
        preferred_output: [bot('a')],
        non_preferred_output: [bot('b')],
      },
      'dpo_invalid_input',
      '$.input.messages[1]',
      /end before the answer/,
    ],
    [
      'no rejected output',
      { input, preferred_output: [bot('a')] },
      'dpo_missing_output',
      '$.non_preferred_output',
      /no "non_preferred_output"/,
    ],
    [
      'the old field names',
      { input, preferred_output: [bot('a')], non_preferred_completion: [bot('b')] },
      'dpo_missing_output',
      '$.non_preferred_output',
      /Rename "non_preferred_completion" to "non_preferred_output"/,
    ],
    [
      'an output that is a string',
      { input, preferred_output: 'a', non_preferred_output: [bot('b')] },
      'dpo_invalid_output',
      '$.preferred_output',
      /not a string/,
    ],
    [
      'a user message in an output',
      { input, preferred_output: [user('a')], non_preferred_output: [bot('b')] },
      'dpo_invalid_output',
      '$.preferred_output[0].role',
      /not user/,
    ],
    [
      'a bad message in an output',
      { input, preferred_output: [{ role: 'assistant', content: 3 }], non_preferred_output: [bot('b')] },
      'missing_content',
      '$.preferred_output[0].content',
      /not a number/,
    ],
  ])('%s → error', async (_what, bad, category, path, message) => {
    const r = await validate(jsonl([...dpos(3), bad, ...dpos(10)]), { model: 'gpt-4.1' });
    expect(r.errors).toContainEqual({ line: 4, path, category, message: expect.stringMatching(message) });
    expect(r.validExamples).toBe(13);
  });

  it('warns when both outputs are the same', async () => {
    const same = { ...dpo(1), non_preferred_output: dpo(1).preferred_output };
    const r = await validate(jsonl([...dpos(60), same]), { model: 'gpt-4.1' });
    expect(r.warnings).toEqual([expect.objectContaining({ category: 'dpo_identical_outputs', lines: [61] })]);
  });
});

describe('validateJsonl(): legacy prompt/completion', () => {
  const pc = (i: number) => ({ prompt: `Q${i}:`, completion: ` A${i}` });
  const pcs = (n: number) => Array.from({ length: n }, (_, i) => pc(i));

  it('reads it, counts it, and warns that the chat models need messages', async () => {
    const r = await validate(jsonl(pcs(60)));
    expect(r).toMatchObject({ ok: true, format: 'prompt_completion', validExamples: 60 });
    expect(r.warnings).toEqual([
      {
        category: 'legacy_format',
        message: expect.stringMatching(/train gpt-4.1-mini-2025-04-14 on chat "messages" only/),
        count: 60,
        lines: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      },
    ]);
    expect(r.stats?.tokens.total).toBeGreaterThan(0);
  });

  it('reports a missing completion', async () => {
    const r = await validate(jsonl([...pcs(10), { prompt: 'x' }]));
    expect(r.errors).toEqual([
      { line: 11, path: '$.completion', category: 'invalid_prompt_completion', message: '"completion" is missing.' },
    ]);
  });
});

describe('validateJsonl(): mixed formats', () => {
  it('reports lines that differ from the first format, and calls the file mixed', async () => {
    const r = await validate(jsonl([...chats(12), dpos(1)[0], { prompt: 'a', completion: 'b' }]));
    expect(r.format).toBe('mixed');
    expect(r.errors.map((e) => [e.line, e.category])).toEqual([
      [13, 'mixed_formats'],
      [14, 'mixed_formats'],
    ]);
    expect(r.validExamples).toBe(12);
  });

  it('says unknown when no line had a known format', async () => {
    const r = await validate(jsonl(Array(12).fill({ text: 'hello' })));
    expect(r.format).toBe('unknown');
    expect(r.errorCounts.missing_messages_list).toBe(12);
  });
});
