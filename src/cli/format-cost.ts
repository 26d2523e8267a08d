import { formatTokens } from '../advisor/providers.ts';
import { breakEvenSentence } from '../reports/break-even-words.ts';
import type { CostComparison } from '../reports/cost-comparison.ts';
import {
  assumptionGroups,
  COST_TABLE_HEADER,
  costTableNotes,
  costTableRows,
  volumeWords,
} from '../reports/cost-table.ts';
import { formatUsd } from '../reports/numbers.ts';

/** The cost comparison for a terminal: a table, then break-evens, warnings and each option's assumptions. */
export function formatCostText(c: Omit<CostComparison, 'chart'>): string {
  const out = [
    `Cost: ${formatTokens(c.trainingTokens)} training tokens × ${c.epochs} epochs, ${formatTokens(c.monthlyTokens)} tokens/month`,
    `Monthly volume: ${volumeWords(c, formatTokens)}.`,
    '',
  ];
  const header = COST_TABLE_HEADER;
  const rows = costTableRows(c.estimates, formatUsd);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows]) {
    out.push(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '));
  }
  for (const note of costTableNotes(c.estimates)) out.push(note);
  if (c.breakEvens.length > 0) {
    out.push('', 'Break-even');
    for (const b of c.breakEvens) out.push(`  ${breakEvenSentence(b)}`);
  }
  const warnings = [...c.errors, ...new Set(c.estimates.flatMap((e) => e.warnings))];
  if (warnings.length > 0) out.push('', 'Warnings', ...warnings.map((w) => `  ${w}`));
  const { shared, perOption } = assumptionGroups(c.estimates);
  if (shared.length > 0 || perOption.length > 0) {
    out.push('', 'Assumptions');
    if (shared.length > 0) out.push('  All options', ...shared.map((a) => `    ${a}`));
    for (const g of perOption) out.push(`  ${g.label}`, ...g.assumptions.map((a) => `    ${a}`));
  }
  const asOf = [...new Set(c.estimates.map((e) => e.asOf))].sort();
  out.push('', `Estimates, not quotes. Prices as of ${asOf.join(', ') || 'unknown'}.`);
  return out.join('\n');
}
