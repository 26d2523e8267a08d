import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

import { mrkdwn } from './text.ts';

export interface Subcommand {
  usage: string;
  does: string;
}

export const SUBCOMMANDS: readonly Subcommand[] = [
  { usage: 'advise', does: 'answer a few questions and get a reasoned answer: fine-tune or not, and where' },
  { usage: 'help', does: 'show this message' },
];

/** The ephemeral answer to `/finetune`, `/finetune help` and any subcommand it does not know. */
export function buildHelpMessage(command: string, unknown?: string): { text: string; blocks: KnownBlock[] } {
  const intro = unknown
    ? `I don't know \`${command} ${unknown.replace(/`/g, "'").slice(0, 50)}\`. Here is what I can do:`
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
