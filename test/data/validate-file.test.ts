import { describe, expect, it } from 'vitest';
import { TUNABLE_MODELS } from '../../src/data/models.ts';
import { UnknownModelError, validateJsonl } from '../../src/data/validate.ts';
import { byteByByte, chat, chats, chunks, enc, jsonl, validate } from './helpers.ts';

describe('validateJsonl(): a good file', () => {
  it('passes, with the model resolved and its tokenizer and limit', async () => {
    const r = await validate(jsonl(chats(60)), { model: 'gpt-4.1-mini' });
    expect(r).toMatchObject({
      ok: true,
      model: 'gpt-4.1-mini-2025-04-14',
      encoding: 'o200k_base',
      tokenLimit: 65_536,
      format: 'chat',
      lines: 60,
      examples: 60,
      validExamples: 60,
      errors: [],
      totalErrors: 0,
      warnings: [],
      truncatedExamples: 0,
    });
    expect(r.fatal).toBeUndefined();
    expect(r.stats?.messages).toMatchObject({ min: 3, p50: 3, max: 3, total: 180 });
  });

  it('reads the same whether the bytes come whole or one at a time', async () => {
    const text = `\uFEFF${jsonl([...chats(12), chat(0)], '\r\n')}\r\n  \n`;
    const whole = await validate(text);
    const bytes = await validateJsonl(byteByByte(text), { model: 'gpt-4.1-mini' });
    expect(bytes).toEqual(whole);
    expect(whole).toMatchObject({ examples: 13, validExamples: 13, totalErrors: 0, lines: 15 });
  });
});

describe('validateJsonl(): bytes and lines', () => {
  it('accepts a UTF-8 BOM', async () => {
    const r = await validate(`\uFEFF${jsonl(chats(12))}`);
    expect(r.ok).toBe(true);
    expect(r.validExamples).toBe(12);
  });

  it('accepts CRLF line ends', async () => {
    const r = await validate(jsonl(chats(12), '\r\n'));
    expect(r).toMatchObject({ ok: true, lines: 12, examples: 12 });
  });

  it('skips blank lines but counts them in line numbers', async () => {
    const text = `\n${JSON.stringify(chat(1))}\n\n   \n${jsonl([{ messages: 'x' }, ...chats(10)])}`;
    const r = await validate(text);
    expect(r.examples).toBe(12);
    expect(r.errors).toEqual([expect.objectContaining({ line: 5, category: 'missing_messages_list' })]);
  });

  it('reports invalid UTF-8 on its line and reads on', async () => {
    const good = enc.encode(jsonl(chats(2)));
    const bad = new Uint8Array([...enc.encode('{"messages": "caf'), 0xc3, 0x28, ...enc.encode('"}\n')]);
    const rest = enc.encode(jsonl(chats(10, 2)));
    const r = await validateJsonl(chunks(good, bad, rest), { model: 'gpt-4o' });
    expect(r.errors).toEqual([
      {
        line: 3,
        path: '$',
        category: 'invalid_utf8',
        message: 'The line is not valid UTF-8 text. Save the file with UTF-8 encoding.',
      },
    ]);
    expect(r.validExamples).toBe(12);
  });

  it('stops at a binary file with a plain reason', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield png;
      }
    }
    const r = await validateJsonl(source(), { model: 'gpt-4o' });
    expect(r.ok).toBe(false);
    expect(r.fatal).toMatch(/binary file, not JSONL/);
    expect(pulled).toBe(1);
    expect(r.examples).toBe(0);
  });

  it.each([
    ['gzip', [0x1f, 0x8b, 8, 0], /gzip-compressed/],
    ['zip / xlsx', [0x50, 0x4b, 3, 4], /ZIP archive/],
    ['UTF-16', [0xff, 0xfe, 0x7b, 0], /UTF-16/],
  ])('names a %s file', async (_name, bytes, reason) => {
    const r = await validateJsonl(chunks(new Uint8Array(bytes)), { model: 'gpt-4o' });
    expect(r.fatal).toMatch(reason);
  });

  it('explains a JSON array file', async () => {
    const r = await validate(JSON.stringify(chats(12), null, 2));
    expect(r.ok).toBe(false);
    expect(r.fatal).toMatch(/^This looks like a JSON array, not JSONL\. Write one example per line/);
    expect(r.errors[0]).toMatchObject({ line: 1, category: 'invalid_json' });
  });

  it('explains a compact JSON array with one example a line', async () => {
    const text = `[${chats(12)
      .map((c) => JSON.stringify(c))
      .join(',\n')}]`;
    const r = await validate(text);
    expect(r.fatal).toMatch(/JSON array/);
  });

  it('explains a CSV file, and stops reading after 20 lines of it', async () => {
    const rows = ['instruction,response', ...Array.from({ length: 500 }, (_, i) => `q${i},a${i}`)];
    const r = await validate(rows.join('\n'));
    expect(r.fatal).toMatch(/^This looks like CSV or TSV/);
    expect(r.totalErrors).toBe(20);
    expect(r.errorCounts).toEqual({ invalid_json: 20 });
  });

  it('explains a pretty-printed object', async () => {
    const r = await validate(JSON.stringify(chat(1), null, 2));
    expect(r.fatal).toMatch(/pretty-printed JSON/);
  });

  it('reports an empty file as having no examples', async () => {
    const r = await validate('');
    expect(r).toMatchObject({ ok: false, bytes: 0, lines: 0, examples: 0, format: 'unknown' });
    expect(r.errors).toEqual([
      {
        line: 0,
        path: '$',
        category: 'too_few_examples',
        message: 'The file has no examples; at least 10 are needed.',
      },
    ]);
    expect(r.stats).toBeUndefined();
  });

  it('skips a line over maxLineBytes without holding it, and reads on', async () => {
    const r = await validate(
      jsonl([...chats(2), { messages: [{ role: 'user', content: 'x'.repeat(2000) }] }, ...chats(10)]),
      {
        maxLineBytes: 1000,
      },
    );
    expect(r.errors).toEqual([
      expect.objectContaining({
        line: 3,
        path: '$',
        category: 'line_too_long',
        message: expect.stringMatching(/skipped/),
      }),
    ]);
    expect(r.validExamples).toBe(12);
  });
});

