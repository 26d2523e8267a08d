/**
 * `finetune-bot convert FILE --to chat|trainer --out OUT`: instruction/response pairs → OpenAI chat
 * examples, or chat examples → what the self-hosted LoRA trainer reads. Streams both ends, and
 * writes beside OUT first so a conversion that stops on a bad line never leaves half a file.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chatToTrainer, convertJsonl, pairsToChat } from '../data/convert.ts';
import { readFileChunks } from '../data/read-file.ts';
import { type Io, UsageError } from './io.ts';

const TARGETS = {
  chat: (system?: string) => (record: Record<string, unknown>) => pairsToChat(record, { system }),
  trainer: () => chatToTrainer,
} as const;

export async function runConvert(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { to: { type: 'string' }, out: { type: 'string' }, system: { type: 'string' } },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError('convert takes exactly one FILE.');
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${file}: no such file.`);
  const to = values.to;
  if (to !== 'chat' && to !== 'trainer') throw new UsageError('--to is chat (from pairs) or trainer (from chat).');
  if (!values.out) throw new UsageError('convert needs --out FILE.');
  if (values.system !== undefined && to !== 'chat') throw new UsageError('--system only applies to --to chat.');

  const out = values.out;
  const partial = `${out}.partial`;
  const sink = createWriteStream(partial);
  let count = 0;
  // Examples the conversion left exactly as they were: all of them means the file was already there.
  let unchanged = 0;
  const convert = TARGETS[to](values.system);
  const counted = (record: Record<string, unknown>) => {
    const out = convert(record);
    if (JSON.stringify(out) === JSON.stringify(record)) unchanged++;
    return out;
  };
  try {
    for await (const line of convertJsonl(readFileChunks(file), counted)) {
      count++;
      if (!sink.write(line)) await once(sink, 'drain');
    }
    sink.end();
    await once(sink, 'finish');
    renameSync(partial, out);
  } catch (error) {
    sink.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
  io.out(`Wrote ${count.toLocaleString('en-US')} ${to === 'chat' ? 'chat' : 'trainer'} examples to ${out}.`);
  if (count > 0 && unchanged === count) {
    io.out(
      `${file} was already in the ${to === 'chat' ? 'chat' : 'trainer’s'} format: every example came out as it went in, so the file can be used as it is.`,
    );
  }
  return 0;
}
