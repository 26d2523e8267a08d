import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { requestApproval } from '../../src/jobs/approval-request.ts';
import { createNotices } from '../../src/jobs/notices.ts';
import { createLogger } from '../../src/logger.ts';
import { jobApprovalDecidedMessage, jobApprovalMessage } from '../../src/slack/job-approval.ts';
import type { JobNotifier } from '../../src/slack/job-notifier.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { JobRecord, NewJob } from '../../src/store/types.ts';
import { textOf } from '../slack/job-fixture.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const ctx = { providerLabel: 'Azure OpenAI', maxJobUsd: 100 };
let store: Store;
let asked: Array<{ approver: string; text: string }>;

beforeEach(() => {
  store = openStore({ kind: 'sqlite-memory' });
  asked = [];
});
afterEach(() => store.close());

function deps() {
  const notifier = {
    post: async () => '1700000000.000100',
    askApprover: async (job: JobRecord, approver: string) => {
      asked.push({ approver, text: textOf(jobApprovalMessage(job, ctx).blocks) });
      return `1700000000.00020${asked.length}`;
    },
  } as unknown as JobNotifier;
  const logger = createLogger('silent');
  const notices = createNotices({ store, notifier, logger, now: () => NOW, owner: 'test' });
  return {
    store,
    notifier,
    notices,
    logger,
    now: () => NOW,
    providers: {},
    prices: CATALOGUE,
    policy: { approvers: ['U0BOSS'] },
  };
}

const job = (over: Partial<NewJob>): Promise<JobRecord> =>
  store.createJob({
    teamId: 'T1',
    channelId: 'C1',
    requestedBy: 'U0DEV',
    provider: 'azure',
    request: {
      model: 'gpt-4.1-2025-04-14',
      method: 'supervised',
      trainingType: 'globalstandard',
      hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
    },
    phase: 'awaiting_approval',
    estimateUsd: 420,
    ...over,
  });

describe('asking for approval', () => {
  it('tells the approver a MAX_JOB_USD decision on a placeholder rate is a placeholder estimate, and remembers it', async () => {
    const waiting = await job({});
    await requestApproval(deps(), waiting.id);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.text).toContain('*Estimate*\n≈ $420.00 (placeholder rate) (limit $100.00 per job)');
    expect(asked[0]?.text).toContain('which needs an approver because of its cost (a placeholder estimate)');
    expect(asked[0]?.text).toMatch(/This is a placeholder estimate: the training rate is the catalogue’s stand-in/);
    const stored = await store.getJob(waiting.id);
    expect(stored?.request.estimatePlaceholder).toBe(true);
    const decided = jobApprovalDecidedMessage(
      {
        ...(stored as JobRecord),
        phase: 'starting',
        approval: { decision: 'approved', by: 'U0BOSS', at: NOW.toISOString() },
      },
      ctx,
    );
    expect(textOf(decided.blocks)).toContain('≈ $420.00 (placeholder rate)');
  });

  it('marks nothing when the rate is a published one', async () => {
    const waiting = await job({
      provider: 'openai',
      request: {
        model: 'gpt-4.1-2025-04-14',
        method: 'supervised',
        hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
      },
    });
    await requestApproval(deps(), waiting.id);
    expect(asked[0]?.text).toContain('*Estimate*\n$420.00 (limit $100.00 per job)');
    expect(asked[0]?.text).not.toContain('placeholder');
    expect((await store.getJob(waiting.id))?.request.estimatePlaceholder).toBeUndefined();
  });
});
