/**
 * The state of one validation as the lines go by: errors (the first few kept, all counted),
 * warnings, and per-example counts for the stats. Per line: decode, parse, detect the format,
 * check, and only for a valid example count tokens and look for a duplicate.
 */
import {
  checkChat,
  checkDpo,
  checkPromptCompletion,
  detectFormat,
  type ExampleFacts,
  type ExampleFormat,
  FORMAT_NAMES,
  unknownFormat,
} from './check-example.ts';
import { type IssueSink, isObject } from './check-message.ts';
import { isBlank, type LineHandler } from './lines.ts';
import { TUNABLE_MODELS, type TunableModel } from './models.ts';
import type { Issue, ValidationReport } from './report.ts';
import { notJsonlReason } from './sniff.ts';
import { autoEpochs, HashSet52, hash52, quantiles, U32List } from './stats.ts';
import type { ExampleCounter } from './tokens.ts';
import { Warnings } from './warnings.ts';

export const MIN_EXAMPLES = 10;
export const RECOMMENDED_EXAMPLES = 50;
/** OpenAI's Files API limit; larger files need the Uploads API. Azure caps files at 512 MB too. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** Non-object lines in a row, from the start, after which the file is taken for something else. */
const NOT_JSONL_AFTER = 20;

/**
 * One validation's state, fed line by line: the line handler for the splitter and the issue sink
 * for the checks. validateJsonl() drives it; report() turns it into the report.
 */
export class Validation implements LineHandler, IssueSink {
  fatal: string | undefined;
  private readonly model: TunableModel;
  private readonly tokenLimit: number;
  private readonly counter: ExampleCounter;
  private readonly maxErrors: number;
  private readonly maxLineBytes: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private readonly errors: Issue[] = [];
  private readonly fileErrors: Issue[] = [];
  private readonly errorCounts: Record<string, number> = {};
  private totalErrors = 0;
  private readonly warnings = new Warnings();
  private readonly seen = new HashSet52();
  private readonly tokens = new U32List();
  private readonly outputTokens = new U32List();
  private readonly messageCounts = new U32List();
  private format: { format: ExampleFormat; line: number } | undefined;
  private mixed = false;
  private examples = 0;
  private unparsed = 0;
  /** The first non-blank line's text when it was not a JSON object: what the file may be instead. */
  private firstText: string | undefined;
  private seenLine = false;
  private truncated = 0;
  private trainingTokens = 0;
  /** The line being checked, and how many errors it has had: the sink's context. */
  private current = 0;
  private currentErrors = 0;

  constructor(
    model: TunableModel,
    tokenLimit: number,
    counter: ExampleCounter,
    maxErrors: number,
    maxLineBytes: number,
  ) {
    this.model = model;
    this.tokenLimit = tokenLimit;
    this.counter = counter;
    this.maxErrors = maxErrors;
    this.maxLineBytes = maxLineBytes;
  }

  error(path: string, category: string, message: string): void {
    this.currentErrors++;
    this.totalErrors++;
    this.errorCounts[category] = (this.errorCounts[category] ?? 0) + 1;
    if (this.errors.length < this.maxErrors) this.errors.push({ line: this.current, path, category, message });
  }

  warn(category: string, detail?: string): void {
    this.warnings.add(category, this.current, detail);
  }

  private fileError(category: string, message: string): void {
    this.totalErrors++;
    this.errorCounts[category] = (this.errorCounts[category] ?? 0) + 1;
    this.fileErrors.push({ line: 0, path: '$', category, message });
  }

  tooLong(line: number, length: number): void {
    if (this.fatal) return;
    this.current = line;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    this.error(
      '$',
      'line_too_long',
      `The line is ${mb(length)}, over the ${mb(this.maxLineBytes)} one example may take, so it was skipped unread.`,
    );
  }

  line(n: number, bytes: Uint8Array): void {
    if (this.fatal || isBlank(bytes)) return;
    this.current = n;
    this.currentErrors = 0;
    const first = !this.seenLine;
    this.seenLine = true;
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      this.error('$', 'invalid_utf8', 'The line is not valid UTF-8 text. Save the file with UTF-8 encoding.');
      this.notAnObject(first ? '' : undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.error('$', 'invalid_json', `Not valid JSON: ${(e as Error).message.slice(0, 160)}`);
      this.notAnObject(first ? text : undefined);
      return;
    }
    if (!isObject(value)) {
      const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
      this.error('$', 'data_type', `Each line must be one JSON object {…}, not ${what}.`);
      this.notAnObject(first ? text : undefined);
      return;
    }
    this.examples++;
    this.check(n, value);
  }

  /** Stops the reading when nothing so far has been a JSON object: the file is something else. */
  private notAnObject(firstText: string | undefined): void {
    if (firstText !== undefined) this.firstText = firstText.slice(0, 500);
    this.unparsed++;
    if (this.examples === 0 && this.unparsed >= NOT_JSONL_AFTER) {
      this.fatal = notJsonlReason(this.firstText ?? '', this.unparsed, true);
    }
  }

