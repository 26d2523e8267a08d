/**
 * The advisor's questionnaire as data: what is asked, the allowed answers, and how a raw answer
 * becomes a typed one. The Slack modal is built from this list and its submission is parsed by
 * parseAnswers(), so the questions and their validation cannot drift apart.
 */

export const TASK_TYPES = {
  classification: 'Classification',
  extraction: 'Extraction',
  style: 'Style, tone or format',
  domain_qa: 'Domain knowledge Q&A',
  tool_use: 'Tool use / function calling',
  other: 'Other',
} as const;

/**
 * The data-volume buckets, counted in labelled examples. This is the one place the thresholds live:
 * the options the user picks from (DATA_VOLUMES) and recommend()'s data rule both read them.
 *
 * - Small: under 1,000. The providers accept 10 and improvements show from 50–100, so a small set
 *   can be tuned on; but at this size a few good examples in the prompt usually close most of the
 *   gap, so the amount of data alone is no reason to fine-tune.
 * - Medium: 1,000 to 10,000. Enough pairs for a tuned model to learn the task rather than be told
 *   it, reliably beating few-shot prompting on a narrow task: the blog's "medium data" rule.
 * - Large: over 10,000. Enough to use the extra capacity of the largest tunable model.
 */
export const MEDIUM_DATA_MIN_EXAMPLES = 1_000;
export const LARGE_DATA_ABOVE_EXAMPLES = 10_000;

const count = (n: number) => n.toLocaleString('en-US');

export const DATA_VOLUMES = {
  small: `Small (under ${count(MEDIUM_DATA_MIN_EXAMPLES)} examples)`,
  medium: `Medium (${count(MEDIUM_DATA_MIN_EXAMPLES)} – ${count(LARGE_DATA_ABOVE_EXAMPLES)})`,
  large: `Large (over ${count(LARGE_DATA_ABOVE_EXAMPLES)})`,
} as const;

export const SPECIALIZATION = {
  low: 'Low: a general assistant would do',
  medium: 'Medium: house style or jargon',
  high: 'High: narrow, expert task',
} as const;

export const LATENCY = {
  flexible: 'Flexible: seconds are fine',
  strict: 'Strict: must answer fast',
} as const;

export const SENSITIVITY = {
  public: 'Public',
  internal: 'Internal',
  regulated: 'Regulated (PII, health, finance)',
} as const;

export const TRIED = {
  prompting: 'Prompt engineering / few-shot examples',
  rag: 'RAG over our documents',
} as const;

export const KNOWLEDGE_CHANGE = {
  rarely: 'Rarely (yearly or less)',
  monthly: 'Monthly',
  weekly: 'Weekly',
  daily: 'Daily or faster',
} as const;

export type TaskType = keyof typeof TASK_TYPES;
export type DataVolume = keyof typeof DATA_VOLUMES;
export type Specialization = keyof typeof SPECIALIZATION;
export type Latency = keyof typeof LATENCY;
export type Sensitivity = keyof typeof SENSITIVITY;
export type Tried = keyof typeof TRIED;
export type KnowledgeChange = keyof typeof KNOWLEDGE_CHANGE;

export interface Answers {
  useCase: string;
  taskType: TaskType;
  examples: number;
  dataVolume: DataVolume;
  specialization: Specialization;
  latency: Latency;
  sensitivity: Sensitivity;
  monthlyTokens: number;
  tried: Tried[];
  knowledgeChange: KnowledgeChange;
}

export type QuestionId = keyof Answers;

/** The data-volume bucket that a number of labelled examples falls in (thresholds above). */
export function volumeForExamples(examples: number): DataVolume {
  if (examples < MEDIUM_DATA_MIN_EXAMPLES) return 'small';
  if (examples <= LARGE_DATA_ABOVE_EXAMPLES) return 'medium';
  return 'large';
}

interface BaseQuestion {
  id: QuestionId;
  label: string;
  hint?: string;
  optional?: boolean;
}
export interface TextQuestion extends BaseQuestion {
  kind: 'text';
  placeholder: string;
  maxLength: number;
}
export interface NumberQuestion extends BaseQuestion {
  kind: 'number';
  placeholder: string;
  max: number;
  maxInWords: string;
}
export interface ChoiceQuestion extends BaseQuestion {
  kind: 'select' | 'radio' | 'checkboxes';
  options: Readonly<Record<string, string>>;
}
export type Question = TextQuestion | NumberQuestion | ChoiceQuestion;

export const USE_CASE_MAX = 100;

