/** Numbers as people read them, the same in Slack messages and in the CLI's text. */

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Dollars to the cent; a positive amount under a cent reads "< $0.01" rather than "$0.00". */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.01) return '< $0.01';
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