  private check(n: number, value: Record<string, unknown>): void {
    const format = detectFormat(value);
    let facts: ExampleFacts | undefined;
    if (!format) {
      unknownFormat(value, this);
    } else if (this.format && format !== this.format.format) {
      this.mixed = true;
      this.error(
        '$',
        'mixed_formats',
        `This line is ${FORMAT_NAMES[format]}, but the file started as ${FORMAT_NAMES[this.format.format]} on line ${this.format.line}; use one format per file.`,
      );
    } else {
      if (!this.format) this.start(format, n);
      if (format === 'chat') facts = checkChat(value, this);
      else if (format === 'dpo') facts = checkDpo(value, this);
      else facts = checkPromptCompletion(value, this);
    }
    if (format && facts && this.currentErrors === 0) this.accept(format, value, facts);
  }

  private start(format: ExampleFormat, line: number): void {
    this.format = { format, line };
    if (format === 'dpo' && !this.model.methods.includes('dpo')) {
      const dpoModels = TUNABLE_MODELS.filter((m) => m.methods.includes('dpo')).map((m) => m.id);
      this.fileError(
        'dpo_unsupported_model',
        `${this.model.id} cannot be trained with DPO; models that can: ${dpoModels.join(', ')}.`,
      );
    }
  }

  private accept(format: ExampleFormat, value: Record<string, unknown>, facts: ExampleFacts): void {
    const c = this.counter.example(format, value);
    this.tokens.push(c.tokens);
    this.outputTokens.push(c.output);
    this.messageCounts.push(c.messages);
    this.trainingTokens += Math.min(c.tokens, this.tokenLimit);
    if (c.tokens > this.tokenLimit) {
      this.truncated++;
      this.warn('too_long');
    }
    if (!facts.hasSystem && format !== 'prompt_completion') this.warn('missing_system_message');
    if (!facts.hasUser) this.warn('missing_user_message');
    if (c.images > 0) this.warn('images_not_counted');
    // Re-serialised, so spacing and escapes do not hide a duplicate.
    if (!this.seen.add(hash52(JSON.stringify(value)))) this.warn('duplicate_example');
  }

  report(bytes: number, lines: number, epochOption: number | 'auto'): ValidationReport {
    const valid = this.tokens.length;
    // Nothing usable, and the first line was no JSON object: say what the file looks like instead.
    if (!this.fatal && valid === 0 && this.firstText !== undefined) {
      this.fatal = notJsonlReason(this.firstText, this.unparsed, this.examples === 0);
    }
    if (!this.fatal) this.fileChecks(bytes, valid);
    const epochs =
      epochOption === 'auto' ? { value: autoEpochs(valid), auto: true } : { value: epochOption, auto: false };
    const format = this.mixed ? 'mixed' : (this.format?.format ?? 'unknown');
    return {
      ok: !this.fatal && this.totalErrors === 0,
      model: this.model.id,
      encoding: this.model.encoding,
      tokenLimit: this.tokenLimit,
      format,
      bytes,
      lines,
      examples: this.examples,
      validExamples: valid,
      errors: [...this.fileErrors, ...this.errors],
      errorCounts: this.errorCounts,
      totalErrors: this.totalErrors,
      warnings: this.warnings.list({ model: this.model.id, tokenLimit: this.tokenLimit }),
      ...(valid > 0
        ? {
            stats: {
              messages: quantiles(this.messageCounts),
              tokens: quantiles(this.tokens),
              assistantTokens: quantiles(this.outputTokens),
            },
          }
        : {}),
      truncatedExamples: this.truncated,
      epochs,
      trainingTokens: this.trainingTokens,
      billableTokens: this.trainingTokens * epochs.value,
      ...(this.fatal ? { fatal: this.fatal } : {}),
    };
  }

  private fileChecks(bytes: number, valid: number): void {
    if (this.examples === 0) {
      this.fileError('too_few_examples', `The file has no examples; at least ${MIN_EXAMPLES} are needed.`);
    } else if (valid < MIN_EXAMPLES) {
      const found = valid === 0 ? 'No valid examples' : `Only ${valid} valid example${valid === 1 ? '' : 's'}`;
      this.fileError('too_few_examples', `${found}; fine-tuning needs at least ${MIN_EXAMPLES}.`);
    } else if (valid < RECOMMENDED_EXAMPLES) {
      this.warnings.file(
        'few_examples',
        `Only ${valid} examples: enough to start a job, but improvements typically show from ${RECOMMENDED_EXAMPLES}–100 well-crafted examples.`,
      );
    }
    if (bytes > MAX_FILE_BYTES) {
      this.warnings.file(
        'file_too_large',
        `The file is ${Math.round(bytes / 1024 / 1024)} MB, over the 512 MB a single upload may have: OpenAI needs it sent with the Uploads API (in parts), and Azure OpenAI does not take it at all.`,
      );
    }
  }
}
