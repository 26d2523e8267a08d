import type { types } from '@slack/bolt';
import { formatCount, formatUsd } from '../reports/numbers.ts';

type KnownBlock = types.KnownBlock;

import { markPlaceholder, PLACEHOLDER_MARK } from '../cost/placeholder.ts';
import type { Quantiles, ValidationReport } from '../data/validate.ts';
import type { TrainingCostLine } from '../reports/cost-options.ts';
import { START_WITH_FILE_ACTION_ID } from './file-start.ts';
import { bullets, escapeMrkdwn, mrkdwn, plain, truncate } from './text.ts';

export interface ValidationReportInput {
  fileName: string;
  userId: string;
  report: ValidationReport;
  costs: TrainingCostLine[];
  pricesAsOf?: string;
  /** The "Start a job with this file" button's value (encodeFileStart), offered only on a file ready to train. */
  startWith?: string;
}

const MAX_ERROR_LINES = 15;

function spread(q: Quantiles): string {
  return `${formatCount(q.min)} / ${formatCount(q.p50)} / ${formatCount(q.p95)} / ${formatCount(q.max)}`;
}

/** Nothing to fix: the report offers to train on it. */
export function ready(r: ValidationReport): boolean {
  return !r.fatal && r.totalErrors === 0 && r.examples > 0;
}

function headline(r: ValidationReport, file: string): string {
  if (r.fatal) return `:x: ${file} could not be read as training data`;
  if (r.totalErrors > 0)
    return `:x: ${file}: ${formatCount(r.totalErrors)} error${r.totalErrors === 1 ? '' : 's'} to fix`;
  return `:white_check_mark: ${file} is ready to train`;
}

/** The report posted after `/finetune validate`: errors by line, warnings, token stats and cost. */
export function buildValidationReportMessage(
  input: ValidationReportInput,
  note?: string,
): { text: string; blocks: KnownBlock[] } {
  const { report: r } = input;
  const blocks: KnownBlock[] = [];
  if (note) blocks.push({ type: 'context', elements: [mrkdwn(`:information_source: ${note}`)] });
  blocks.push(
    { type: 'header', text: plain(headline(r, input.fileName), 150) },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `Checked for <@${input.userId}> against \`${r.model}\` (${r.encoding}, ${formatCount(r.tokenLimit)} tokens per example) · ` +
            `${formatCount(r.examples)} examples · format: ${r.format.replace('_', '/')}`,
        ),
      ],
    },
  );

  if (r.fatal) blocks.push({ type: 'section', text: mrkdwn(escapeMrkdwn(r.fatal)) });

  if (r.totalErrors > 0) {
    const counts = Object.entries(r.errorCounts)
      .sort((a, b) => b[1] - a[1])
      .map(([category, n]) => `\`${category}\` × ${formatCount(n)}`);
    blocks.push({ type: 'section', text: mrkdwn(`*Errors by kind*\n${bullets(counts)}`) });
    const shown = r.errors
      .slice(0, MAX_ERROR_LINES)
      .map(
        (e) =>
          `${e.line > 0 ? `Line ${formatCount(e.line)}` : 'The file'}${e.path && e.path !== '$' ? ` \`${e.path}\`` : ''}: ${escapeMrkdwn(truncate(e.message, 160))}`,
      );
    const more = r.totalErrors - shown.length;
    blocks.push({
      type: 'section',
      text: mrkdwn(`*First errors*\n${shown.join('\n')}${more > 0 ? `\n…and ${formatCount(more)} more.` : ''}`),
    });
  }

  if (r.warnings.length > 0) {
    const lines = r.warnings.map((w) => {
      const where =
        w.lines.length > 0
          ? ` (line${w.lines.length > 1 ? 's' : ''} ${w.lines.slice(0, 5).join(', ')}${w.count > 5 ? ', …' : ''})`
          : '';
      return `${escapeMrkdwn(w.message)}${where}`;
    });
    blocks.push({ type: 'section', text: mrkdwn(`*Warnings*\n${bullets(lines)}`) });
  }

  if (r.stats) {
    const epochs = `${r.epochs.value}${r.epochs.auto ? ' (auto estimate)' : ''}`;
    blocks.push({
      type: 'section',
      text: mrkdwn('*Tokens* (min / median / p95 / max per example)'),
      fields: [
        mrkdwn(`*All tokens*\n${spread(r.stats.tokens)}`),
        mrkdwn(`*Assistant tokens*\n${spread(r.stats.assistantTokens)}`),
        mrkdwn(`*Messages*\n${spread(r.stats.messages)}`),
        mrkdwn(`*Over the limit (truncated)*\n${formatCount(r.truncatedExamples)}`),
        mrkdwn(`*Epochs*\n${epochs}`),
        mrkdwn(`*Billable tokens*\n${formatCount(r.billableTokens)}`),
      ],
    });
  }

  if (input.costs.length > 0 && r.billableTokens > 0) {
    const width = Math.max(...input.costs.map((c) => c.label.length));
    const rows = input.costs.map(
      (c) =>
        `${c.label.padEnd(width)}  ${markPlaceholder(formatUsd(c.usd), c.placeholder).padStart(10)}${c.detail ? `  ${c.detail}` : ''}`,
    );
    const placeholders = input.costs.some((c) => c.placeholder);
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Training cost for ${formatCount(r.billableTokens)} billable tokens*\n\`\`\`\n${rows.join('\n')}\n\`\`\``,
      ),
    });
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `Estimates${input.pricesAsOf ? ` from prices as of ${input.pricesAsOf}` : ''}. \`/finetune cost\` compares serving costs too.` +
            (placeholders
              ? ` ${PLACEHOLDER_MARK}: Azure publishes no rate for it in its Retail Prices feed, so the catalogue's stand-in is used; set PRICES_FILE to correct it.`
              : ''),
        ),
      ],
    });
  }

  if (input.startWith && ready(r)) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: START_WITH_FILE_ACTION_ID,
          text: plain('Start a job with this file', 75),
          style: 'primary',
          value: input.startWith,
        },
      ],
    });
  }

  const text = `${headline(r, escapeMrkdwn(input.fileName))}. ${formatCount(r.examples)} examples, ${formatCount(r.billableTokens)} billable tokens.`;
  return { text: truncate(text, 3000), blocks };
}
