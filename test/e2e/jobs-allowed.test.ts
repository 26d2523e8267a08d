import { describe, expect, it } from 'vitest';
import { JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { interactionBody, slashCommandBody, viewSubmission } from '../support/slack-request.ts';
import { startValues, useJobHarness } from './job-flow.ts';

const { h, openai } = useJobHarness({
  ALLOWED_USER_IDS: 'U0ASKER',
  ALLOWED_CHANNEL_IDS: 'C0ML',
});

describe('ALLOWED_USER_IDS and ALLOWED_CHANNEL_IDS', () => {
  it('tells someone not on the list instead of opening the form', async () => {
    const responseUrl = `${h.slack.url}/respond/not-allowed`;
    await h.post(slashCommandBody({ text: 'start', userId: 'U0OTHER', responseUrl }));
    const [reply] = await h.slack.waitFor('response_url/respond/not-allowed');
    expect(JSON.stringify(reply?.args)).toContain('ALLOWED_USER_IDS');
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('refuses a channel not on the list on the form itself, creating nothing', async () => {
    const res = await h.post(
      interactionBody(
        viewSubmission({
          callbackId: JOB_START_CALLBACK_ID,
          privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
          values: startValues({ fileId: 'file-abc123' }), // reports in C0JOBS
        }),
      ),
    );
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: {
        channel: 'Jobs may not report in this channel here (ALLOWED_CHANNEL_IDS). Pick one of the allowed channels.',
      },
    });
    expect(await h.withStore((s) => s.listJobs({ teamId: 'T0001', limit: 5 }))).toEqual([]);
    expect(openai.requests).toEqual([]);
  });
});
