import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/data/lines.ts';
import { enc } from './helpers.ts';

const dec = new TextDecoder('utf-8', { ignoreBOM: true });

function split(parts: Array<string | number[]>, max = 1000): Array<[number, string | number]> {
  const out: Array<[number, string | number]> = [];
  const s = new LineSplitter(
    {
      line: (n, bytes) => out.push([n, dec.decode(bytes)]),
      tooLong: (n, length) => out.push([n, length]),
    },
    max,
  );
  // One reused buffer, as a source with a fixed read buffer would hand out.
  const buffer = new Uint8Array(4096);
  for (const p of parts) {
    const bytes = typeof p === 'string' ? enc.encode(p) : new Uint8Array(p);
    buffer.set(bytes);
    s.push(buffer.subarray(0, bytes.length));
  }
  s.end();
  return out;
}

describe('LineSplitter', () => {
  it.each([
    [
      'plain lines',
      ['a\nb\n'],
      [
        [1, 'a'],
        [2, 'b'],
      ],
    ],
    [
      'no newline at the end',
      ['a\nb'],
      [
        [1, 'a'],
        [2, 'b'],
      ],
    ],
    [
      'a line across chunks',
      ['ab', 'c', 'd\ne'],
      [
        [1, 'abcd'],
        [2, 'e'],
      ],
    ],
    [
      'CRLF, split between chunks',
      ['a\r', '\nb\r\n'],
      [
        [1, 'a'],
        [2, 'b'],
      ],
    ],
    [
      'blank lines kept (numbered)',
      ['\n\na\n'],
      [
        [1, ''],
        [2, ''],
        [3, 'a'],
      ],
    ],
    ['a BOM', ['\uFEFFa\n'], [[1, 'a']]],
    ['a BOM split across chunks', [[0xef], [0xbb, 0xbf, 0x61], '\n'], [[1, 'a']]],
    [
      'a BOM on a later line is kept',
      ['a\n\uFEFFb\n'],
      [
        [1, 'a'],
        [2, '\uFEFFb'],
      ],
    ],
    ['a multi-byte character across chunks', [[0xc3], [0xa9, 0x0a]], [[1, 'é']]],
    ['nothing', [], []],
  ] as Array<[string, Array<string | number[]>, Array<[number, string]>]>)('%s', (_name, parts, lines) => {
    expect(split(parts)).toEqual(lines);
  });

  it('reports an over-long line by length, across chunks, and reads on', () => {
    expect(split(['ok\n', 'x'.repeat(6), 'x'.repeat(6), 'x\nok\n'], 10)).toEqual([
      [1, 'ok'],
      [2, 13],
      [3, 'ok'],
    ]);
    expect(split(['x'.repeat(11)], 10)).toEqual([[1, 11]]);
  });

  it('takes a line of exactly the cap, with or without CR', () => {
    expect(split(['x'.repeat(10), '\r\n'], 10)).toEqual([[1, 'x'.repeat(10)]]);
  });

  it('counts lines and bytes', () => {
    const s = new LineSplitter({ line() {}, tooLong() {} }, 100);
    s.push(enc.encode('a\nbc\nd'));
    s.end();
    expect([s.lines, s.bytes]).toEqual([3, 6]);
  });
});
