import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

import { formatTokens } from '../advisor/providers.ts';
import { breakEvenSentence } from '../reports/break-even-words.ts';
import type { CostComparison } from '../reports/cost-comparison.ts';
import { cheapestToStart, type StartableOption } from '../reports/cost-start.ts';
import {
  assumptionGroups,
  COST_TABLE_HEADER,
  costTableNotes,
  costTableRows,
  lowerFirst,
  volumeWords,
} from '../reports/cost-table.ts';
import { formatUsd } from '../reports/numbers.ts';
import { bullets, escapeMrkdwn, mrkdwn, plain, truncate } from './text.ts';

export interface CostComparisonInput extends Omit<CostComparison, 'chart'> {
  userId: string;
  fileName?: string;
  /** The compared options a configured provider here can train (src/reports/cost-start.ts). */
  startable?: readonly StartableOption[];
}

/** "Start a job" under the comparison: the job form, pre-filled with the cheapest option here. */
export const START_JOB_FROM_COST_ACTION_ID = 'cost_start_job';

/** Slack's limits on one message: blocks, characters in one section, characters in all of them. */
const MAX_BLOCKS = 50;
const SECTION_CHARS = 3000;
/** Slack refuses a message around 12,000 characters of block text; this leaves room to spare. */
const MESSAGE_CHARS = 11_000;

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}

/** Characters of text in the blocks, counted as Slack counts them against its message limit. */
function textChars(blocks: KnownBlock[]): number {
  const len = (t: unknown) => (t && typeof t === 'object' && 'text' in t ? String(t.text).length : 0);
  let n = 0;
  for (const b of blocks) {
    if (b.type === 'section')
      n += len(b.text) + len(b.accessory && 'text' in b.accessory ? b.accessory.text : undefined);
    if (b.type === 'header') n += len(b.text);
    if (b.type === 'context') for (const e of b.elements) n += len(e);
  }
  return n;
}

/**
 * The assumptions, said once for all options and then under each option's label, packed into as
 * few sections as Slack's limits allow. What does not fit within `chars` and `maxBlocks` is left
 * out, and a last line says how much.
 */
export function assumptionBlocks(
  estimates: CostComparisonInput['estimates'],
  budget: { chars: number; maxBlocks: number },
): KnownBlock[] {
  const { shared, perOption } = assumptionGroups(estimates);
  const groups = [
    ...(shared.length > 0 ? [{ title: 'All options', lines: shared }] : []),
    ...perOption.map((g) => ({ title: escapeMrkdwn(g.label), lines: g.assumptions })),
  ];
  const total = groups.reduce((n, g) => n + g.lines.length, 0);
  if (total === 0 || budget.maxBlocks < 1) return [];
  const leftOut = (n: number) =>
    `_${n} more assumption${n === 1 ? '' : 's'} left out to fit one Slack message: compare fewer options to see them all._`;
  const reserve = leftOut(total).length + 1;
  const sections: string[] = [];
  let current = '*Assumptions*';
  let used = 0;
  let shown = 0;
  packing: for (const group of groups) {
    let heading: string | undefined = `*${group.title}*`;
    for (const raw of group.lines) {
      const line = `• ${truncate(escapeMrkdwn(raw), SECTION_CHARS - 200)}`;
      let piece = heading ? `${heading}\n${line}` : line;
      if (current.length + 1 + piece.length + reserve > SECTION_CHARS) {
        if (sections.length + 2 > budget.maxBlocks) break packing;
        sections.push(current);
        used += current.length;
        piece = `${heading ?? `*${group.title}* (continued)`}\n${line}`;
        current = '';
      }
      if (used + current.length + 1 + piece.length + reserve > budget.chars) break packing;
      current = current ? `${current}\n${piece}` : piece;
      heading = undefined;
      shown += 1;
    }
  }
  if (shown < total) current = current ? `${current}\n${leftOut(total - shown)}` : leftOut(total - shown);
  if (current) sections.push(current);
  return sections.map((text) => ({ type: 'section', text: mrkdwn(truncate(text, SECTION_CHARS)) }));
}

function monthlyLine(e: CostComparisonInput['estimates'][number]): string {
  const label = `*${escapeMrkdwn(e.label)}*`;
  if (e.monthly.evaluationOnly !== undefined) return `${label}: ${lowerFirst(e.monthly.evaluationOnly)}`;
  if (e.monthly.notPriced !== undefined) return `${label}: serving not priced`;
  return `${label}: ${formatUsd(e.monthly.inferenceUsd)} inference + ${formatUsd(e.monthly.hostingUsd)} hosting a month`;
}

/** The button on the cheapest option that can be started here; none when no option qualifies. */
function startBlock(input: CostComparisonInput): KnownBlock | undefined {
  const pick = cheapestToStart(input.estimates, input.startable ?? []);
  if (!pick) return undefined;
  const { estimate, start } = pick;
  return {
    type: 'section',
    text: mrkdwn(
      `*Cheapest you can start here:* ${escapeMrkdwn(estimate.label)} on ${escapeMrkdwn(start.providerLabel)}, ` +
        `${formatUsd(estimate.twelveMonthsUsd)} over 12 months with training.`,
    ),
    accessory: {
      type: 'button',
      action_id: START_JOB_FROM_COST_ACTION_ID,
      text: plain('Start a job', 75),
      style: 'primary',
      value: start.value,
    },
  };
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
          `Asked by <@${input.userId}> · ${volumeWords(input, formatTokens)}${input.fileName ? ` · tokens counted in ${escapeMrkdwn(input.fileName)}` : ''}`,
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
    text: mrkdwn(truncate(`\`\`\`\n${[line(header), ...rows.map(line)].join('\n')}\n\`\`\``, SECTION_CHARS)),
  });
  const notes = costTableNotes(input.estimates);
  if (notes.length > 0) {
    blocks.push({ type: 'context', elements: [mrkdwn(truncate(notes.map(escapeMrkdwn).join('\n'), SECTION_CHARS))] });
  }
  const start = startBlock(input);
  if (start) blocks.push(start);

  const monthlyDetail = input.estimates.map(monthlyLine);
  blocks.push({ type: 'section', text: mrkdwn(truncate(`*Per month*\n${bullets(monthlyDetail)}`, SECTION_CHARS)) });

  const breakEvens = input.breakEvens.map((b) => breakEvenSentence(b, (name) => `*${escapeMrkdwn(name)}*`));
  if (breakEvens.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(truncate(`*Break-even*\n${bullets(breakEvens)}`, SECTION_CHARS)) });
  }

  const warnings = unique(input.estimates.flatMap((e) => e.warnings));
  for (const w of [...input.errors, ...warnings].slice(0, 8)) {
    blocks.push({ type: 'context', elements: [mrkdwn(truncate(`:warning: ${escapeMrkdwn(w)}`, SECTION_CHARS))] });
  }
  const asOf = unique(input.estimates.map((e) => e.asOf)).sort();
  const footer: KnownBlock = {
    type: 'context',
    elements: [
      mrkdwn(
        `Estimates, not quotes. Prices as of ${asOf.join(', ') || 'unknown'}; sources and overrides: README → Prices.`,
      ),
    ],
  };
  blocks.push(
    ...assumptionBlocks(input.estimates, {
      chars: MESSAGE_CHARS - textChars([...blocks, footer]),
      maxBlocks: MAX_BLOCKS - blocks.length - 1,
    }),
    footer,
  );
  return { text: title, blocks };
}