export const QUESTIONS: readonly Question[] = [
  {
    id: 'useCase',
    kind: 'text',
    label: 'Use case',
    placeholder: 'e.g. Legal document classification',
    maxLength: USE_CASE_MAX,
  },
  { id: 'taskType', kind: 'select', label: 'Task type', options: TASK_TYPES },
  {
    id: 'examples',
    kind: 'number',
    label: 'Labelled examples you have',
    hint: 'Input/output pairs ready for training. Plain numbers or 2k, 1.5M.',
    placeholder: 'e.g. 2,500',
    max: 100_000_000,
    maxInWords: '100 million',
  },
  { id: 'dataVolume', kind: 'radio', label: 'Data volume', options: DATA_VOLUMES },
  { id: 'specialization', kind: 'radio', label: 'Specialization needed', options: SPECIALIZATION },
  { id: 'latency', kind: 'radio', label: 'Latency requirement', options: LATENCY },
  { id: 'sensitivity', kind: 'radio', label: 'Data sensitivity', options: SENSITIVITY },
  {
    id: 'monthlyTokens',
    kind: 'number',
    label: 'Expected inference tokens per month',
    hint: 'Input plus output, all users together. 50M, 2B and 0 are all fine.',
    placeholder: 'e.g. 50M',
    max: 10_000_000_000_000,
    maxInWords: '10 trillion',
  },
  {
    id: 'tried',
    kind: 'checkboxes',
    label: 'Already tried',
    hint: 'Leave empty if you have not tried either yet.',
    optional: true,
    options: TRIED,
  },
  { id: 'knowledgeChange', kind: 'select', label: 'How often the knowledge changes', options: KNOWLEDGE_CHANGE },
];

const SUFFIXES: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9, t: 1e12 };

/** Reads "2,500", "2 500", "1.5k", "50M" or "2B"; undefined for anything else. */
export function parseAmount(raw: string): number | undefined {
  const compact = raw
    .trim()
    .toLowerCase()
    .replace(/[,_\s]/g, '');
  const match = /^(\d+(?:\.\d+)?)([kmbt]?)$/.exec(compact);
  if (!match) return undefined;
  const value = Number(match[1]) * (SUFFIXES[match[2] ?? ''] ?? 1);
  if (!Number.isFinite(value)) return undefined;
  // 1.1k is 1100.0000000000002 in floating point; snap such near-integers back.
  const nearest = Math.round(value);
  return Math.abs(value - nearest) <= Number.EPSILON * Math.max(1, value) * 4 ? nearest : value;
}

export type RawAnswers = Partial<Record<QuestionId, string | string[] | undefined>>;
export type ParseResult = { ok: true; answers: Answers } | { ok: false; errors: Partial<Record<QuestionId, string>> };

function checkNumber(q: NumberQuestion, raw: string): number | string {
  if (/^\s*-/.test(raw)) return 'Use a number of zero or more.';
  const value = parseAmount(raw);
  if (value === undefined) return `"${raw.trim().slice(0, 40)}" is not a number. Try 2500, 2.5k or 50M.`;
  if (value > q.max) return `That is more than ${q.maxInWords}; check the number.`;
  if (!Number.isInteger(value)) return 'Use a whole number.';
  return value;
}

/** Own keys only: `constructor` or `toString` is in every object, and no answer of ours. */
function isOption(q: ChoiceQuestion, value: unknown): boolean {
  return typeof value === 'string' && Object.hasOwn(q.options, value);
}

/** Validates every answer; on failure, one plain-words message per question that is wrong. */
export function parseAnswers(raw: RawAnswers): ParseResult {
  const errors: Partial<Record<QuestionId, string>> = {};
  const out: Record<string, unknown> = {};
  for (const q of QUESTIONS) {
    const value = raw[q.id];
    if (q.kind === 'checkboxes') {
      const picked = Array.isArray(value) ? value : value ? [value] : [];
      const unknown = picked.find((v) => !isOption(q, v));
      if (unknown !== undefined) errors[q.id] = 'Pick from the options shown.';
      else out[q.id] = [...new Set(picked)];
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (text === '') {
      errors[q.id] = q.id === 'useCase' ? 'Give the use case a short name.' : 'This answer is required.';
      continue;
    }
    if (q.kind === 'text') {
      if (text.length > q.maxLength) errors[q.id] = `Keep it under ${q.maxLength} characters.`;
      else out[q.id] = text.replace(/\s+/g, ' ');
    } else if (q.kind === 'number') {
      const checked = checkNumber(q, text);
      if (typeof checked === 'string') errors[q.id] = checked;
      else out[q.id] = checked;
    } else if (!isOption(q, text)) {
      errors[q.id] = 'Pick one of the options shown.';
    } else {
      out[q.id] = text;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, answers: out as unknown as Answers };
}
