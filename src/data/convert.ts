/**
 * Converting training data between the shapes people have and the shapes trainers read: plain
 * instruction/response pairs into chat examples, and chat examples (OpenAI's format) into what the
 * self-hosted LoRA trainer reads. Pure functions, plus a streaming line-by-line driver.
 */
import { isObject } from './check-message.ts';
import { DEFAULT_MAX_LINE_BYTES, type LineHandler, LineSplitter } from './lines.ts';

export class ConversionError extends Error {
  override name = 'ConversionError';
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PairsOptions {
  /** A system prompt for every example that has none of its own (a `system` key). */
  system?: string;
}

/** The keys of the common instruction-tuning datasets (Alpaca, Dolly, Q&A sets), most specific first. */
const PROMPT_KEYS = ['instruction', 'prompt', 'question', 'query'];
const CONTEXT_KEYS = ['input', 'context'];
const ANSWER_KEYS = ['output', 'response', 'answer', 'completion'];

function firstString(record: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = record[k];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/**
 * `{instruction, input?, output}`, `{prompt, response}`, `{question, answer}` and the like → a chat
 * example. Alpaca's optional `input` (or Dolly's `context`) follows the instruction after a blank
 * line, which is how Alpaca's own prompt template joins them.
 */
export function pairsToChat(record: Record<string, unknown>, opts: PairsOptions = {}): { messages: ChatMessage[] } {
  const prompt = firstString(record, PROMPT_KEYS);
  const answer = firstString(record, ANSWER_KEYS);
  if (prompt === undefined || answer === undefined) {
    const keys = Object.keys(record).slice(0, 8).join(', ') || 'none';
    throw new ConversionError(
      `Expected a prompt (${PROMPT_KEYS.join('/')}) and an answer (${ANSWER_KEYS.join('/')}) as strings; keys found: ${keys}.`,
    );
  }
  const context = firstString(record, CONTEXT_KEYS)?.trim();
  const system = typeof record.system === 'string' && record.system !== '' ? record.system : opts.system;
  const messages: ChatMessage[] = [];
  if (system) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: context ? `${prompt}\n\n${context}` : prompt });
  messages.push({ role: 'assistant', content: answer });
  return { messages };
}

/** The LoRA trainer's message: TRL's conversational format, with `weight` and tool calls carried over. */
export interface TrainerMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  name?: string;
  /** Only ever 0, on an assistant turn the trainer must leave out of the loss (its labels are masked). */
  weight?: 0;
  tool_calls?: Array<{ type: 'function'; id?: string; function: { name: string; arguments: unknown } }>;
  tool_call_id?: string;
}

export interface TrainerExample {
  messages: TrainerMessage[];
  /** Function definitions, for chat templates that render tools (TRL passes the column on). */
  tools?: unknown[];
}

/** Text parts joined by newlines; images are dropped, since the LoRA trainer is text-only. */
function flatten(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const p of content) if (isObject(p) && p.type === 'text' && typeof p.text === 'string') texts.push(p.text);
  return texts.join('\n');
}

/** Hugging Face chat templates expect arguments as an object; OpenAI's file has a JSON string. */
function parseArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

function convertCall(fn: unknown, id?: unknown): NonNullable<TrainerMessage['tool_calls']>[number] {
  const f = isObject(fn) ? fn : {};
  return {
    type: 'function',
    ...(typeof id === 'string' ? { id } : {}),
    function: { name: typeof f.name === 'string' ? f.name : '', arguments: parseArguments(f.arguments) },
  };
}

function convertMessage(m: unknown): TrainerMessage {
  if (!isObject(m)) throw new ConversionError('A message is not an object.');
  const legacyFunction = m.role === 'function';
  const role = legacyFunction ? 'tool' : m.role;
  if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'tool') {
    throw new ConversionError(`Unsupported role ${JSON.stringify(m.role)}.`);
  }
  const out: TrainerMessage = { role, content: flatten(m.content) };
  if (typeof m.name === 'string') out.name = m.name;
  if (role === 'assistant' && m.weight === 0) out.weight = 0;
  if (Array.isArray(m.tool_calls)) {
    out.tool_calls = m.tool_calls.map((c) =>
      convertCall(isObject(c) ? c.function : undefined, isObject(c) ? c.id : undefined),
    );
  } else if (m.function_call !== undefined) {
    out.tool_calls = [convertCall(m.function_call)];
  }
  if (typeof m.tool_call_id === 'string') out.tool_call_id = m.tool_call_id;
  return out;
}

/**
 * An OpenAI chat example → the trainer's `{"messages": [{role, content}]}`. Content parts become
 * one string; tool and legacy function messages become `tool` messages; tool-call arguments are
 * parsed; top-level `tools` (or legacy `functions`) are kept as `tools`. An assistant turn with
 * `weight: 0` keeps `"weight": 0`, which our trainer reads to mask that turn's tokens from the loss
 * (it stays context for later turns); TRL itself ignores the key, so elsewhere it trains as usual.
 */
export function chatToTrainer(record: Record<string, unknown>): TrainerExample {
  if (!Array.isArray(record.messages)) throw new ConversionError('The example has no "messages" list.');
  const out: TrainerExample = { messages: record.messages.map(convertMessage) };
  if (Array.isArray(record.tools)) out.tools = record.tools;
  else if (Array.isArray(record.functions))
    out.tools = record.functions.map((f) => ({ type: 'function', function: f }));
  return out;
}

/**
 * Streams a JSONL file through `fn`, one output line (JSON plus `\n`) per input example; blank
 * lines are skipped, and so are examples for which `fn` returns undefined or null. A line that is
 * not a JSON object, or that `fn` throws on, stops the conversion with a ConversionError naming
 * the line: validate the file first.
 */
export async function* convertJsonl(
  source: AsyncIterable<Uint8Array>,
  fn: (record: Record<string, unknown>, line: number) => unknown,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let ready: string[] = [];
  const handler: LineHandler = {
    line(n, bytes) {
      let record: unknown;
      try {
        const text = decoder.decode(bytes);
        if (text.trim() === '') return;
        record = JSON.parse(text);
      } catch (e) {
        throw new ConversionError(`Line ${n}: ${(e as Error).message.slice(0, 160)}`);
      }
      if (!isObject(record)) throw new ConversionError(`Line ${n} is not a JSON object.`);
      let out: unknown;
      try {
        out = fn(record, n);
      } catch (e) {
        throw new ConversionError(`Line ${n}: ${(e as Error).message}`);
      }
      if (out !== undefined && out !== null) ready.push(`${JSON.stringify(out)}\n`);
    },
    tooLong(n, length) {
      throw new ConversionError(`Line ${n} is ${length} bytes, over the ${DEFAULT_MAX_LINE_BYTES}-byte limit.`);
    },
  };
  const splitter = new LineSplitter(handler, DEFAULT_MAX_LINE_BYTES);
  for await (const chunk of source) {
    splitter.push(chunk);
    const lines = ready;
    ready = [];
    yield* lines;
  }
  splitter.end();
  yield* ready;
}
