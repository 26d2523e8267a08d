import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

import { formatTokens } from '../advisor/providers.ts';
import { breakEvenSentence } from '../reports/break-even-words.ts';
import type { CostComparison } from '../reports/cost-comparison.ts';
import { COST_TABLE_HEADER, costTableNotes, costTableRows } from '../reports/cost-table.ts';
import { formatUsd } from '../reports/numbers.ts';
import { bullets, escapeMrkdwn, mrkdwn, plain, truncate } from './text.ts';

export interface CostComparisonInput extends Omit<CostComparison, 'chart'> {
  userId: string;
  fileName?: string;
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}

/** The side-by-side comparison posted after `/finetune cost`; the chart follows as an image. */
export function buildCostMessage(input: CostComparisonInput, note?: string): { text: string; blocks: KnownBlock[] } {
  const title = `Cost: ${formatTokens(input.trainingTokens)} training tokens × ${input.epochs} epochs, ${formatTokens(input.monthlyTokens)} tokens/month`;
  const blocks: KnownBlock[] = [];
  if (note) blocks.push({ type: 'context', elements: [mrkdwn(`:information_source: ${note}`)] });
  blocks.push(
    { type: 'header', text: plain(title, 150) },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `Asked by <@${input.userId}>${input.fileName ? ` · tokens counted in ${escapeMrkdwn(input.fileName)}` : ''}`,
        ),
      ],
    },
  );

  const rows = costTableRows(input.estimates, formatUsd);
  const header = COST_TABLE_HEADER;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  blocks.push({
    type: 'section',
    text: mrkdwn(truncate(`\`\`\`\n${[line(header), ...rows.map(line)].join('\n')}\n\`\`\``, 3000)),
  });
  const notes = costTableNotes(input.estimates);
  if (notes.length > 0) {
    blocks.push({ type: 'context', elements: [mrkdwn(truncate(notes.map(escapeMrkdwn).join('\n'), 3000))] });
  }

  const monthlyDetail = input.estimates.map((e) =>
    e.monthly.notPriced !== undefined
      ? `*${e.label}*: serving not priced`
      : `*${e.label}*: ${formatUsd(e.monthly.inferenceUsd)} inference + ${formatUsd(e.monthly.hostingUsd)} hosting a month`,
  );
  blocks.push({ type: 'section', text: mrkdwn(truncate(`*Per month*\n${bullets(monthlyDetail)}`, 3000)) });

  const breakEvens = input.breakEvens.map((b) => breakEvenSentence(b, (name) => `*${escapeMrkdwn(name)}*`));
  if (breakEvens.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(truncate(`*Break-even*\n${bullets(breakEvens)}`, 3000)) });
  }

  const warnings = unique(input.estimates.flatMap((e) => e.warnings));
  for (const w of [...input.errors, ...warnings].slice(0, 8)) {
    blocks.push({ type: 'context', elements: [mrkdwn(`:warning: ${escapeMrkdwn(w)}`)] });
  }
  const assumptions = unique(input.estimates.flatMap((e) => e.assumptions));
  if (assumptions.length > 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(truncate(`*Assumptions*\n${bullets(assumptions.map(escapeMrkdwn))}`, 3000)),
    });
  }
  const asOf = unique(input.estimates.map((e) => e.asOf)).sort();
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        `Estimates, not quotes. Prices as of ${asOf.join(', ') || 'unknown'}; sources and overrides: README → Prices.`,
      ),
    ],
  });
  return { text: title, blocks };
}
