import { describe, expect, it } from 'vitest';
import { buildHelpMessage } from '../../src/slack/help-message.ts';
import { checkMessage } from '../support/slack-limits.ts';

describe('the help message', () => {
  it('lists the subcommands under the command name it was called with', () => {
    const help = buildHelpMessage('/finetune');
    expect(checkMessage(help)).toEqual([]);
    expect(help.text).toContain('`/finetune advise`');
    expect(help.text).toContain('`/finetune help`');
  });

  it('names the unknown subcommand, without letting backticks break the formatting', () => {
    const help = buildHelpMessage('/finetune-dev', 'deploy `now`');
    expect(help.text).toMatch(/^I don't know `\/finetune-dev deploy 'now'`/);
    expect(checkMessage(help)).toEqual([]);
  });
});
