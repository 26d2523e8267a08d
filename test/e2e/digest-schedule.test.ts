import { describe, expect, it } from 'vitest';
import { useJobHarness } from './job-flow.ts';

/** DIGEST_CRON and DIGEST_CHANNEL wired for real: the schedule posts the digest in its channel, once a run. */

const { h } = useJobHarness({ DIGEST_CRON: '* * * * * *', DIGEST_CHANNEL: 'C0DIGEST' });

describe('the digest schedule', () => {
  it('posts the weekly digest in DIGEST_CHANNEL when DIGEST_CRON fires', async () => {
    const posts = () => h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0DIGEST');
    await expect.poll(() => posts().length, { timeout: 5_000, interval: 100 }).toBeGreaterThan(0);
    expect(JSON.stringify(posts()[0]?.args)).toMatch(/week/i);
    // One post per run (each second here), not more: the run's minute is claimed in the store.
    const seen = posts().length;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(posts().length - seen).toBeLessThanOrEqual(1);
  });
});
