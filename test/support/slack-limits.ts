/**
 * Slack's Block Kit limits as a checker, so every builder is tested against what Slack would reject
 * (limits from docs.slack.dev and python-slack-sdk's validators; see shared/research/slack-platform.md §1.4).
 * Returns a list of violations; an empty list means Slack should accept the payload.
 */

type Json = Record<string, unknown>;

const LIMITS = {
  modalBlocks: 100,
  messageBlocks: 50,
  modalButtonText: 24,
  privateMetadata: 3000,
  id: 255,
  text: 3000,
  header: 150,
  label: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  options: 100,
  buttonText: 75,
  buttonValue: 2000,
  sectionFields: 10,
  contextElements: 10,
  actionsElements: 25,
  messageText: 4000,
  messageBlockText: 12000,
};

function textObject(obj: unknown, where: string, max: number, out: string[], kind?: 'plain_text'): number {
  const t = obj as Json | undefined;
  if (!t || typeof t !== 'object') {
    out.push(`${where}: missing text object`);
    return 0;
  }
  if (t.type !== 'plain_text' && t.type !== 'mrkdwn') out.push(`${where}: text type must be plain_text or mrkdwn`);
  if (kind && t.type !== kind) out.push(`${where}: must be ${kind}`);
  if ('emoji' in t && t.type !== 'plain_text') out.push(`${where}: emoji is only valid on plain_text`);
  if ('verbatim' in t && t.type !== 'mrkdwn') out.push(`${where}: verbatim is only valid on mrkdwn`);
  const text = typeof t.text === 'string' ? t.text : '';
  if (text.length < 1) out.push(`${where}: text is empty`);
  if (text.length > max) out.push(`${where}: text is ${text.length} chars, max ${max}`);
  return text.length;
}

function id(value: unknown, where: string, out: string[]) {
  if (typeof value === 'string' && value.length > LIMITS.id) out.push(`${where}: longer than ${LIMITS.id}`);
}

// Selects take up to 100 options, radio buttons and checkboxes 10, an overflow menu 2 to 5.
const OPTION_RANGE: Record<string, [number, number]> = {
  radio_buttons: [1, 10],
  checkboxes: [1, 10],
  overflow: [2, 5],
};

function options(list: unknown, where: string, out: string[], type: string) {
  const opts = (list ?? []) as Json[];
  const [min, max] = OPTION_RANGE[type] ?? [1, LIMITS.options];
  if (opts.length > max) out.push(`${where}: ${opts.length} options, max ${max}`);
  if (opts.length < min)
    out.push(opts.length === 0 ? `${where}: no options` : `${where}: ${opts.length} options, min ${min}`);
  opts.forEach((o, i) => {
    textObject(o.text, `${where}.options[${i}].text`, LIMITS.optionText, out);
    const value = String(o.value ?? '');
    if (value.length < 1 || value.length > LIMITS.optionValue) out.push(`${where}.options[${i}].value: bad length`);
  });
}

function element(el: Json, where: string, out: string[]): number {
  id(el.action_id, `${where}.action_id`, out);
  let chars = 0;
  if (el.placeholder)
    chars += textObject(el.placeholder, `${where}.placeholder`, LIMITS.placeholder, out, 'plain_text');
  if (el.type === 'button') {
    chars += textObject(el.text, `${where}.text`, LIMITS.buttonText, out, 'plain_text');
    if (typeof el.value === 'string' && el.value.length > LIMITS.buttonValue) out.push(`${where}.value: too long`);
  }
  if (['static_select', 'multi_static_select', 'radio_buttons', 'checkboxes', 'overflow'].includes(String(el.type))) {
    options(el.options, where, out, String(el.type));
  }
  if (el.type === 'plain_text_input') {
    if (typeof el.max_length === 'number' && (el.max_length < 1 || el.max_length > 3000))
      out.push(`${where}: max_length out of range`);
    if (
      typeof el.initial_value === 'string' &&
      typeof el.max_length === 'number' &&
      el.initial_value.length > el.max_length
    ) {
      out.push(`${where}: initial_value longer than max_length`);
    }
  }
  return chars;
}

