/**
 * npm run bench:validate — throughput and peak memory of validateJsonl() on a large synthetic chat
 * file, against bare token counting of the same file, each run in a child process of its own so its
 * peak RSS (process.resourceUsage().maxRSS) is its own.
 *
 * The honest floor for a validator that reports token counts is "bare" counting: read the file in
 * the same chunks, split and decode lines the same way, JSON.parse each and count every message's
 * content. (Decoding whole chunks and splitting the string instead was slower: one non-Latin-1
 * character makes the whole chunk, and every line sliced from it, a two-byte string.) It
 * skips everything that makes a report (format checks, duplicate hashes, stats), so validator/bare
 * is the price of those. Two bare runs: gpt-tokenizer's own countTokens (what anyone would write)
 * and our piece-cached counter from src/data/tokens.ts (what the validator uses, and faster); the
 * target is against the faster of the two, so a faster counter cannot flatter the validator.
 *
 * Targets: validator throughput ≥ 0.7× bare; validator peak RSS < 200 MB, and within 20% between a
 * 50 MB and the full-size file (memory must not grow with the file). The VM this was written on is
 * noisy (±30% run to run), so each big-file run is repeated (--rounds) in rotating order and the
 * best time counts; RSS is the worst seen.
 *
 * Flags: --mb N (size of the big file, default 200), --rounds N (default 2), --keep (leave the
 * generated files in the temp dir). Children: --child=KIND --file PATH (started by the parent).
 *
 * Tokenizer choice: o200k_base counts of the message texts in the first 20 MB of this file (3.9 M
 * tokens, identical in all five), once each in a fresh process, Node 24.21, 2-core x86-64 VM, the
 * libraries installed in /tmp for the comparison (not in this project), best of 2–3 runs:
 *   gpt-tokenizer 4.0.0 countTokens   9.0 MB/s   (encode().length 8.4 MB/s)
 *   our piece-cached counter         12.8 MB/s   (gpt-tokenizer underneath)
 *   tiktoken 1.0.22 (WASM)            5.1 MB/s   (encode_ordinary)
 *   js-tiktoken 1.0.21                2.0 MB/s
 */
import { fork } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { LineSplitter } from '../src/data/lines.ts';
import { DEFAULT_MODEL } from '../src/data/models.ts';
import { readFileChunks } from '../src/data/read-file.ts';
import { type CountText, loadCounter } from '../src/data/tokens.ts';
import { validateJsonl } from '../src/data/validate.ts';

const MB = 1024 * 1024;
const SMALL_MB = 50;
const RATIO_TARGET = 0.7;
const RSS_TARGET_MB = 200;
const RSS_SPREAD = 0.2;

// ---- synthetic data ------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every run benchmarks the same file. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = (
  'the of and to a in is that for it as with was on be by this are or at from your you we can not have ' +
  'order account refund delivery invoice password shipping customer support please thanks help issue ' +
  'problem error update payment subscription plan card address email phone number tracking package ' +
  'return exchange warranty product service team manager request ticket status today tomorrow week ' +
  'month year price discount coupon store online app website login reset confirm cancel change check ' +
  'available stock size colour model version feature setting report data file upload download'
).split(' ');
const RARE =
  'Zürich café naïve façade résumé São Paulo Kraków Ångström 東京 北京 서울 Привет مرحبا 👍 🚚 ✅ €42 £19.99'.split(
    ' ',
  );
const SYLLABLES = 'ka lo mi ne ru sa ti vo zen qua ph th str ion ex ment ab ly ing er'.split(' ');

