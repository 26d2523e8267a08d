import { describe, expect, it } from 'vitest';
import { chats, jsonl, validate } from './helpers.ts';

const sys = { role: 'system', content: 'Be brief.' };
const user = { role: 'user', content: 'Hi?' };
const bot = { role: 'assistant', content: 'Hello.' };
const call = (args: unknown = '{"city":"Paris"}', extra: Record<string, unknown> = {}) => ({
  id: 'call_1',
  type: 'function',
  function: { name: 'weather', arguments: args },
  ...extra,
});
const withCall = (c: unknown) => ({ role: 'assistant', content: null, tool_calls: [c] });
const toolReply = { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 21}' };
const msgs = (...messages: unknown[]) => ({ messages });

/** [what, the bad line, category, path, message]: the bad line sits on line 4, after 3 good ones. */
const CASES: Array<[string, unknown, string, string, RegExp]> = [
  ['a JSON array line', '[1, 2]', 'data_type', '$', /one JSON object \{…\}, not an array/],
  ['a JSON string line', '"hello"', 'data_type', '$', /not a string/],
  ['broken JSON', '{"messages": [}', 'invalid_json', '$', /^Not valid JSON: /],
  [
    'no messages key',
    { conversation: [] },
    'missing_messages_list',
    '$',
    /No "messages" list \(keys found: conversation\)/,
  ],
  [
    'pairs instead of messages',
    { instruction: 'a', output: 'b' },
    'missing_messages_list',
    '$',
    /instruction\/response pairs/,
  ],
  [
    'messages not an array',
    { messages: 'hi' },
    'missing_messages_list',
    '$.messages',
    /must be an array of messages, not a string/,
  ],
  ['empty messages', { messages: [] }, 'missing_messages_list', '$.messages', /is empty/],
  ['a message that is a string', msgs(user, 'hello', bot), 'data_type', '$.messages[1]', /must be a JSON object/],
  ['no role', msgs({ content: 'x' }, bot), 'message_missing_key', '$.messages[0]', /no "role"/],
  ['no content', msgs({ role: 'user' }, bot), 'message_missing_key', '$.messages[0]', /no "content"/],
  ['an unknown key', msgs({ ...user, lang: 'en' }, bot), 'message_unrecognized_key', '$.messages[0].lang', /"lang"/],
  ['an unknown role', msgs(user, { role: 'bot', content: 'x' }), 'unrecognized_role', '$.messages[1].role', /"bot"/],
  [
    'content a number',
    msgs(sys, { role: 'user', content: 42 }, bot),
    'missing_content',
    '$.messages[1].content',
    /not a number/,
  ],
  ['content empty', msgs({ role: 'user', content: '' }, bot), 'missing_content', '$.messages[0].content', /empty/],
  [
    'content null on a user',
    msgs({ role: 'user', content: null }, bot),
    'missing_content',
    '$.messages[0].content',
    /null/,
  ],
  ['no assistant', msgs(sys, user), 'example_missing_assistant_message', '$.messages', /no assistant message/],
  ['all weight 0', msgs(user, { ...bot, weight: 0 }), 'example_missing_assistant_message', '$.messages', /weight 0/],
  ['weight 2', msgs(sys, user, { ...bot, weight: 2 }), 'invalid_weight', '$.messages[2].weight', /0 or 1, not 2/],
  ['weight "1"', msgs(user, { ...bot, weight: '1' }), 'invalid_weight', '$.messages[1].weight', /0 or 1, not "1"/],
  [
    'weight on a user',
    msgs(sys, { ...user, weight: 1 }, bot),
    'invalid_weight',
    '$.messages[1].weight',
    /Only assistant/,
  ],
  [
    'a name that is a number',
    msgs({ ...user, name: 7 }, bot),
    'invalid_name',
    '$.messages[0].name',
    /non-empty string/,
  ],
  [
    'tool_calls on a user',
    msgs({ ...user, tool_calls: [call()] }, bot),
    'invalid_tool_calls',
    '$.messages[0].tool_calls',
    /Only assistant/,
  ],
  [
    'tool_calls not an array',
    msgs(user, { role: 'assistant', content: 'x', tool_calls: {} }),
    'invalid_tool_calls',
    '$.messages[1].tool_calls',
    /non-empty array/,
  ],
  [
    'a call without id',
    msgs(user, withCall(call(undefined, { id: undefined })), toolReply, bot),
    'invalid_tool_calls',
    '$.messages[1].tool_calls[0].id',
    /"id"/,
  ],
  [
    'a call of type x',
    msgs(user, withCall(call(undefined, { type: 'x' })), toolReply, bot),
    'invalid_tool_calls',
    '$.messages[1].tool_calls[0].type',
    /"function"/,
  ],
  [
    'arguments not JSON',
    msgs(user, withCall(call('{city: Paris')), toolReply, bot),
    'invalid_tool_arguments',
    '$.messages[1].tool_calls[0].function.arguments',
    /not valid JSON/,
  ],
  [
    'arguments an object',
    msgs(user, withCall(call({ city: 'Paris' })), toolReply, bot),
    'invalid_tool_arguments',
    '$.messages[1].tool_calls[0].function.arguments',
    /string of JSON, not an object\. Encode/,
  ],
  [
    'a legacy function_call with bad arguments',
    msgs(user, { role: 'assistant', function_call: { name: 'f', arguments: 'nope' } }),
    'invalid_tool_arguments',
    '$.messages[1].function_call.arguments',
    /not valid JSON/,
  ],
  [
    'a tool reply to no call',
    msgs(user, withCall(call()), { ...toolReply, tool_call_id: 'call_9' }, bot),
    'invalid_tool_message',
    '$.messages[2].tool_call_id',
    /"call_9"/,
  ],
  [
    'a tool reply without id',
    msgs(user, withCall(call()), { role: 'tool', content: 'x' }, bot),
    'message_missing_key',
    '$.messages[2]',
    /tool_call_id/,
  ],
  [
    'a function reply without name',
    msgs(user, { role: 'function', content: 'x' }, bot),
    'message_missing_key',
    '$.messages[1]',
    /"name"/,
  ],
  [
    'an audio part',
    msgs({ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }, bot),
    'invalid_content_part',
    '$.messages[0].content[0].type',
    /"input_audio"/,
  ],
  [
    'a text part without text',
    msgs({ role: 'user', content: [{ type: 'text' }] }, bot),
    'invalid_content_part',
    '$.messages[0].content[0].text',
    /"text" as a string/,
  ],
  [
    'an image from the assistant',
    msgs(user, { role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }),
    'invalid_content_part',
    '$.messages[1].content[0]',
    /only in user messages/,
  ],
  [
    'an image without url',
    msgs({ role: 'user', content: [{ type: 'image_url', image_url: {} }] }, bot),
    'invalid_content_part',
    '$.messages[0].content[0].image_url',
    /"url"/,
  ],
  [
    'tools not an array',
    { ...msgs(user, bot), tools: { type: 'function' } },
    'invalid_tools',
    '$.tools',
    /non-empty array/,
  ],
  [
    'a tool without a name',
    { ...msgs(user, bot), tools: [{ type: 'function', function: {} }] },
    'invalid_tools',
    '$.tools[0]',
    /"type": "function"/,
  ],
  [
    'parallel_tool_calls "yes"',
    { ...msgs(user, bot), parallel_tool_calls: 'yes' },
    'invalid_tools',
    '$.parallel_tool_calls',
    /true or false/,
  ],
  [
    '129 functions',
    { ...msgs(user, bot), functions: Array(129).fill({ name: 'f' }) },
    'invalid_tools',
    '$.functions',
    /1 to 128/,
  ],
  [
    'a DPO line in a chat file',
    { input: { messages: [user] }, preferred_output: [bot], non_preferred_output: [bot] },
    'mixed_formats',
    '$',
    /DPO .* but the file started as chat \(messages\) on line 1/,
  ],
];

