/**
 * The validation report's shape: what `/finetune validate` shows, and what the cost estimate reads.
 * Re-exported by validate.ts, which is where callers import it from.
 */
import type { Encoding, TuningProvider } from './models.ts';
import type { Quantiles } from './stats.ts';
import type { Warning } from './warnings.ts';

export type { Quantiles, Warning };

export interface ValidateOptions {
  /** A model id or alias from TUNABLE_MODELS. */
  model: string;
  /** `'auto'` (the default) estimates OpenAI's choice from the number of examples. */
  epochs?: number | 'auto';
  /** How many errors the report lists; all are counted. Default 50. */
  maxErrors?: number;
  /** A longer line is an error, skipped without being held in memory. Default DEFAULT_MAX_LINE_BYTES. */
  maxLineBytes?: number;
  /** Where the job will run, for that provider's token limit; without it, the stricter of the two. */
  provider?: TuningProvider;
}

export interface Issue {
  /** 1-based, counting blank lines; 0 for an error about the whole file (too few examples). */
  line: number;
  /** JSON path of the value at fault, like `$.messages[2].content`; `$` is the whole line. */
  path: string;
  category: string;
  message: string;
}

export type FileFormat = 'chat' | 'dpo' | 'prompt_completion' | 'unknown' | 'mixed';

export interface ValidationReport {
  /** No errors at all, and the file could be read. */
  ok: boolean;
  /** The model's dated id (an alias is resolved). */
  model: string;
  encoding: Encoding;
  tokenLimit: number;
  format: FileFormat;
  /** Bytes read: the whole file, unless `fatal` stopped the reading early. */
  bytes: number;
  lines: number;
  /** Non-blank lines that parsed as JSON objects. */
  examples: number;
  /** Examples with no errors: the ones counted in the token stats and billable tokens. */
  validExamples: number;
  /** The first `maxErrors` line errors in line order, after any about the whole file (line 0). */
  errors: Issue[];
  errorCounts: Record<string, number>;
  totalErrors: number;
  warnings: Warning[];
  /** Per valid example; absent when there is none. */
  stats?: { messages: Quantiles; tokens: Quantiles; assistantTokens: Quantiles };
  /** Valid examples over `tokenLimit`, which training truncates. */
  truncatedExamples: number;
  epochs: { value: number; auto: boolean };
  /** Σ min(tokens, tokenLimit) over valid examples: one epoch. */
  trainingTokens: number;
  /** trainingTokens × epochs: an estimate; the job's `trained_tokens` is what is billed. */
  billableTokens: number;
  /** Set when the file could not be read as JSONL at all (binary, a JSON array, CSV): why, in plain words. */
  fatal?: string;
}
