/**
 * Checks of one chat message, after the cookbook's format checks, extended with what the providers
 * accept today and the cookbook rejects: tool messages and `tool_calls`, content parts (text and
 * images), `weight` on assistant turns. Each problem is reported once, with the JSON path of the
 * value at fault, in words a person can act on.
 */

export interface IssueSink {
  error(path: string, category: string, message: string): void;
  /** A per-example warning, aggregated over the file; `detail` names what was found, if anything. */
  warn(category: string, detail?: string): void;
}

export const ROLES = ['system', 'user', 'assistant', 'tool', 'function'] as const;
const ROLE_SET = new Set<string>(ROLES);
const MESSAGE_KEYS = new Set(['role', 'content', 'name', 'weight', 'function_call', 'tool_calls', 'tool_call_id']);
const MESSAGE_KEY_LIST = [...MESSAGE_KEYS].join(', ');

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "a number", "an array", "null": for messages like "content must be a string, not a number". */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' || t === 'undefined' ? `an ${t}` : `a ${t}`;
}

/** Per-conversation state: the tool-call ids seen so far, so a tool reply can be matched to its call. */
export interface Conversation {
  toolCallIds: Set<string>;
}

export interface MessageFacts {
  role?: string;
  /** An assistant turn that trains (weight absent or 1). */
  trained: boolean;
  images: boolean;
}

export function checkMessage(m: unknown, path: string, sink: IssueSink, convo: Conversation): MessageFacts {
  const facts: MessageFacts = { trained: false, images: false };
  if (!isObject(m)) {
    sink.error(path, 'data_type', `Each message must be a JSON object with a role and content, not ${kindOf(m)}.`);
    return facts;
  }
  for (const key in m) {
    if (!MESSAGE_KEYS.has(key)) {
      sink.error(
        `${path}.${key}`,
        'message_unrecognized_key',
        `Unrecognised message key "${key}"; allowed: ${MESSAGE_KEY_LIST}.`,
      );
    }
  }
  const role = m.role;
  if (role === undefined) {
    sink.error(path, 'message_missing_key', 'The message has no "role".');
  } else if (typeof role !== 'string' || !ROLE_SET.has(role)) {
    const shown = typeof role === 'string' ? `"${role}"` : kindOf(role);
    sink.error(`${path}.role`, 'unrecognized_role', `Unrecognised role ${shown}; use one of ${ROLES.join(', ')}.`);
  } else {
    facts.role = role;
  }

  if (m.name !== undefined && (typeof m.name !== 'string' || m.name === '')) {
    sink.error(`${path}.name`, 'invalid_name', `"name" must be a non-empty string, not ${kindOf(m.name)}.`);
  }
  if (role === 'function' && typeof m.name !== 'string') {
    sink.error(path, 'message_missing_key', 'A function message needs the "name" of the function it answers.');
  }

  if (m.weight !== undefined) {
    if (role !== 'assistant') {
      sink.error(`${path}.weight`, 'invalid_weight', 'Only assistant messages may carry a "weight".');
    } else if (m.weight !== 0 && m.weight !== 1) {
      sink.error(`${path}.weight`, 'invalid_weight', `"weight" must be 0 or 1, not ${JSON.stringify(m.weight)}.`);
    }
  }
  facts.trained = role === 'assistant' && m.weight !== 0;

  const hasCalls = checkCalls(m, role, path, sink, convo);
  checkToolReply(m, role, path, sink, convo);
  facts.images = checkContent(m.content, 'content' in m, role, hasCalls, path, sink);
  return facts;
}

/** `tool_calls` and the legacy `function_call`; true when the message carries either, validly or not. */
function checkCalls(
  m: Record<string, unknown>,
  role: unknown,
  path: string,
  sink: IssueSink,
  convo: Conversation,
): boolean {
  const calls = m.tool_calls;
  const fc = m.function_call;
  if (calls === undefined && fc === undefined) return false;
  if (role !== 'assistant') {
    const key = calls === undefined ? 'function_call' : 'tool_calls';
    sink.error(`${path}.${key}`, 'invalid_tool_calls', `Only assistant messages may carry "${key}".`);
    return true;
  }
  if (calls !== undefined) {
    if (!Array.isArray(calls) || calls.length === 0) {
      sink.error(`${path}.tool_calls`, 'invalid_tool_calls', '"tool_calls" must be a non-empty array of calls.');
    } else {
      calls.forEach((call, i) => {
        checkCall(call, `${path}.tool_calls[${i}]`, sink, convo);
      });
    }
  }
  if (fc !== undefined) checkFunction(fc, `${path}.function_call`, sink);
  return true;
}

