import { describe, expect, it } from 'vitest';
import { whyNotAllowed, whyNotInCharge } from '../../src/jobs/access.ts';

const job = { teamId: 'T1', requestedBy: 'U0DEV' };

describe('who may act on a job', () => {
  it('lets the requester and approvers act, and anyone in the workspace when no allow-list is set', () => {
    const open = { allowedUsers: [], approvers: ['U0BOSS'] };
    expect(whyNotInCharge(open, job, 'U0DEV', 'T1')).toBeUndefined();
    expect(whyNotInCharge(open, job, 'U0BOSS', 'T1')).toBeUndefined();
    expect(whyNotInCharge(open, job, 'U0ANY', 'T1')).toBeUndefined();
  });

  it('keeps others out when ALLOWED_USER_IDS is set, and everyone from another workspace', () => {
    const closed = { allowedUsers: ['U0OPS'], approvers: ['U0BOSS'] };
    expect(whyNotInCharge(closed, job, 'U0OPS', 'T1')).toBeUndefined();
    expect(whyNotInCharge(closed, job, 'U0ANY', 'T1')).toMatch(/Only the person who started this job/);
    expect(whyNotInCharge(closed, job, 'U0DEV', 'T2')).toBe('That job belongs to another workspace.');
  });

  it('checks who may start jobs and where', () => {
    const policy = { allowedUsers: ['U0OPS'], allowedChannels: ['C0ML'] };
    expect(whyNotAllowed(policy, 'U0OPS', 'C0ML')).toBeUndefined();
    expect(whyNotAllowed(policy, 'U0ANY', 'C0ML')).toMatch(/ALLOWED_USER_IDS/);
    expect(whyNotAllowed(policy, 'U0OPS', 'C0RANDOM')).toMatch(/ALLOWED_CHANNEL_IDS/);
  });
});
