/**
 * Recognising files that are not JSONL at all, so the report says what the file is and what to do
 * about it instead of listing thousands of identical line errors.
 */

/** How much of the file's start the binary check looks at. */
export const SNIFF_BYTES = 4096;

const MAGIC: Array<{ bytes: number[]; reason: string }> = [
  {
    bytes: [0x1f, 0x8b],
    reason: 'The file is gzip-compressed, not JSONL text. Decompress it and upload the .jsonl file inside.',
  },
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    reason:
      'The file is a ZIP archive (Excel and Word files are ZIPs too), not JSONL text. ' +
      'Export the examples as JSON Lines: one JSON object per line.',
  },
  {
    bytes: [0x25, 0x50, 0x44, 0x46],
    reason: 'The file is a PDF, not JSONL text. Training data must be JSON Lines: one JSON object per line.',
  },
  {
    bytes: [0x50, 0x41, 0x52, 0x31],
    reason:
      'The file is Parquet, not JSONL text. Convert it, e.g. with pandas: ' +
      "`pd.read_parquet(f).to_json('train.jsonl', orient='records', lines=True)`.",
  },
  {
    bytes: [0xff, 0xfe],
    reason: 'The file is UTF-16 text. Save it as UTF-8 (one JSON object per line) and upload it again.',
  },
  {
    bytes: [0xfe, 0xff],
    reason: 'The file is UTF-16 text. Save it as UTF-8 (one JSON object per line) and upload it again.',
  },
];

const startsWith = (head: Uint8Array, magic: number[]) => magic.every((b, i) => head[i] === b);

/**
 * Why the start of a file shows it is binary, or undefined when it looks like text. NUL bytes never
 * occur in UTF-8 text (JSON must escape them), and more than 1 in 10 control characters is not text
 * either, whatever the encoding.
 */
export function binaryReason(head: Uint8Array): string | undefined {
  for (const m of MAGIC) if (startsWith(head, m.bytes)) return m.reason;
  const n = Math.min(head.length, SNIFF_BYTES);
  let nul = 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i] as number;
    if (b === 0) nul++;
    else if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) || b === 0x7f) control++;
  }
  if (nul > 0 && nul >= n / 4 && head[0] !== 0 && head[1] === 0) {
    return 'The file looks like UTF-16 text (every other byte is zero). Save it as UTF-8 and upload it again.';
  }
  if (nul > 0) return 'The file contains NUL bytes, so it is a binary file, not JSONL text.';
  if (control * 10 > n) return 'The file is mostly non-text bytes, so it is a binary file, not JSONL text.';
  return undefined;
}

/**
 * What the first non-blank line, not a JSON object itself, suggests the file is: a plain-words
 * reason for the report's `fatal`. Undefined when it suggests nothing in particular, unless
 * `nothingParsed` (no line at all was an object), when the reason says just that.
 */
export function notJsonlReason(firstLine: string, linesSeen: number, nothingParsed: boolean): string | undefined {
  const t = firstLine.trim();
  const perLine = 'A fine-tuning file is JSON Lines: each line one complete JSON object, e.g. {"messages": [...]}.';
  if (t.startsWith('[')) {
    return `This looks like a JSON array, not JSONL. Write one example per line: each line a complete {…} object, with no surrounding [ ] and no commas between lines. ${perLine}`;
  }
  if (t === '{' || (t.startsWith('{') && !t.endsWith('}') && !t.endsWith('},'))) {
    return `This looks like pretty-printed JSON spread over several lines. ${perLine}`;
  }
  if (t.startsWith('{') && t.endsWith('},')) {
    return `The lines end with a comma, as in a JSON array. Remove the commas between lines (and any [ ]). ${perLine}`;
  }
  if (!t.includes('{') && (t.includes(',') || t.includes('\t') || t.includes(';'))) {
    return `This looks like CSV or TSV, not JSONL. Convert each row into a JSON object on its own line. ${perLine}`;
  }
  if (!nothingParsed) return undefined;
  return `None of the first ${linesSeen} line${linesSeen === 1 ? '' : 's'} is a JSON object. ${perLine}`;
}
