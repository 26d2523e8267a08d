/**
 * Checks of one example (one line's object) in each of the three formats the providers have used:
 * supervised chat, DPO preference pairs and the legacy prompt/completion. The format is read from
 * the keys present, so a file of one format is told apart from a file that mixes them.
 */
import { type Conversation, checkMessage, type IssueSink, isObject, kindOf } from './check-message.ts';

export type ExampleFormat = 'chat' | 'dpo' | 'prompt_completion';

export const FORMAT_NAMES: Record<ExampleFormat, string> = {
  chat: 'chat (messages)',
  dpo: 'DPO (input / preferred_output / non_preferred_output)',
  prompt_completion: 'prompt/completion',
};

const has = Object.hasOwn;

export function detectFormat(o: Record<string, unknown>): ExampleFormat | undefined {
  if (has(o, 'messages')) return 'chat';
  if (has(o, 'input') || has(o, 'preferred_output') || has(o, 'non_preferred_output')) return 'dpo';
  if (has(o, 'preferred_completion') || has(o, 'non_preferred_completion')) return 'dpo';
  if (has(o, 'prompt') || has(o, 'completion')) return 'prompt_completion';
  return undefined;
}

/** Keys of instruction-tuning datasets that pairsToChat() converts. */
const PAIR_KEYS = ['instruction', 'output', 'response', 'question', 'answer'];

export function unknownFormat(o: Record<string, unknown>, sink: IssueSink): void {
  const keys = Object.keys(o);
  const shown = keys.length === 0 ? 'the object is empty' : `keys found: ${keys.slice(0, 8).join(', ')}`;
  const pairs = keys.some((k) => PAIR_KEYS.includes(k))
    ? ' These look like instruction/response pairs: convert them to chat messages first.'
    : '';
  sink.error('$', 'missing_messages_list', `No "messages" list (${shown}).${pairs}`);
}

export interface ExampleFacts {
  hasSystem: boolean;
  hasUser: boolean;
  images: boolean;
}

const CHAT_KEYS = new Set(['messages', 'tools', 'parallel_tool_calls', 'functions']);
const DPO_KEYS = new Set(['input', 'preferred_output', 'non_preferred_output']);
const DPO_INPUT_KEYS = new Set(['messages', 'tools', 'parallel_tool_calls']);
const PC_KEYS = new Set(['prompt', 'completion']);

function extraKeys(o: Record<string, unknown>, allowed: Set<string>, prefix: string, sink: IssueSink): void {
  for (const key in o) if (!allowed.has(key)) sink.warn('unrecognized_key', `${prefix}${key}`);
}

/** The `messages` of a chat example or of a DPO input, with its tool definitions. */
function checkConversation(
  o: Record<string, unknown>,
  base: string,
  sink: IssueSink,
  needsAssistant: boolean,
): ExampleFacts {
  const facts: ExampleFacts = { hasSystem: false, hasUser: false, images: false };
  checkTools(o, base, sink);
  const messages = o.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    const what = Array.isArray(messages) ? 'is empty' : `must be an array of messages, not ${kindOf(messages)}`;
    sink.error(`${base}.messages`, 'missing_messages_list', `"messages" ${what}.`);
    return facts;
  }
  const convo: Conversation = { toolCallIds: new Set() };
  let assistants = 0;
  let trained = 0;
  messages.forEach((m, i) => {
    const f = checkMessage(m, `${base}.messages[${i}]`, sink, convo);
    if (f.role === 'system') facts.hasSystem = true;
    else if (f.role === 'user') facts.hasUser = true;
    else if (f.role === 'assistant') assistants++;
    if (f.trained) trained++;
    if (f.images) facts.images = true;
  });
  if (needsAssistant && assistants === 0) {
    sink.error(
      `${base}.messages`,
      'example_missing_assistant_message',
      'The example has no assistant message to learn from.',
    );
  } else if (needsAssistant && trained === 0) {
    sink.error(
      `${base}.messages`,
      'example_missing_assistant_message',
      'Every assistant message has weight 0, so the example teaches nothing.',
    );
  }
  return facts;
}

