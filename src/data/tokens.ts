/**
 * Token counting for training examples, after OpenAI's cookbook ("Data preparation and analysis for
 * chat model fine-tuning"): 3 tokens per message, the tokens of each value, +1 for a `name`, and 3
 * for priming the reply. It is an estimate, close to but not the provider's own count (the job's
 * `trained_tokens` is the truth): we also count tool-call names and arguments and the tool schemas
 * (as compact JSON text, which is not exactly how the provider renders them), and images count
 * nothing, since their cost depends on their size, which the file does not say.
 */
import type { ExampleFormat } from './check-example.ts';
import type { Encoding } from './models.ts';

export type CountText = (text: string) => number;

/** Distinct short pieces remembered per validation: ~6 MB at most; the map starts over when full. */
const PIECE_CACHE_SIZE = 100_000;
/**
 * Longer pieces are counted without caching: they are rare, and V8 keeps a substring of 13 or more
 * characters as a slice of its parent, so caching one would keep a whole message alive.
 */
const MAX_CACHED_PIECE = 12;

/**
 * A token counter for an encoding. The encoding's tokenizer is loaded on first use (each rank
 * table is tens of MB in memory, so only the one the model needs is loaded); gpt-tokenizer was
 * chosen for throughput (see bench/validate.ts).
 *
 * BPE never merges across the pre-tokenizer's pieces, so a text's count is the sum of its pieces'
 * counts: we split with gpt-tokenizer's own regex and count each distinct piece once. This is
 * about as fast as gpt-tokenizer's countTokens, and unlike its LRU merge cache (which re-inserts
 * the key on every hit) it allocates nothing per repeated piece. That churn is what made the bare
 * tokenizer's heap, and V8's young generation with it, grow with the file's size.
 *
 * Special-token text such as `<|endoftext|>` counts as plain text rather than being refused: in a
 * training file it is data, not a control token.
 */
export async function loadCounter(encoding: Encoding): Promise<CountText> {
  const lib =
    encoding === 'o200k_base'
      ? await import('gpt-tokenizer/encoding/o200k_base')
      : await import('gpt-tokenizer/encoding/cl100k_base');
  const { O200K_TOKEN_SPLIT_REGEX, CL100K_TOKEN_SPLIT_REGEX } = await import('gpt-tokenizer/encodingParams/constants');
  // Our own copy: a global regex carries lastIndex state, which must not be shared.
  const split = new RegExp(
    (encoding === 'o200k_base' ? O200K_TOKEN_SPLIT_REGEX : CL100K_TOKEN_SPLIT_REGEX).source,
    'gu',
  );
  const asText = { disallowedSpecial: new Set<string>() };
  let cache = new Map<string, number>();
  return (text) => {
    let n = 0;
    split.lastIndex = 0;
    for (let m = split.exec(text); m !== null; m = split.exec(text)) {
      const piece = m[0];
      if (piece.length === 0) {
        split.lastIndex++; // no alternative of the pattern matches empty, but never loop on one
        continue;
      }
      if (piece.length > MAX_CACHED_PIECE) {
        n += lib.countTokens(piece, asText);
        continue;
      }
      let c = cache.get(piece);
      if (c === undefined) {
        c = lib.countTokens(piece, asText);
        if (cache.size >= PIECE_CACHE_SIZE) cache = new Map();
        cache.set(piece, c);
      }
      n += c;
    }
    return n;
  };
}

export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
export const REPLY_PRIMING = 3;

/** The message shape the counter reads; the validator has already checked it. */
export interface CountableMessage {
  role: string;
  content?: unknown;
  name?: unknown;
  tool_calls?: unknown;
  function_call?: unknown;
  weight?: unknown;
}

export interface MessageCount {
  /** Everything the message adds to the example, overhead included. */
  total: number;
  /** The text the model learns to produce when this is a trained assistant turn. */
  output: number;
  images: number;
}

export class ExampleCounter {
  private readonly count: CountText;
  /** Roles and names repeat in every example; counting them once saves a tokenizer call each. */
  private readonly small = new Map<string, number>();

  constructor(count: CountText) {
    this.count = count;
  }

  text(s: string): number {
    return this.count(s);
  }

  private cached(s: string): number {
    let n = this.small.get(s);
    if (n === undefined) {
      n = this.count(s);
      if (this.small.size < 10_000) this.small.set(s, n);
    }
    return n;
  }

  message(m: CountableMessage): MessageCount {
    let images = 0;
    let content = 0;
    if (typeof m.content === 'string') content = this.count(m.content);
    else if (Array.isArray(m.content)) {
      for (const part of m.content as Array<{ type?: unknown; text?: unknown }>) {
        if (part.type === 'text' && typeof part.text === 'string') content += this.count(part.text);
        else images++;
      }
    }
    let calls = 0;
    if (Array.isArray(m.tool_calls)) {
      for (const c of m.tool_calls as Array<{ function: { name: string; arguments: string } }>) {
        calls += this.cached(c.function.name) + this.count(c.function.arguments);
      }
    }
    const fc = m.function_call as { name: string; arguments: string } | undefined;
    if (fc) calls += this.cached(fc.name) + this.count(fc.arguments);
    const name = typeof m.name === 'string' ? this.cached(m.name) + TOKENS_PER_NAME : 0;
    const total = TOKENS_PER_MESSAGE + this.cached(m.role) + name + content + calls;
    const output = m.role === 'assistant' && m.weight !== 0 ? content + calls : 0;
    return { total, output, images };
  }

  /** Tool or function definitions sent with the example, counted as their JSON text. */
  schemas(tools: unknown): number {
    return tools === undefined ? 0 : this.count(JSON.stringify(tools));
  }

  private messages(list: unknown, into: ExampleCount): void {
    for (const m of list as CountableMessage[]) {
      const c = this.message(m);
      into.tokens += c.total;
      into.output += c.output;
      into.images += c.images;
    }
  }

  /**
   * One valid example. DPO counts the input once and both outputs (each is scored against it);
   * prompt/completion is the two texts. `messages` is what the stats call messages per example.
   */
  example(format: ExampleFormat, o: Record<string, unknown>): ExampleCount {
    const c: ExampleCount = { tokens: REPLY_PRIMING, output: 0, messages: 0, images: 0 };
    if (format === 'chat') {
      const list = o.messages as unknown[];
      this.messages(list, c);
      c.messages = list.length;
      c.tokens += this.schemas(o.tools) + this.schemas(o.functions);
    } else if (format === 'dpo') {
      const input = o.input as Record<string, unknown>;
      const inputList = input.messages as unknown[];
      this.messages(inputList, c);
      c.tokens += this.schemas(input.tools);
      c.output = 0; // earlier assistant turns of the input are context here, not what is learnt
      this.messages(o.preferred_output, c);
      const preferred = c.output;
      this.messages(o.non_preferred_output, c);
      c.output = preferred;
      c.messages = inputList.length + (o.preferred_output as unknown[]).length;
    } else {
      const completion = this.count(o.completion as string);
      c.tokens = this.count(o.prompt as string) + completion;
      c.output = completion;
      c.messages = 2;
    }
    return c;
  }
}

export interface ExampleCount {
  tokens: number;
  /** Tokens of the trained assistant turns (DPO: of the preferred output). */
  output: number;
  messages: number;
  images: number;
}
