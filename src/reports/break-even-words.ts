import { formatTokens } from '../advisor/providers.ts';
import type { BreakEven } from '../cost/break-even.ts';

/** One break-even in words, for Slack (with `*bold*` names) and the terminal (plain). */
export function breakEvenSentence(b: BreakEven, bold: (name: string) => string = (name) => name): string {
  const self = bold(b.selfHosted);
  const api = bold(b.api);
  if (b.monthlyTokens === undefined) {
    return b.selfHostedCheaperBelow
      ? `${self} costs less than ${api} only below ${formatTokens(Math.round(b.selfHostedCheaperBelow))} tokens a month`
      : `${self} never costs less than ${api} at these prices`;
  }
  if (b.monthlyTokens === 0) return `${self} costs less than ${api} at any volume`;
  return `${self} costs less than ${api} above ${formatTokens(Math.round(b.monthlyTokens))} tokens a month`;
}
