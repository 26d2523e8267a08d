import { markPlaceholder, PLACEHOLDER_MARK } from '../cost/placeholder.ts';
import type { Quantiles, ValidationReport } from '../data/validate.ts';
import type { TrainingCostLine } from '../reports/cost-options.ts';
import { formatCount, formatUsd } from '../reports/numbers.ts';

const MAX_ERROR_LINES = 30;

function spread(q: Quantiles): string {
  return `${formatCount(q.min)} / ${formatCount(q.p50)} / ${formatCount(q.p95)} / ${formatCount(q.max)}`;
}

/** The validation report for a terminal: the same facts as the Slack message, as plain lines. */
export function formatValidationText(fileName: string, r: ValidationReport, costs: TrainingCostLine[]): string {
  const out: string[] = [];
  if (r.fatal) out.push(`✗ ${fileName} could not be read as training data`, `  ${r.fatal}`);
  else if (r.totalErrors > 0)
    out.push(`✗ ${fileName}: ${formatCount(r.totalErrors)} error${r.totalErrors === 1 ? '' : 's'} to fix`);
  else out.push(`✓ ${fileName} is ready to train`);
  out.push(
    `  model ${r.model} (${r.encoding}, ${formatCount(r.tokenLimit)} tokens per example), format ${r.format}, ` +
      `${formatCount(r.examples)} examples in ${formatCount(r.lines)} lines`,
  );

  if (r.totalErrors > 0) {
    out.push('', 'Errors by kind');
    for (const [category, n] of Object.entries(r.errorCounts).sort((a, b) => b[1] - a[1])) {
      out.push(`  ${category.padEnd(34)} ${formatCount(n)}`);
    }
    out.push('', 'First errors');
    for (const e of r.errors.slice(0, MAX_ERROR_LINES)) {
      out.push(
        `  ${e.line > 0 ? `line ${e.line}` : 'file'}${e.path && e.path !== '$' ? ` ${e.path}` : ''}: ${e.message}`,
      );
    }
    const more = r.totalErrors - Math.min(r.errors.length, MAX_ERROR_LINES);
    if (more > 0) out.push(`  …and ${formatCount(more)} more (--json lists the first ${r.errors.length})`);
  }
  if (r.warnings.length > 0) {
    out.push('', 'Warnings');
    for (const w of r.warnings) {
      out.push(
        `  ${w.message}${w.lines.length > 0 ? ` (lines ${w.lines.join(', ')}${w.count > w.lines.length ? ', …' : ''})` : ''}`,
      );
    }
  }
  if (r.stats) {
    out.push(
      '',
      'Tokens per example (min / median / p95 / max)',
      `  all         ${spread(r.stats.tokens)}`,
      `  assistant   ${spread(r.stats.assistantTokens)}`,
      `  messages    ${spread(r.stats.messages)}`,
      `  over limit  ${formatCount(r.truncatedExamples)} (truncated in training)`,
      `  epochs      ${r.epochs.value}${r.epochs.auto ? ' (auto estimate)' : ''}`,
      `  billable    ${formatCount(r.billableTokens)} tokens`,
    );
  }
  if (costs.length > 0 && r.billableTokens > 0) {
    const width = Math.max(...costs.map((c) => c.label.length));
    out.push('', 'Training cost (estimate)');
    for (const c of costs)
      out.push(
        `  ${c.label.padEnd(width)}  ${markPlaceholder(formatUsd(c.usd), c.placeholder).padStart(10)}${c.detail ? `  ${c.detail}` : ''}`,
      );
    if (costs.some((c) => c.placeholder)) {
      out.push(
        `  ${PLACEHOLDER_MARK}: not a published price (Azure's Retail Prices feed had none); PRICES_FILE corrects it.`,
      );
    }
  }
  return out.join('\n');
}
