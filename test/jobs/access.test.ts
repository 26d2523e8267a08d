import { describe, expect, it } from 'vitest';
import { type JobAction, whyHidden, whyNotAllowed, whyNotApprover, whyNotInCharge } from '../../src/jobs/access.ts';

const job = { id: 'ft-abc234', teamId: 'T1', channelId: 'C0JOBS', requestedBy: 'U0DEV' };
const policy = { approvers: ['U0BOSS'], admins: ['U0ADMIN'] };
const ACTIONS: JobAction[] = ['cancel', 'deploy', 'undeploy', 'try'];

describe('who may act on a job', () => {
  it.each(ACTIONS)('lets the requester, an approver and an admin %s, and nobody else', (action) => {
    const as = (userId: string, teamId = 'T1') => whyNotInCharge(policy, job, { userId, teamId }, action);
    expect(as('U0DEV')).toBeUndefined();
    expect(as('U0BOSS')).toBeUndefined();
    expect(as('U0ADMIN')).toBeUndefined();
    expect(as('U0STRANGER')).toMatch(/^Only <@U0DEV> \(who started it\), an approver or an admin of this bot can /);
    expect(as('U0DEV', 'T2')).toBe('That job belongs to another workspace.');
  });

  it('does not let ALLOWED_USER_IDS stand in for being in charge', () => {
    const wide = { ...policy, allowedUsers: ['U0STRANGER'], allowedChannels: [] };
    expect(whyNotInCharge(wide, job, { userId: 'U0STRANGER', teamId: 'T1' }, 'cancel')).toMatch(/^Only/);
  });

  it('shows a job in its channel, to its requester and to those in charge; nowhere else', () => {
    const at = (userId: string, channelId: string) => whyHidden(policy, job, { userId, teamId: 'T1', channelId });
    expect(at('U0STRANGER', 'C0JOBS')).toBeUndefined();
    expect(at('U0DEV', 'C0ELSE')).toBeUndefined();
    expect(at('U0ADMIN', 'C0ELSE')).toBeUndefined();
    expect(at('U0STRANGER', 'C0ELSE')).toBe(
      'Job ft-abc234 reports in another channel; run `/finetune status ft-abc234` there.',
    );
    expect(whyHidden(policy, job, { userId: 'U0DEV', teamId: 'T2', channelId: 'C0JOBS' })).toMatch(/another workspace/);
  });

  it('lets whoever may see a job refresh it', () => {
    expect(
      whyNotInCharge(policy, job, { userId: 'U0ANY', teamId: 'T1', channelId: 'C0JOBS' }, 'refresh'),
    ).toBeUndefined();
    expect(whyNotInCharge(policy, job, { userId: 'U0ANY', teamId: 'T1', channelId: 'C0ELSE' }, 'refresh')).toMatch(
      /another channel/,
    );
  });

  it('lets only approvers decide', () => {
    expect(whyNotApprover(policy, 'U0BOSS')).toBeUndefined();
    expect(whyNotApprover(policy, 'U0ADMIN')).toMatch(/APPROVER_USER_IDS/);
  });

  it('checks who may start jobs and where', () => {
    const start = { allowedUsers: ['U0OPS'], allowedChannels: ['C0ML'] };
    expect(whyNotAllowed(start, 'U0OPS', 'C0ML')).toBeUndefined();
    expect(whyNotAllowed(start, 'U0ANY', 'C0ML')).toMatch(/ALLOWED_USER_IDS/);
    expect(whyNotAllowed(start, 'U0OPS', 'C0RANDOM')).toMatch(/ALLOWED_CHANNEL_IDS/);
  });
});
