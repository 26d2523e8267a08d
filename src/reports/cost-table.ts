import type { OptionEstimate } from '../cost/estimate.ts';
import { markPlaceholder, PLACEHOLDER_MARK } from '../cost/placeholder.ts';

/**
 * The comparison table's cells, the same in Slack and the terminal: a placeholder rate is marked
 * next to the figure it changes, an option whose serving has no price (Together, Fireworks) says
 * so instead of showing a month at $0, and one that is no monthly service at all (Azure's
 * Developer tier) shows no monthly figure.
 */

export const COST_TABLE_HEADER = ['Option', 'Training', 'Per month', 'First month', '12 months'];

const EVALUATION_ONLY = 'eval only';

export const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

export function costTableRows(estimates: OptionEstimate[], usd: (n: number) => string): string[][] {
  return estimates.map((e) => {
    const rates = e.placeholderRates ?? [];
    const training = markPlaceholder(usd(e.training.usd), rates.includes('training'));
    if (e.monthly.evaluationOnly !== undefined) return [e.label, training, EVALUATION_ONLY, '—', '—'];
    const unpriced = e.monthly.notPriced !== undefined;
    const withServing = (n: number) => (unpriced ? `${usd(n)} + serving` : usd(n));
    return [
      e.label,
      training,
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
  const evaluation = estimates.find((e) => e.monthly.evaluationOnly !== undefined);
  if (evaluation) {
    notes.push(
      `${EVALUATION_ONLY}: ${lowerFirst(evaluation.monthly.evaluationOnly ?? '')} It has no monthly figure, break-even or chart line; its training cost stands.`,
    );
  }
  return notes;
}

/** The input/output split serving is priced at, in whole percents that add up to 100: "75% input / 25% output". */
export function splitWords(inputShare: number): string {
  const input = Math.round(inputShare * 100);
  return `${input}% input / ${100 - input}% output`;
}

/** The monthly volume and the split it is priced at: "50M tokens/month, 75% input / 25% output". */
export function volumeWords(
  c: { monthlyInputTokens: number; monthlyOutputTokens: number; inputShare: number },
  tokens: (n: number) => string,
): string {
  const total = c.monthlyInputTokens + c.monthlyOutputTokens;
  const split = splitWords(c.inputShare);
  return total > 0 ? `${tokens(total)} tokens/month, ${split}` : `0 tokens/month (the chart assumes ${split})`;
}

export interface AssumptionGroups {
  /** What every option assumes, said once; empty with fewer than two options. */
  shared: string[];
  /** Each option's own assumptions, in the table's order; options with none left are left out. */
  perOption: Array<{ label: string; assumptions: string[] }>;
}

/** The assumptions under the option they belong to, so a reader can tell which figure rests on which. */
export function assumptionGroups(estimates: OptionEstimate[]): AssumptionGroups {
  const own = estimates.map((e) => [...new Set(e.assumptions)]);
  const [first, ...rest] = own;
  const shared = first && rest.length > 0 ? first.filter((a) => rest.every((list) => list.includes(a))) : [];
  const perOption = estimates
    .map((e, i) => ({ label: e.label, assumptions: (own[i] ?? []).filter((a) => !shared.includes(a)) }))
    .filter((g) => g.assumptions.length > 0);
  return { shared, perOption };
}
