import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningBot, startBot } from '../../src/main.ts';
import { BOT_TOKEN, SECRET } from './harness.ts';
import { useJobHarness, waitForJob } from './job-flow.ts';

/**
 * Two replicas on one database find the same job left half-started (its message out, its file not
 * yet at the provider) on the same tick: exactly one resumes it — one upload, one provider job, no
 * cancel — because resuming takes the job's lease first.
 */

const { h, openai } = useJobHarness({ NOTICE_LEASE_SECONDS: '5' });
let other: RunningBot | undefined;

const line = JSON.stringify({
  messages: [
    { role: 'user', content: 'Ticket: my invoice is wrong' },
    { role: 'assistant', content: 'billing' },
  ],
});
const trainFile = `${Array.from({ length: 20 }, () => line).join('\n')}\n`;

beforeAll(async () => {
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    PORT: '0',
    SLACK_API_URL: h.slack.apiUrl,
    DATABASE_URL: `sqlite:${h.dbPath}`,
    OPENAI_API_KEY: 'sk-e2e-secret',
    OPENAI_BASE_URL: openai.baseUrl,
    POLL_CRON: '0 0 1 1 *',
    NOTICE_LEASE_SECONDS: '5',
    AZURE_RETAIL_PRICES_URL: 'off',
  });
  other = await startBot(config, { logger: createLogger('silent'), now: () => h.clock });
});
afterAll(async () => {
  await other?.stop();
});

describe('a half-started job two replicas find at once', () => {
  it('is resumed by one of them only: one upload, one provider job, nothing cancelled', async () => {
    const url = h.slack.serve('half.jsonl', { body: trainFile });
    const created = await h.withStore(async (s) => {
      const job = await s.createJob({
        teamId: 'T0001',
        channelId: 'C0JOBS',
        requestedBy: 'U0ASKER',
        provider: 'openai',
        phase: 'starting',
        estimateUsd: 1,
        request: {
          model: 'gpt-4.1-mini-2025-04-14',
          method: 'supervised',
          hyperparameters: { nEpochs: 1, batchSize: 'auto', learningRateMultiplier: 'auto' },
          slackFile: { id: 'F0HALF', name: 'half.jsonl', url, bytes: trainFile.length },
        },
      });
      return (await s.updateJob(job.id, { messageTs: '1700000000.000100' })) ?? job;
    });
    // Both replicas see it quiet for longer than the lease, and tick at the same moment.
    h.clock = new Date(Date.now() + 10_000);
    openai.delay((r) => r.method === 'POST' && r.path === '/files', 300);
    await Promise.all([h.bot?.monitor.tick(), other?.monitor.tick()]);
    const job = await waitForJob(h, (j) => j.id === created.id && j.providerJobId !== null);
    const ours = [...openai.jobs.values()].filter((j) => j.metadata?.ftbot_job_id === created.id);
    expect(ours).toHaveLength(1);
    expect(job).toMatchObject({ phase: 'validating', providerJobId: ours[0]?.id });
    expect([...openai.files.values()].filter((f) => f.filename.startsWith(`${created.id}-`))).toHaveLength(1);
    expect(openai.requestsTo('POST', /\/cancel$/)).toEqual([]);
  });
});
