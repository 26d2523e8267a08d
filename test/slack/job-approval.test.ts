import { describe, expect, it } from 'vitest';
import { jobApprovalDecidedMessage, jobApprovalMessage } from '../../src/slack/job-approval.ts';
import { JOB_APPROVE_ACTION_ID, JOB_REJECT_ACTION_ID } from '../../src/slack/job-ids.ts';
import { checkMessage } from '../support/slack-limits.ts';
import { buttons, makeJob, textOf } from './job-fixture.ts';

const ctx = { providerLabel: 'Azure OpenAI', maxJobUsd: 100 };
const waiting = makeJob({ phase: 'awaiting_approval', provider: 'azure', estimateUsd: 240, providerJobId: null });

describe('the approval request', () => {
  it('says who asked, for what, the estimate against the limit, with Approve and a confirmed Reject', () => {
    const message = jobApprovalMessage(waiting, ctx);
    expect(checkMessage(message)).toEqual([]);
    const text = textOf(message.blocks);
    expect(text).toContain('<@U0ASKER> asks to start fine-tune *ft-7k2m9q*');
    expect(text).toContain('*Estimate*\n$240.00 (limit $100.00 per job)');
    expect(text).toContain('*Reports in*\n<#C0CHAN>');
    const [approve, reject] = buttons(message.blocks);
    expect(approve).toMatchObject({ action_id: JOB_APPROVE_ACTION_ID, style: 'primary', value: 'ft-7k2m9q' });
    expect(reject).toMatchObject({ action_id: JOB_REJECT_ACTION_ID, style: 'danger', value: 'ft-7k2m9q' });
    expect(JSON.stringify(reject?.confirm)).toContain('Reject this job?');
    expect(message.text).toBe(
      '<@U0ASKER> asks you to approve fine-tune ft-7k2m9q (gpt-4.1-mini-2025-04-14, $240.00 (limit $100.00 per job))',
    );
  });

  it('replaces the buttons with the decision once made', () => {
    const at = '2026-11-24T11:10:00.000Z';
    const approved = jobApprovalDecidedMessage(
      { ...waiting, phase: 'starting', approval: { decision: 'approved', by: 'U0BOSS', at } },
      ctx,
    );
    expect(checkMessage(approved)).toEqual([]);
    expect(buttons(approved.blocks)).toEqual([]);
    expect(textOf(approved.blocks)).toContain(':white_check_mark: Approved by <@U0BOSS> <!date^1795518600^');
    const rejected = jobApprovalDecidedMessage(
      { ...waiting, phase: 'rejected', approval: { decision: 'rejected', by: 'U0BOSS', at } },
      ctx,
    );
    expect(textOf(rejected.blocks)).toContain(':no_entry_sign: Rejected by <@U0BOSS>');
    expect(rejected.text).toBe('Fine-tune ft-7k2m9q was rejected by <@U0BOSS>');
  });

  it('says the requester withdrew a request cancelled while waiting', () => {
    const withdrawn = jobApprovalDecidedMessage({ ...waiting, phase: 'cancelled' }, ctx);
    expect(textOf(withdrawn.blocks)).toContain('The requester withdrew it.');
    expect(buttons(withdrawn.blocks)).toEqual([]);
  });
});
