import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

import { escapeMrkdwn, mrkdwn } from './text.ts';

export interface Subcommand {
  usage: string;
  does: string;
}

export const SUBCOMMANDS: readonly Subcommand[] = [
  { usage: 'advise', does: 'answer a few questions and get a reasoned answer: fine-tune or not, and where' },
  { usage: 'validate', does: 'check a JSONL training file line by line, count its tokens and price the training' },
  { usage: 'cost', does: 'compare training and serving costs on OpenAI, Azure OpenAI and your own GPUs, with a chart' },
  { usage: 'start', does: 'start a fine-tuning job on OpenAI or Azure OpenAI, after a review with its cost' },
  { usage: 'jobs', does: 'list this channel’s recent jobs' },
  { usage: 'status JOB_ID', does: 'show one job, e.g. `status ft-7k2m9q`' },
  { usage: 'help', does: 'show this message' },
];

/** How much of an unknown subcommand is echoed back, in characters, before it is cut with an ellipsis. */
export const MAX_ECHO = 60;

/**
 * The user's text, made safe to echo inside an inline code span: one line (whitespace collapsed), no
 * backticks to close the span early, at most MAX_ECHO characters, and mrkdwn-escaped so that `<@U123>`,
 * `<!channel>` and links stay literal text. Truncation counts code points and happens before escaping,
 * so neither a surrogate pair nor an `&amp;` entity is ever cut in half.
 */
export function echoUnknown(text: string): string {
  const oneLine = text.replace(/`/g, "'").replace(/\s+/g, ' ').trim();
  const chars = Array.from(oneLine);
  const cut = chars.length <= MAX_ECHO ? oneLine : `${chars.slice(0, MAX_ECHO - 1).join('')}…`;
  return escapeMrkdwn(cut);
}

/** The ephemeral answer to `/finetune`, `/finetune help` and any subcommand it does not know. */
export function buildHelpMessage(command: string, unknown?: string): { text: string; blocks: KnownBlock[] } {
  const echoed = unknown === undefined ? '' : echoUnknown(unknown);
  const intro = echoed
    ? `I don't know \`${command} ${echoed}\`. Here is what I can do:`
    : 'I help your team decide whether to fine-tune an LLM, and where. Here is what I can do:';
  const lines = SUBCOMMANDS.map((s) => `\`${command} ${s.usage}\`  ${s.does}`).join('\n');
  return {
    text: `${intro}\n${lines}`,
    blocks: [
      { type: 'section', text: mrkdwn(intro) },
      { type: 'section', text: mrkdwn(lines) },
    ],
  };
}
