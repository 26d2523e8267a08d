import type { OptionEstimate } from '../cost/estimate.ts';
import { markPlaceholder, PLACEHOLDER_MARK } from '../cost/placeholder.ts';

/**
 * The comparison table's cells, the same in Slack and the terminal: a placeholder rate is marked
 * next to the figure it changes, and an option whose serving has no price (Together, Fireworks)
 * says so instead of showing a month at $0.
 */

export const COST_TABLE_HEADER = ['Option', 'Training', 'Per month', 'First month', '12 months'];

export function costTableRows(estimates: OptionEstimate[], usd: (n: number) => string): string[][] {
  return estimates.map((e) => {
    const rates = e.placeholderRates ?? [];
    const unpriced = e.monthly.notPriced !== undefined;
    const withServing = (n: number) => (unpriced ? `${usd(n)} + serving` : usd(n));
    return [
      e.label,
      markPlaceholder(usd(e.training.usd), rates.includes('training')),
      unpriced ? 'not priced' : markPlaceholder(usd(e.monthly.totalUsd), rates.includes('hosting')),
      withServing(e.firstMonthUsd),
      withServing(e.twelveMonthsUsd),
    ];
  });
}

/** The line under the table for what its marks mean; none when nothing is marked. */
export function costTableNotes(estimates: OptionEstimate[]): string[] {
  const notes: string[] = [];
  if (estimates.some((e) => e.placeholder)) {
    notes.push(
      `${PLACEHOLDER_MARK}: not a published price. Azure's Retail Prices feed had no figure for it, so the catalogue's stand-in is used; PRICES_FILE corrects it.`,
    );
  }
  if (estimates.some((e) => e.monthly.notPriced !== undefined)) {
    notes.push(
      'not priced / + serving: Together and Fireworks serve tuned models on dedicated hardware billed by the minute, with no per-token rate to source; the totals are training only.',
    );
  }
  return notes;
}
