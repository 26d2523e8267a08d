/**
 * Units, rounding and number words for the estimates, in one place.
 *
 * - Money is USD. Token prices are per 1M tokens; GPU and hosting prices per hour.
 * - A month is 730 hours (8,760 ÷ 12). Azure's own worked example uses 720 (30 days); 730 is the
 *   average month, so an always-on deployment is not undercounted in 31-day months.
 * - Estimates compute in full precision and round once, at the end: dollars to the cent, hours to
 *   the hundredth. A total is rounded from unrounded parts, so it can differ by a cent from the sum
 *   of its rounded parts.
 */

export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_HOUR = 3600;
export const PER_MILLION = 1_000_000;

export const roundUsd = (usd: number): number => Math.round(usd * 100) / 100;
export const roundHours = (hours: number): number => Math.round(hours * 100) / 100;

/** 1,234,567 → "1.23M"; 50,000,000 → "50M"; 1.6e9 → "1.6B". */
export function tokensText(n: number): string {
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(n) >= size) return `${trim(n / size)}${suffix}`;
  }
  return trim(n);
}

function trim(x: number): string {
  return Number(x.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** An amount of money to the cent: $1,241.00. */
export function usdText(usd: number): string {
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price as price lists write it, sub-cent digits kept: $0.80, $0.075, $0.805, $25.00. */
export function rateText(usd: number): string {
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
}

export const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
