import { describe, expect, it } from 'vitest';
import { buildHelpMessage, echoUnknown, MAX_ECHO } from '../../src/slack/help-message.ts';
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

describe('echoing an unknown subcommand', () => {
  it('cannot ping, link or format: mentions are escaped and the text stays on one line in the code span', () => {
    const help = buildHelpMessage('/finetune', '<@U123> *bold*\n\n\nfoo <!channel> <https://evil.example|x> & co');
    const intro = help.text.split('\n')[0];
    expect(intro).toBe(
      "I don't know `/finetune &lt;@U123&gt; *bold* foo &lt;!channel&gt; &lt;https://evil.example|x&gt; &amp; co`. Here is what I can do:",
    );
    expect(help.text).not.toMatch(/<[@!#]/);
    expect(help.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: intro } });
    expect(checkMessage(help)).toEqual([]);
  });

  it('truncates a long subcommand to MAX_ECHO characters with an ellipsis, before escaping', () => {
    expect(echoUnknown('x'.repeat(500))).toBe(`${'x'.repeat(MAX_ECHO - 1)}…`);
    expect(echoUnknown('x'.repeat(MAX_ECHO))).toBe('x'.repeat(MAX_ECHO));
    // An entity is never cut in half, and a surrogate pair is never split.
    expect(echoUnknown(`${'x'.repeat(MAX_ECHO - 2)}&&&&`)).toBe(`${'x'.repeat(MAX_ECHO - 2)}&amp;…`);
    expect(echoUnknown('😀'.repeat(100))).toBe(`${'😀'.repeat(MAX_ECHO - 1)}…`);
    const help = buildHelpMessage('/finetune', `  ${'y'.repeat(1000)}\t`);
    expect(help.text).toContain(`\`/finetune ${'y'.repeat(MAX_ECHO - 1)}…\``);
    expect(help.text).not.toContain('y'.repeat(MAX_ECHO));
  });

  it('shows the plain help when the subcommand is only whitespace', () => {
    expect(buildHelpMessage('/finetune', ' \n\t ').text).toBe(buildHelpMessage('/finetune').text);
  });
});