describe('validateJsonl(): each error, with its line, path and message', () => {
  const table = CASES.map(([what, bad, category, path, message]) => ({ what, bad, category, path, message }));
  it.each(table)('$what → $category', async ({ bad, category, path, message }) => {
    const r = await validate(jsonl([...chats(3), bad, ...chats(10, 3)]));
    expect(r.ok).toBe(false);
    expect(r.errors).toContainEqual({ line: 4, path, category, message: expect.stringMatching(message) });
    expect(r.errors.every((e) => e.line === 4)).toBe(true);
    expect(r.errorCounts[category]).toBeGreaterThanOrEqual(1);
    expect(r.totalErrors).toBe(r.errors.length);
    // The other 13 lines stay valid and counted.
    expect(r.validExamples).toBe(13);
  });

  it('counts every error but lists only the first maxErrors, in line order', async () => {
    const bad = { messages: [{ role: 'user', content: 1 }] }; // two errors a line
    const r = await validate(jsonl([...chats(10), ...Array(30).fill(bad)]), { maxErrors: 5 });
    expect(r.totalErrors).toBe(60);
    expect(r.errorCounts).toEqual({ missing_content: 30, example_missing_assistant_message: 30 });
    expect(r.errors.map((e) => e.line)).toEqual([11, 11, 12, 12, 13]);
  });

  it('lists the default of 50', async () => {
    const r = await validate(jsonl([...chats(10), ...Array(80).fill('{')]));
    expect(r.totalErrors).toBe(80);
    expect(r.errors).toHaveLength(50);
  });
});
