import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'ftbot-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return path;
}
const readJsonl = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('finetune-bot convert', () => {
  it('turns Alpaca-style pairs into chat examples a validator accepts', async () => {
    const pairs = Array.from({ length: 12 }, (_, i) => ({ instruction: `Add ${i} and ${i}.`, output: String(2 * i) }));
    const src = file('pairs.jsonl', [...pairs.slice(0, 6), '', ...pairs.slice(6)]);
    const out = join(dir, 'chat.jsonl');
    const r = await run('convert', src, '--to', 'chat', '--out', out, '--system', 'You add numbers.');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('Wrote 12 chat examples');
    const rows = readJsonl(out);
    expect(rows).toHaveLength(12);
    expect(rows[3]).toEqual({
      messages: [
        { role: 'system', content: 'You add numbers.' },
        { role: 'user', content: 'Add 3 and 3.' },
        { role: 'assistant', content: '6' },
      ],
    });
    expect((await run('validate', out)).code).toBe(0);
  });

  it('turns chat examples into the trainer format, keeping weight 0 turns marked', async () => {
    const src = file('chat-in.jsonl', [
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          { role: 'assistant', content: 'Hello', weight: 0 },
          { role: 'user', content: 'Again' },
          { role: 'assistant', content: 'Hello again' },
        ],
      },
    ]);
    const out = join(dir, 'trainer.jsonl');
    expect((await run('convert', src, '--to', 'trainer', '--out', out)).code).toBe(0);
    const [row] = readJsonl(out);
    expect(row.messages[0]).toEqual({ role: 'user', content: 'Hi' });
    expect(row.messages[1]).toMatchObject({ role: 'assistant', content: 'Hello', weight: 0 });
  });

  it('says when a file was already in the trainer’s format, and not when it changed', async () => {
    const already = file('already.jsonl', [
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
        ],
      },
    ]);
    const same = await run('convert', already, '--to', 'trainer', '--out', join(dir, 'same.jsonl'));
    expect(same.code).toBe(0);
    expect(same.out).toContain('was already in the trainer’s format');
    const parts = file('parts.jsonl', [
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          { role: 'assistant', content: 'Hello' },
        ],
      },
    ]);
    const changed = await run('convert', parts, '--to', 'trainer', '--out', join(dir, 'changed.jsonl'));
    expect(changed.out).not.toContain('already');
  });

  it('stops on the first bad line, names it, and leaves no output file behind', async () => {
    const src = file('broken.jsonl', [{ instruction: 'a', output: 'b' }, { instruction: 'c' }]);
    const out = join(dir, 'never.jsonl');
    const r = await run('convert', src, '--to', 'chat', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^finetune-bot: Line 2: Expected a prompt .* keys found: instruction\./);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('keeps an existing output file intact when the conversion fails', async () => {
    const out = file('existing.jsonl', [{ keep: true }]);
    const r = await run('convert', file('notjson.jsonl', ['{oops']), '--to', 'trainer', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Line 1: /);
    expect(readJsonl(out)).toEqual([{ keep: true }]);
  });

  it.each([
    [['convert'], /exactly one FILE/],
    [['convert', '/nope.jsonl', '--to', 'chat', '--out', 'x'], /no such file/],
    [['convert', 'FILE', '--to', 'yaml', '--out', 'x'], /--to is chat .* or trainer/],
    [['convert', 'FILE', '--to', 'chat'], /needs --out/],
    [['convert', 'FILE', '--to', 'trainer', '--out', 'x', '--system', 's'], /--system only applies/],
  ])('refuses %j with exit 2 and the usage', async (argv, message) => {
    const args = argv.map((a) => (a === 'FILE' ? file('any.jsonl', [{ a: 1 }]) : a));
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('finetune-bot convert FILE --to chat|trainer');
  });
});
