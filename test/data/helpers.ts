/** Building JSONL files and byte streams for the src/data tests. */
import { type ValidateOptions, validateJsonl } from '../../src/data/validate.ts';

export const enc = new TextEncoder();

/** Strings or bytes, one chunk each: lets a test put chunk boundaries where it wants them. */
export async function* chunks(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? enc.encode(p) : p;
}

/** The same bytes one at a time: every boundary case at once. */
export async function* byteByByte(text: string | Uint8Array): AsyncGenerator<Uint8Array> {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
}

/** One line per record; a string is written as is (for broken lines). */
export function jsonl(records: unknown[], eol = '\n'): string {
  return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join(eol) + eol;
}

export function chat(i: number): { messages: Array<Record<string, unknown>> } {
  return {
    messages: [
      { role: 'system', content: 'You answer briefly.' },
      { role: 'user', content: `What is ${i} + ${i}?` },
      { role: 'assistant', content: `${i + i}.` },
    ],
  };
}

export function chats(n: number, from = 0): Array<ReturnType<typeof chat>> {
  return Array.from({ length: n }, (_, i) => chat(from + i));
}

export function validate(text: string | Uint8Array, options: Partial<ValidateOptions> = {}) {
  return validateJsonl(chunks(text), { model: 'gpt-4.1-mini', ...options });
}
