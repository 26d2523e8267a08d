import { describe, expect, it } from 'vitest';
import { validateJsonl } from '../../src/data/validate.ts';
import { chats, enc, jsonl } from './helpers.ts';

const MB = 1024 * 1024;

describe('validateJsonl(): memory', () => {
  it('skips a 50 MB line without holding it: heap growth stays under 30 MB', async () => {
    const piece = enc.encode('x'.repeat(64 * 1024));
    let peak = 0;
    let start = 0;
    async function* source() {
      yield enc.encode(jsonl(chats(5)));
      start = process.memoryUsage().heapUsed;
      yield enc.encode('{"messages": [{"role": "user", "content": "');
      for (let i = 0; i < 800; i++) {
        if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - start);
        yield piece; // the same buffer each time: 50 MB streamed, never allocated at once
      }
      yield enc.encode(`"}, {"role": "assistant", "content": "x"}]}\n${jsonl(chats(10, 5))}`);
      peak = Math.max(peak, process.memoryUsage().heapUsed - start);
    }
    const r = await validateJsonl(source(), { model: 'gpt-4o-mini' });
    expect(r.errors).toEqual([
      {
        line: 6,
        path: '$',
        category: 'line_too_long',
        message: 'The line is 50.0 MB, over the 8.0 MB one example may take, so it was skipped unread.',
      },
    ]);
    expect(r).toMatchObject({ lines: 16, validExamples: 15 });
    expect(r.bytes).toBeGreaterThan(50 * MB);
    expect(peak).toBeLessThan(30 * MB);
  });
});