function block(b: Json, where: string, out: string[]): number {
  id(b.block_id, `${where}.block_id`, out);
  let chars = 0;
  switch (b.type) {
    case 'section': {
      if (!b.text && !b.fields) out.push(`${where}: section needs text or fields`);
      if (b.text) chars += textObject(b.text, `${where}.text`, LIMITS.text, out);
      const fields = (b.fields ?? []) as unknown[];
      if (fields.length > LIMITS.sectionFields) out.push(`${where}: more than ${LIMITS.sectionFields} fields`);
      fields.forEach((f, i) => {
        chars += textObject(f, `${where}.fields[${i}]`, 2000, out);
      });
      if (b.accessory) chars += element(b.accessory as Json, `${where}.accessory`, out);
      break;
    }
    case 'header':
      chars += textObject(b.text, `${where}.text`, LIMITS.header, out, 'plain_text');
      break;
    case 'context': {
      const els = (b.elements ?? []) as Json[];
      if (els.length < 1 || els.length > LIMITS.contextElements)
        out.push(`${where}: 1–${LIMITS.contextElements} elements`);
      els.forEach((e, i) => {
        if (e.type !== 'image') chars += textObject(e, `${where}.elements[${i}]`, LIMITS.text, out);
      });
      break;
    }
    case 'actions': {
      const els = (b.elements ?? []) as Json[];
      if (els.length < 1 || els.length > LIMITS.actionsElements)
        out.push(`${where}: 1–${LIMITS.actionsElements} elements`);
      els.forEach((e, i) => {
        chars += element(e, `${where}.elements[${i}]`, out);
      });
      break;
    }
    case 'input':
      chars += textObject(b.label, `${where}.label`, LIMITS.label, out, 'plain_text');
      if (b.hint) chars += textObject(b.hint, `${where}.hint`, LIMITS.label, out, 'plain_text');
      if (!b.element) out.push(`${where}: input without element`);
      else chars += element(b.element as Json, `${where}.element`, out);
      break;
    case 'divider':
    case 'image':
    case 'file':
    case 'rich_text':
      break;
    default:
      out.push(`${where}: unknown block type ${String(b.type)}`);
  }
  return chars;
}

function blocks(list: unknown, max: number, out: string[]): number {
  const bs = (list ?? []) as Json[];
  if (bs.length > max) out.push(`blocks: ${bs.length}, max ${max}`);
  const ids = new Set<string>();
  let chars = 0;
  bs.forEach((b, i) => {
    if (typeof b.block_id === 'string') {
      if (ids.has(b.block_id)) out.push(`blocks[${i}]: duplicate block_id ${b.block_id}`);
      ids.add(b.block_id);
    }
    chars += block(b, `blocks[${i}]`, out);
  });
  return chars;
}

export function checkView(view: unknown): string[] {
  const v = view as Json;
  const out: string[] = [];
  if (v.type !== 'modal' && v.type !== 'home') out.push('view: type must be modal or home');
  blocks(v.blocks, LIMITS.modalBlocks, out);
  id(v.callback_id, 'callback_id', out);
  id(v.external_id, 'external_id', out);
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > LIMITS.privateMetadata) {
    out.push(`private_metadata: ${v.private_metadata.length} chars, max ${LIMITS.privateMetadata}`);
  }
  if (v.type === 'modal') {
    textObject(v.title, 'title', LIMITS.modalButtonText, out, 'plain_text');
    if (v.submit) textObject(v.submit, 'submit', LIMITS.modalButtonText, out, 'plain_text');
    if (v.close) textObject(v.close, 'close', LIMITS.modalButtonText, out, 'plain_text');
    const hasInput = ((v.blocks ?? []) as Json[]).some((b) => b.type === 'input');
    if (hasInput && !v.submit) out.push('submit: required when the modal has input blocks');
  }
  return out;
}

export function checkMessage(message: { text?: unknown; blocks?: unknown }): string[] {
  const out: string[] = [];
  if (typeof message.text !== 'string' || message.text.length === 0) out.push('text: a fallback text is required');
  else if (message.text.length > LIMITS.messageText)
    out.push(`text: ${message.text.length} chars, max ${LIMITS.messageText}`);
  const chars = blocks(message.blocks, LIMITS.messageBlocks, out);
  if (chars > LIMITS.messageBlockText)
    out.push(`blocks: ${chars} chars of text, Slack refuses around ${LIMITS.messageBlockText}`);
  return out;
}
