/**
 * Warnings: things that do not stop a job but are worth knowing before paying for one. Counted per
 * category over the whole file and worded once at the end, with the count, instead of once a line.
 */

export interface Warning {
  category: string;
  message: string;
  count: number;
  /** The first lines it happened on (up to 10); empty for a warning about the whole file. */
  lines: number[];
}

export interface WarningContext {
  model: string;
  tokenLimit: number;
}

const MAX_LINES = 10;
const MAX_DETAILS = 5;
const fmt = (n: number) => n.toLocaleString('en-US');
const examples = (n: number) => `${fmt(n)} example${n === 1 ? '' : 's'}`;
const has = (n: number) => (n === 1 ? 'has' : 'have');

const TEXT: Record<string, (n: number, details: string[], c: WarningContext) => string> = {
  missing_system_message: (n) =>
    `${examples(n)} ${has(n)} no system message. Fine if you will call the model without one; ` +
    'otherwise train with the system prompt you will use.',
  missing_user_message: (n) => `${examples(n)} ${has(n)} no user message.`,
  too_long: (n, _d, c) =>
    `${examples(n)} ${n === 1 ? 'is' : 'are'} over ${c.model}'s limit of ${fmt(c.tokenLimit)} tokens per example ` +
    'and will be truncated to it in training.',
  duplicate_example: (n) =>
    `${examples(n)} repeat${n === 1 ? 's' : ''} an earlier one exactly: duplicates weigh those examples more, ` +
    'and the validation loss looks better than it is if they also sit in the validation file.',
  images_not_counted: (n) =>
    `${examples(n)} ${n === 1 ? 'contains' : 'contain'} images, which the token counts leave out: ` +
    'totals and cost are low for these.',
  unrecognized_key: (n, d) =>
    `${examples(n)} ${has(n)} keys outside the format (${d.join(', ')}${d.length === MAX_DETAILS ? ', …' : ''}); ` +
    'remove them, as a provider may refuse the file.',
  legacy_format: (_n, _d, c) =>
    `The file uses the legacy prompt/completion format. OpenAI and Azure train ${c.model} on chat "messages" only: ` +
    'convert each pair to a user and an assistant message.',
  dpo_identical_outputs: (n) =>
    `${examples(n)} ${has(n)} the same preferred and non-preferred output, which teaches no preference.`,
};

interface Entry {
  count: number;
  lines: number[];
  details: string[];
  lastLine: number;
  message?: string;
}

export class Warnings {
  private readonly entries = new Map<string, Entry>();

  /** A per-example warning; `detail` (a key name, say) is listed in the message, up to 5 distinct ones. */
  add(category: string, line: number, detail?: string): void {
    let e = this.entries.get(category);
    if (!e) {
      e = { count: 0, lines: [], details: [], lastLine: -1 };
      this.entries.set(category, e);
    }
    // Several details on one line (two unknown keys) still make one example.
    if (e.lastLine !== line) {
      if (e.lines.length < MAX_LINES) e.lines.push(line);
      e.lastLine = line;
      e.count++;
    }
    if (detail !== undefined && e.details.length < MAX_DETAILS && !e.details.includes(detail)) e.details.push(detail);
  }

  /** A warning about the whole file, worded by the caller. */
  file(category: string, message: string): void {
    this.entries.set(category, { count: 1, lines: [], details: [], lastLine: -1, message });
  }

  list(context: WarningContext): Warning[] {
    return [...this.entries].map(([category, e]) => ({
      category,
      message: e.message ?? TEXT[category]?.(e.count, e.details, context) ?? category,
      count: e.count,
      lines: e.lines,
    }));
  }
}
