import { describe, expect, it } from 'vitest';
import { JOB_DETAILS_ACTION_ID } from '../../src/slack/job-ids.ts';
import { jobMessage } from '../../src/slack/job-message.ts';
import { jobStatusMessage, jobsListMessage, noSuchJobMessage } from '../../src/slack/jobs-list.ts';
import { checkMessage } from '../support/slack-limits.ts';
import { buttons, makeJob, NOW, textOf } from './job-fixture.ts';

describe('/finetune jobs', () => {
  it('invites a first job when the channel has none', () => {
    const message = jobsListMessage([], { now: NOW, channelId: 'C0CHAN' });
    expect(checkMessage(message)).toEqual([]);
    expect(message.text).toBe('No fine-tune jobs yet in <#C0CHAN>. Start one with `/finetune start`.');
  });

  it('lists one section per job with status, start, cost and a Details button, at most ten', () => {
    const jobs = Array.from({ length: 14 }, (_, i) => makeJob({ id: `ft-job${i}` }));
    jobs[1] = makeJob({ id: 'ft-done', phase: 'succeeded', fineTunedModel: 'ft:m', actualUsd: 1234.5 });
    jobs[2] = makeJob({ id: 'ft-gpu', provider: 'gpu', estimateUsd: null });
    const message = jobsListMessage(jobs, { now: NOW, channelId: 'C0CHAN' });
    expect(checkMessage(message)).toEqual([]);
    const rows = message.blocks.filter((b) => b.type === 'section' && 'accessory' in b);
    expect(rows).toHaveLength(10);
    const text = textOf(message.blocks);
    expect(text).toContain(
      ':runner: *ft-job0* · `gpt-4.1-mini-2025-04-14 (support-bot)` on OpenAI\nrunning, 48% done, ETA in 12 min · started <!date^',
    );
    expect(text).toContain('· $1.75 est.');
    expect(text).toContain(':white_check_mark: *ft-done*');
    expect(text).toContain('succeeded: ft:m is ready · started');
    expect(text).toContain('$1,234.50');
    expect(text).toContain('on GPU host');
    expect(text).toContain('Showing the 10 newest.');
    expect(buttons(message.blocks)[1]).toMatchObject({ action_id: JOB_DETAILS_ACTION_ID, value: 'ft-done' });
    expect(message.text).toBe('10 recent fine-tune jobs in <#C0CHAN>');
  });
});

describe('/finetune status', () => {
  it('is the job’s own message, unchanged', () => {
    const job = makeJob();
    const ctx = { now: NOW, providerLabel: 'OpenAI' };
    expect(jobStatusMessage(job, ctx)).toEqual(jobMessage(job, ctx));
  });

  it('says so when there is no such job, without echoing markup', () => {
    expect(noSuchJobMessage('ft-nope').text).toBe(
      'I have no job `ft-nope`. `/finetune jobs` lists this channel’s jobs.',
    );
    expect(noSuchJobMessage('<!here>`x').text).toBe(
      'I have no job `&lt;!here&gt;x`. `/finetune jobs` lists this channel’s jobs.',
    );
    expect(noSuchJobMessage(' ').text).toContain('Which job?');
  });
});