describe('validateJsonl(): how many examples', () => {
  it('9 valid examples is an error', async () => {
    const r = await validate(jsonl(chats(9)));
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      {
        line: 0,
        path: '$',
        category: 'too_few_examples',
        message: 'Only 9 valid examples; fine-tuning needs at least 10.',
      },
    ]);
  });

  it('counts only valid examples towards the minimum', async () => {
    const r = await validate(jsonl([...chats(9), { messages: [] }]));
    expect(r.errorCounts).toEqual({ missing_messages_list: 1, too_few_examples: 1 });
  });

  it('30 examples is a warning, not an error', async () => {
    const r = await validate(jsonl(chats(30)));
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      { category: 'few_examples', message: expect.stringMatching(/^Only 30 examples: .*50–100/), count: 1, lines: [] },
    ]);
  });
});

describe('validateJsonl(): warnings', () => {
  it('finds duplicates, even with different spacing, and says where', async () => {
    const dup = JSON.stringify(chat(3), null, 1).replace(/\n/g, '');
    const r = await validate(jsonl([...chats(60), dup, chat(5)]));
    expect(r.ok).toBe(true);
    expect(r.warnings).toContainEqual({
      category: 'duplicate_example',
      message: expect.stringMatching(/^2 examples repeat an earlier one exactly/),
      count: 2,
      lines: [61, 62],
    });
  });

  it('counts examples without a system or user message', async () => {
    const noSystem = {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ],
    };
    const noUser = {
      messages: [
        { role: 'system', content: 'Be nice' },
        { role: 'assistant', content: 'Hello' },
      ],
    };
    const r = await validate(jsonl([...chats(60), noSystem, noUser, noSystem]));
    const by = Object.fromEntries(r.warnings.map((w) => [w.category, w]));
    expect(by.missing_system_message).toMatchObject({ count: 2, lines: [61, 63] });
    expect(by.missing_system_message?.message).toMatch(/^2 examples have no system message/);
    expect(by.missing_user_message).toMatchObject({ count: 1, lines: [62] });
  });

  it('names keys outside the format, once per example', async () => {
    const r = await validate(jsonl([...chats(60), { ...chat(99), id: 1, source: 'x' }]));
    expect(r.warnings).toEqual([
      {
        category: 'unrecognized_key',
        message: expect.stringMatching(/1 example has keys outside the format \(id, source\)/),
        count: 1,
        lines: [61],
      },
    ]);
  });

  it('warns about a file over 512 MB', async () => {
    // 513 lines of 1 MB of spaces: blank, so quick to read, but the bytes count.
    const blank = new Uint8Array(1024 * 1024).fill(0x20);
    blank[blank.length - 1] = 0x0a;
    async function* source() {
      yield enc.encode(jsonl(chats(50)));
      for (let i = 0; i < 513; i++) yield blank;
    }
    const r = await validateJsonl(source(), { model: 'gpt-4o' });
    expect(r.bytes).toBeGreaterThan(513 * 1024 * 1024);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      {
        category: 'file_too_large',
        message: expect.stringMatching(/^The file is 513 MB.*Uploads API/),
        count: 1,
        lines: [],
      },
    ]);
  });
});

describe('validateJsonl(): the model', () => {
  it('refuses an unknown model before reading anything, listing the known ones', async () => {
    let read = false;
    async function* source() {
      read = true;
      yield enc.encode('{}');
    }
    const error = await validateJsonl(source(), { model: 'gpt-5' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownModelError);
    expect((error as Error).message).toBe(
      `Unknown model "gpt-5". Models that can be fine-tuned: ${TUNABLE_MODELS.map((m) => m.id).join(', ')}.`,
    );
    expect(read).toBe(false);
  });

  it('refuses epochs outside 1–50', async () => {
    await expect(validate(jsonl(chats(10)), { epochs: 0 })).rejects.toThrow(/1 to 50/);
  });

  it('uses the stricter limit unless the provider is named', async () => {
    expect((await validate(jsonl(chats(10)), { model: 'gpt-4.1-nano' })).tokenLimit).toBe(32_768);
    expect((await validate(jsonl(chats(10)), { model: 'gpt-4.1-nano', provider: 'openai' })).tokenLimit).toBe(65_536);
  });

  it('propagates an error from the source', async () => {
    async function* source() {
      yield enc.encode(jsonl(chats(3)));
      throw new Error('download failed');
    }
    await expect(validateJsonl(source(), { model: 'gpt-4o' })).rejects.toThrow('download failed');
  });
});