function sentence(rnd: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const r = rnd();
    if (r < 0.8) out.push(COMMON[Math.floor(rnd() * COMMON.length)] as string);
    else if (r < 0.9) {
      let w = '';
      for (let s = 1 + Math.floor(rnd() * 3); s > 0; s--) w += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
      out.push(w);
    } else if (r < 0.96) out.push(String(Math.floor(rnd() * 100_000)));
    else out.push(RARE[Math.floor(rnd() * RARE.length)] as string);
  }
  const s = out.join(' ');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}${rnd() < 0.2 ? '?' : '.'}`;
}

function paragraph(rnd: () => number, minWords: number, maxWords: number): string {
  let words = minWords + Math.floor(rnd() * (maxWords - minWords));
  const parts: string[] = [];
  while (words > 0) {
    const n = Math.min(words, 5 + Math.floor(rnd() * 20));
    parts.push(sentence(rnd, n));
    words -= n;
  }
  return parts.join(rnd() < 0.15 ? '\n' : ' ');
}

const SYSTEMS = [
  'You are a friendly support agent for an online store. Answer briefly and politely.',
  'You are Acme Bank’s assistant. Never reveal account numbers; escalate fraud reports.',
  'Reply in the customer’s language. Keep answers under 120 words and end with a question.',
];

function example(rnd: () => number): string {
  const messages: Array<{ role: string; content: string }> = [
    { role: 'system', content: SYSTEMS[Math.floor(rnd() * SYSTEMS.length)] as string },
  ];
  const turns = rnd() < 0.7 ? 1 : 2 + Math.floor(rnd() * 2);
  for (let t = 0; t < turns; t++) {
    messages.push({ role: 'user', content: paragraph(rnd, 10, 120) });
    messages.push({ role: 'assistant', content: paragraph(rnd, 20, 250) });
  }
  return JSON.stringify({ messages });
}

function generate(path: string, mb: number, seed: number): { bytes: number; examples: number } {
  const rnd = prng(seed);
  const fd = openSync(path, 'w');
  let bytes = 0;
  let examples = 0;
  let batch: string[] = [];
  let batchLength = 0;
  try {
    while (bytes + batchLength < mb * MB) {
      const line = `${example(rnd)}\n`;
      batch.push(line);
      batchLength += line.length;
      examples++;
      if (batchLength > MB) {
        bytes += writeSync(fd, batch.join(''));
        batch = [];
        batchLength = 0;
      }
    }
    if (batch.length > 0) bytes += writeSync(fd, batch.join(''));
  } finally {
    closeSync(fd);
  }
  return { bytes: statSync(path).size, examples };
}

// ---- children ------------------------------------------------------------------------------------

interface RunResult {
  kind: string;
  bytes: number;
  examples: number;
  tokens: number;
  seconds: number;
  maxRssMb: number;
  /** RSS once the tokenizer is loaded, before reading: Node, type stripping and the rank tables. */
  startRssMb: number;
  /** V8's young generation at the end: how much of the peak is garbage-collector headroom. */
  newSpaceMb: number;
}

/** JSON.parse and count each message's content: what any token-counting validator must do. */
type Counts = Pick<RunResult, 'bytes' | 'examples' | 'tokens'>;

async function bare(file: string, count: CountText): Promise<Counts> {
  const decoder = new TextDecoder();
  let bytes = 0;
  let examples = 0;
  let tokens = 0;
  // The validator's own line splitting and per-line decoding: the reading path is not what is compared.
  const splitter = new LineSplitter(
    {
      line(_n, raw) {
        if (raw.length === 0) return;
        const o = JSON.parse(decoder.decode(raw)) as { messages: Array<{ content: string }> };
        examples++;
        for (const m of o.messages) tokens += count(m.content);
      },
      tooLong() {},
    },
    Number.MAX_SAFE_INTEGER,
  );
  for await (const chunk of readFileChunks(file)) {
    bytes += chunk.length;
    splitter.push(chunk);
  }
  splitter.end();
  return { bytes, examples, tokens };
}

const KINDS = {
  'bare-lib': 'bare gpt-tokenizer',
  'bare-ours': 'bare, our counter',
  validator: 'validator',
} as const;
type Kind = keyof typeof KINDS;

async function child(kind: Kind, file: string): Promise<void> {
  // Load the tokenizer before the clock starts (the validator loads it as it starts, too).
  const ours = await loadCounter('o200k_base');
  const options = { disallowedSpecial: new Set<string>() };
  const lib: CountText = (text) => countTokens(text, options);
  const startRssMb = process.memoryUsage().rss / MB;
  const start = performance.now();
  let r: Counts;
  if (kind === 'bare-lib') r = await bare(file, lib);
  else if (kind === 'bare-ours') r = await bare(file, ours);
  else {
    const report = await validateJsonl(readFileChunks(file), { model: DEFAULT_MODEL });
    if (!report.ok) throw new Error(`validator found errors: ${JSON.stringify(report.errors.slice(0, 3))}`);
    r = { bytes: report.bytes, examples: report.examples, tokens: report.stats?.tokens.total ?? 0 };
  }
  const seconds = (performance.now() - start) / 1000;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const newSpaceMb = (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) / MB;
  process.send?.({ kind, ...r, seconds, maxRssMb, startRssMb, newSpaceMb } satisfies RunResult);
}

function run(kind: Kind, file: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = fork(fileURLToPath(import.meta.url), [`--child=${kind}`, '--file', file], { stdio: 'inherit' });
    let result: RunResult | undefined;
    p.on('message', (m) => {
      result = m as RunResult;
    });
    p.on('error', reject);
    p.on('exit', (code) => (result ? resolve(result) : reject(new Error(`${kind} child exited with ${code}`))));
  });
}

// ---- parent --------------------------------------------------------------------------------------

function show(label: string, r: RunResult): string {
  const mbps = r.bytes / MB / r.seconds;
  return (
    `  ${label.padEnd(24)} ${(r.bytes / MB).toFixed(0).padStart(4)} MB  ${r.seconds.toFixed(1).padStart(6)} s  ` +
    `${mbps.toFixed(2).padStart(6)} MB/s  ${Math.round(r.examples / r.seconds)
      .toLocaleString('en-US')
      .padStart(7)} examples/s  ` +
    `peak RSS ${r.maxRssMb.toFixed(0).padStart(4)} MB (${r.startRssMb.toFixed(0)} before reading, ` +
    `V8 new space ${r.newSpaceMb.toFixed(0)} MB at the end)`
  );
}

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

function best(runs: RunResult[]): RunResult {
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)) };
}

async function bench(mb: number, rounds: number, keep: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ftbot-validate-bench-'));
  try {
    const big = join(dir, `big-${mb}mb.jsonl`);
    const small = join(dir, `small-${SMALL_MB}mb.jsonl`);
    const t0 = performance.now();
    const g = generate(big, mb, 1);
    generate(small, Math.min(SMALL_MB, mb), 2);
    console.log(
      `generated ${(g.bytes / MB).toFixed(0)} MB (${g.examples.toLocaleString('en-US')} chat examples) ` +
        `+ ${Math.min(SMALL_MB, mb)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${rounds} round(s)`,
    );
    const runs: Record<Kind, RunResult[]> = { 'bare-lib': [], 'bare-ours': [], validator: [] };
    const order = Object.keys(KINDS) as Kind[];
    for (let i = 0; i < rounds; i++) {
      for (let k = 0; k < order.length; k++) {
        const kind = order[(k + i) % order.length] as Kind;
        runs[kind].push(await run(kind, big));
      }
    }
    const smallRun = await run('validator', small);
    const [lib, ours, validator] = [best(runs['bare-lib']), best(runs['bare-ours']), best(runs.validator)];
    if (lib.tokens !== ours.tokens) throw new Error(`token counts differ: ${lib.tokens} vs ${ours.tokens}`);
    console.log(`content tokens: ${lib.tokens.toLocaleString('en-US')} (the same from both bare counters)`);
    console.log(show(KINDS['bare-lib'], lib));
    console.log(show(KINDS['bare-ours'], ours));
    console.log(show(KINDS.validator, validator));
    console.log(show(`validator, ${SMALL_MB} MB file`, smallRun));
    const floor = lib.seconds < ours.seconds ? lib : ours;
    const ratio = validator.bytes / validator.seconds / (floor.bytes / floor.seconds);
    const spread = Math.abs(validator.maxRssMb - smallRun.maxRssMb) / smallRun.maxRssMb;
    const peak = Math.max(validator.maxRssMb, smallRun.maxRssMb);
    const targets = [
      [
        `throughput validator / fastest bare (${KINDS[floor.kind as Kind]}) = ${ratio.toFixed(2)}× (target ≥ ${RATIO_TARGET}×)`,
        ratio >= RATIO_TARGET,
      ],
      [`validator peak RSS = ${peak.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB)`, peak < RSS_TARGET_MB],
      [
        `peak RSS ${SMALL_MB} MB vs ${mb} MB file: ${smallRun.maxRssMb.toFixed(0)} vs ${validator.maxRssMb.toFixed(0)} MB, ` +
          `${(spread * 100).toFixed(0)}% apart (target ≤ ${RSS_SPREAD * 100}%)`,
        spread <= RSS_SPREAD,
      ],
    ] as const;
    for (const [text, met] of targets) console.log(`target: ${text} — ${verdict(met)}`);
    if (keep) console.log(`files kept in ${dir}`);
    return targets.every(([, met]) => met) ? 0 : 1;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    file: { type: 'string' },
    mb: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
if (values.child) await child(values.child as Kind, values.file ?? '');
else process.exitCode = await bench(Number(values.mb), Math.max(1, Number(values.rounds)), values.keep);