function checkTools(o: Record<string, unknown>, base: string, sink: IssueSink): void {
  const tools = o.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools) || tools.length === 0) {
      sink.error(`${base}.tools`, 'invalid_tools', '"tools" must be a non-empty array of tool definitions.');
    } else {
      tools.forEach((t, i) => {
        if (!isObject(t) || t.type !== 'function' || !isObject(t.function) || typeof t.function.name !== 'string') {
          sink.error(
            `${base}.tools[${i}]`,
            'invalid_tools',
            'A tool must be {"type": "function", "function": {"name": …, "parameters": …}}.',
          );
        }
      });
    }
  }
  if (o.parallel_tool_calls !== undefined && typeof o.parallel_tool_calls !== 'boolean') {
    sink.error(`${base}.parallel_tool_calls`, 'invalid_tools', '"parallel_tool_calls" must be true or false.');
  }
  const fns = o.functions;
  if (fns !== undefined) {
    if (!Array.isArray(fns) || fns.length === 0 || fns.length > 128) {
      sink.error(
        `${base}.functions`,
        'invalid_tools',
        '"functions" must be an array of 1 to 128 function definitions.',
      );
    } else {
      fns.forEach((f, i) => {
        if (!isObject(f) || typeof f.name !== 'string') {
          sink.error(`${base}.functions[${i}]`, 'invalid_tools', 'A function definition needs a "name".');
        }
      });
    }
  }
}

export function checkChat(o: Record<string, unknown>, sink: IssueSink): ExampleFacts {
  extraKeys(o, CHAT_KEYS, '', sink);
  return checkConversation(o, '$', sink, true);
}

export function checkDpo(o: Record<string, unknown>, sink: IssueSink): ExampleFacts {
  extraKeys(o, DPO_KEYS, '', sink);
  let facts: ExampleFacts = { hasSystem: false, hasUser: false, images: false };
  const input = o.input;
  if (!isObject(input)) {
    const what = input === undefined ? 'There is no "input"' : `"input" is ${kindOf(input)}`;
    sink.error('$.input', 'dpo_missing_input', `${what}; a DPO example needs "input": {"messages": [...]}.`);
  } else {
    extraKeys(input, DPO_INPUT_KEYS, 'input.', sink);
    facts = checkConversation(input, '$.input', sink, false);
    const last = Array.isArray(input.messages) ? input.messages[input.messages.length - 1] : undefined;
    if (isObject(last) && last.role === 'assistant') {
      sink.error(
        `$.input.messages[${(input.messages as unknown[]).length - 1}]`,
        'dpo_invalid_input',
        'The input must end before the answer: the preferred and non-preferred outputs are the assistant reply.',
      );
    }
  }
  const preferred = checkOutput(o, 'preferred_output', sink);
  const rejected = checkOutput(o, 'non_preferred_output', sink);
  if (preferred && rejected && JSON.stringify(o.preferred_output) === JSON.stringify(o.non_preferred_output)) {
    sink.warn('dpo_identical_outputs');
  }
  return facts;
}

/** One side of a preference pair: assistant (and tool) messages, at least one of them assistant. */
function checkOutput(o: Record<string, unknown>, key: string, sink: IssueSink): boolean {
  const out = o[key];
  const path = `$.${key}`;
  if (out === undefined) {
    const legacy = key.replace('output', 'completion');
    const hint = has(o, legacy) ? ` Rename "${legacy}" to "${key}".` : '';
    sink.error(path, 'dpo_missing_output', `There is no "${key}".${hint}`);
    return false;
  }
  if (!Array.isArray(out) || out.length === 0) {
    sink.error(
      path,
      'dpo_invalid_output',
      `"${key}" must be a non-empty array of assistant messages, not ${kindOf(out)}.`,
    );
    return false;
  }
  const convo: Conversation = { toolCallIds: new Set() };
  let assistants = 0;
  out.forEach((m, i) => {
    const at = `${path}[${i}]`;
    const f = checkMessage(m, at, sink, convo);
    if (f.role === 'assistant') assistants++;
    // Azure accepts tool messages between assistant turns of an output; nothing else belongs there.
    else if (f.role && f.role !== 'tool') {
      sink.error(
        `${at}.role`,
        'dpo_invalid_output',
        `"${key}" holds assistant (and tool) messages only, not ${f.role}.`,
      );
    }
  });
  if (assistants === 0) sink.error(path, 'dpo_invalid_output', `"${key}" has no assistant message.`);
  return true;
}

export function checkPromptCompletion(o: Record<string, unknown>, sink: IssueSink): ExampleFacts {
  extraKeys(o, PC_KEYS, '', sink);
  for (const key of ['prompt', 'completion'] as const) {
    const v = o[key];
    if (typeof v !== 'string') {
      const what = v === undefined ? 'is missing' : `must be a string, not ${kindOf(v)}`;
      sink.error(`$.${key}`, 'invalid_prompt_completion', `"${key}" ${what}.`);
    } else if (key === 'completion' && v.trim() === '') {
      sink.error(`$.${key}`, 'invalid_prompt_completion', '"completion" is empty, so the example teaches nothing.');
    }
  }
  sink.warn('legacy_format');
  return { hasSystem: false, hasUser: true, images: false };
}
