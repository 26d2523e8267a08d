import { describe, expect, it } from 'vitest';
import { jobApprovalMessage } from '../../src/slack/job-approval.ts';
import { jobMessage } from '../../src/slack/job-message.ts';
import { deployResultReply } from '../../src/slack/job-thread.ts';
import type { JobPhase } from '../../src/store/types.ts';
import { buttons, makeJob, NOW } from './job-fixture.ts';

/**
 * Every button that asks "are you sure?" in the job's messages: two choices a person can tell apart.
 * Slack's own default for a missing deny is "Cancel", so a Cancel button without one reads
 * "Cancel" / "Cancel".
 */

type Confirm = { title: { text: string }; text: { text: string }; confirm: { text: string }; deny?: { text: string } };

const PHASES: JobPhase[] = ['awaiting_approval', 'starting', 'validating', 'queued', 'running', 'succeeded', 'failed'];

function allConfirms(): Array<{ where: string; confirm: Confirm }> {
  const out: Array<{ where: string; confirm: Confirm }> = [];
  const collect = (where: string, blocks: readonly unknown[]) => {
    for (const b of buttons(blocks))
      if (b.confirm) out.push({ where: `${where}: ${b.text}`, confirm: b.confirm as Confirm });
  };
  for (const provider of ['openai', 'azure', 'gpu', 'together', 'fireworks'] as const) {
    for (const phase of PHASES) {
      const job = makeJob({ provider, phase, fineTunedModel: phase === 'succeeded' ? 'ft:x' : null });
      collect(`${provider} ${phase}`, jobMessage(job, { now: NOW, providerLabel: provider }).blocks);
    }
  }
  const waiting = makeJob({ phase: 'awaiting_approval', provider: 'azure', estimateUsd: 240, providerJobId: null });
  collect('approval request', jobApprovalMessage(waiting, { providerLabel: 'Azure OpenAI', maxJobUsd: 100 }).blocks);
  const deployed = deployResultReply({ ok: true, jobId: 'ft-7k2m9q', deploymentName: 'support-ft', by: 'U0ASKER' });
  collect('deployment', deployed.blocks ?? []);
  return out;
}

describe('confirm dialogs', () => {
  const confirms = allConfirms();

  it('are there for every destructive or billed choice', () => {
    const where = confirms.map((c) => c.where);
    expect(where).toEqual(
      expect.arrayContaining([
        'openai running: Cancel',
        'openai awaiting_approval: Withdraw',
        'azure succeeded: Deploy',
        'approval request: Reject',
        'deployment: Delete deployment',
      ]),
    );
  });

  it.each(confirms.map((c) => [c.where, c.confirm] as const))(
    '%s: two different choices, never Cancel for both',
    (_, c) => {
      expect(c.deny?.text).toBeDefined();
      expect(c.confirm.text).not.toBe(c.deny?.text);
      expect(/cancel/i.test(c.confirm.text) && /cancel/i.test(c.deny?.text ?? 'Cancel')).toBe(false);
      expect(c.deny?.text).not.toMatch(/^cancel$/i);
    },
  );

  it('says what a withdrawal does, not what a cancel does, while the job waits for approval', () => {
    const withdraw = confirms.find((c) => c.where === 'openai awaiting_approval: Withdraw')?.confirm;
    expect(withdraw).toMatchObject({ title: { text: 'Withdraw this request?' }, confirm: { text: 'Withdraw it' } });
    expect(withdraw?.text.text).toContain('nothing is billed');
  });
});