function checkCall(call: unknown, path: string, sink: IssueSink, convo: Conversation): void {
  if (!isObject(call)) {
    sink.error(path, 'invalid_tool_calls', `A tool call must be an object {id, type, function}, not ${kindOf(call)}.`);
    return;
  }
  if (typeof call.id !== 'string' || call.id === '') {
    sink.error(`${path}.id`, 'invalid_tool_calls', 'A tool call needs an "id" string, which the tool message answers.');
  } else {
    convo.toolCallIds.add(call.id);
  }
  if (call.type !== 'function') {
    sink.error(`${path}.type`, 'invalid_tool_calls', 'A tool call\'s "type" must be "function".');
  }
  checkFunction(call.function, `${path}.function`, sink);
}

function checkFunction(fn: unknown, path: string, sink: IssueSink): void {
  if (!isObject(fn)) {
    sink.error(path, 'invalid_tool_calls', `Expected {"name", "arguments"}, not ${kindOf(fn)}.`);
    return;
  }
  if (typeof fn.name !== 'string' || fn.name === '') {
    sink.error(`${path}.name`, 'invalid_tool_calls', 'The call needs the function\'s "name".');
  }
  const args = fn.arguments;
  if (typeof args !== 'string') {
    const hint = isObject(args) ? ' Encode the object with JSON.stringify / json.dumps.' : '';
    sink.error(
      `${path}.arguments`,
      'invalid_tool_arguments',
      `"arguments" must be a string of JSON, not ${kindOf(args)}.${hint}`,
    );
    return;
  }
  try {
    JSON.parse(args);
  } catch {
    sink.error(`${path}.arguments`, 'invalid_tool_arguments', '"arguments" is not valid JSON.');
  }
}

function checkToolReply(m: Record<string, unknown>, role: unknown, path: string, sink: IssueSink, convo: Conversation) {
  if (role !== 'tool') return;
  const id = m.tool_call_id;
  if (typeof id !== 'string' || id === '') {
    sink.error(path, 'message_missing_key', 'A tool message needs the "tool_call_id" of the call it answers.');
  } else if (!convo.toolCallIds.has(id)) {
    sink.error(
      `${path}.tool_call_id`,
      'invalid_tool_message',
      `No earlier assistant tool call has the id "${id.slice(0, 60)}" that this tool message answers.`,
    );
  }
}

/** Returns whether the content holds images. */
function checkContent(
  content: unknown,
  present: boolean,
  role: unknown,
  hasCalls: boolean,
  path: string,
  sink: IssueSink,
): boolean {
  const at = `${path}.content`;
  if (!present) {
    if (!hasCalls) sink.error(path, 'message_missing_key', 'The message has no "content".');
    return false;
  }
  if (typeof content === 'string') {
    if (content === '' && !hasCalls) sink.error(at, 'missing_content', '"content" is empty.');
    return false;
  }
  if (content === null) {
    if (!hasCalls)
      sink.error(at, 'missing_content', '"content" is null; only an assistant message with tool calls may omit it.');
    return false;
  }
  if (!Array.isArray(content)) {
    sink.error(
      at,
      'missing_content',
      `"content" must be a string or an array of content parts, not ${kindOf(content)}.`,
    );
    return false;
  }
  if (content.length === 0 && !hasCalls) sink.error(at, 'missing_content', '"content" is an empty array.');
  let images = false;
  content.forEach((part, i) => {
    images = checkPart(part, role, `${at}[${i}]`, sink) || images;
  });
  return images;
}

function checkPart(part: unknown, role: unknown, path: string, sink: IssueSink): boolean {
  if (!isObject(part)) {
    sink.error(
      path,
      'invalid_content_part',
      `A content part must be an object like {"type": "text", "text": "…"}, not ${kindOf(part)}.`,
    );
    return false;
  }
  if (part.type === 'text') {
    if (typeof part.text !== 'string') {
      sink.error(
        `${path}.text`,
        'invalid_content_part',
        `A text part needs "text" as a string, not ${kindOf(part.text)}.`,
      );
    }
    return false;
  }
  if (part.type === 'image_url') {
    const img = part.image_url;
    if (!isObject(img) || typeof img.url !== 'string' || img.url === '') {
      sink.error(
        `${path}.image_url`,
        'invalid_content_part',
        'An image part needs "image_url": {"url": "https://… or data:image/…"}.',
      );
    }
    if (role !== 'user') sink.error(path, 'invalid_content_part', 'Images are allowed only in user messages.');
    return true;
  }
  const shown = typeof part.type === 'string' ? `"${part.type.slice(0, 40)}"` : kindOf(part.type);
  sink.error(
    `${path}.type`,
    'invalid_content_part',
    `Unsupported content part type ${shown}; use "text" or "image_url".`,
  );
  return false;
}
