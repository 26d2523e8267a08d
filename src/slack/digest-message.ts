import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

import type { ProviderId } from '../providers/types.ts';
import { formatCount, formatUsd } from '../reports/numbers.ts';
import type { SpendRow } from '../store/types.ts';
import { PROVIDER_NAMES, slackDate } from './job-format.ts';
import { bullets, escapeMrkdwn, mrkdwn, plain } from './text.ts';

/** The same shape as src/jobs/digest.ts `DigestData` (declared here: slack/ does not import jobs/). */
export interface DigestInput {
  from: string;
  to: string;
  thisWeek: readonly SpendRow[];
  weekBefore: readonly SpendRow[];
  providerLabels?: Partial<Record<ProviderId, string>>;
}

interface Totals {
  jobs: number;
  succeeded: number;
  failed: number;
  usd: number;
}

function totals(rows: readonly SpendRow[]): Totals {
  return rows.reduce(
    (t, r) => ({
      jobs: t.jobs + r.jobs,
      succeeded: t.succeeded + r.succeeded,
      failed: t.failed + r.failed,
      usd: t.usd + r.usd,
    }),
    { jobs: 0, succeeded: 0, failed: 0, usd: 0 },
  );
}

/** `↑ 35%`, `↓ 20%`, `→ no change`, `↑ new`: this week against the one before. */
export function change(now: number, before: number): string {
  const a = Math.round(now * 100);
  const b = Math.round(before * 100);
  if (a === b) return '→ no change';
  if (b === 0) return '↑ new';
  if (a === 0) return '↓ 100%';
  const pct = Math.round(((a - b) / b) * 100);
  if (pct === 0) return a > b ? '↑ <1%' : '↓ <1%';
  return pct > 0 ? `↑ ${pct}%` : `↓ ${Math.abs(pct)}%`;
}

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/** The weekly digest: jobs run, how they ended, and spend by provider against the week before. */
export function digestMessage(input: DigestInput): { text: string; blocks: KnownBlock[] } {
  const now = totals(input.thisWeek);
  const before = totals(input.weekBefore);
  const period = `${slackDate(input.from, 'date')} – ${slackDate(input.to, 'date')}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain('Fine-tuning this week', 150) },
    { type: 'context', elements: [mrkdwn(period)] },
  ];

  if (now.jobs === 0 && before.jobs === 0) {
    const text =
      'No fine-tune jobs this week or the week before. `/finetune advise` helps decide whether one is worth it.';
    blocks.push({ type: 'section', text: mrkdwn(text) });
    return { text: 'Fine-tuning this week: no jobs.', blocks };
  }

  const jobsLine =
    now.jobs === 0
      ? `No jobs this week (${plural(before.jobs, 'job')} the week before, ${formatUsd(before.usd)}).`
      : `*${plural(now.jobs, 'job')}* run (${formatCount(before.jobs)} the week before) · ` +
        `:white_check_mark: ${formatCount(now.succeeded)} succeeded · :x: ${formatCount(now.failed)} failed`;
  blocks.push({ type: 'section', text: mrkdwn(jobsLine) });

  const spend = (rows: readonly SpendRow[], p: ProviderId) =>
    rows.filter((r) => r.provider === p).reduce((s, r) => s + r.usd, 0);
  // Biggest spender first this week; ties (and last week's only providers) by name.
  const providers = [...new Set([...input.thisWeek, ...input.weekBefore].map((r) => r.provider))].sort(
    (x, y) => spend(input.thisWeek, y) - spend(input.thisWeek, x) || x.localeCompare(y),
  );
  const lines = providers.map((p) => {
    const a = spend(input.thisWeek, p);
    const b = spend(input.weekBefore, p);
    const label = escapeMrkdwn(input.providerLabels?.[p] ?? PROVIDER_NAMES[p]);
    return `*${label}*: ${formatUsd(a)} ${change(a, b)} (was ${formatUsd(b)})`;
  });
  blocks.push({
    type: 'section',
    text: mrkdwn(
      `*Spend: ${formatUsd(now.usd)}* ${change(now.usd, before.usd)} (was ${formatUsd(before.usd)})\n${bullets(lines)}`,
    ),
  });
  blocks.push({
    type: 'context',
    elements: [mrkdwn('Actual costs where known, estimates for jobs still running. `/finetune jobs` lists them.')],
  });
  const text = `Fine-tuning this week: ${plural(now.jobs, 'job')}, ${formatUsd(now.usd)} spent (${change(now.usd, before.usd)} on the week before).`;
  return { text, blocks };
}
