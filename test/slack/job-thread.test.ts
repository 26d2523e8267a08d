import { describe, expect, it } from 'vitest';
import { JOB_DELETE_DEPLOYMENT_ACTION_ID, JOB_TRY_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import {
  checkpointReply,
  deployResultReply,
  errorReply,
  finishedReply,
  parseDeploymentButtonValue,
  parseTryIt,
  providerEventReply,
  stalledReply,
  statusChangedReply,
  tryItReply,
  tryItView,
} from '../../src/slack/job-thread.ts';
import { checkMessage, checkView } from '../support/slack-limits.ts';
import { buttons, makeJob, textOf } from './job-fixture.ts';

describe('job thread replies', () => {
  it('says a status change as from → to', () => {
    expect(statusChangedReply('queued', 'running').text).toBe(':runner: Queued → *Running*');
  });

  it('announces a checkpoint with its step, losses and model name', () => {
    expect(
      checkpointReply({
        step: 1200,
        model: 'ft:gpt-4.1-mini:acme::ckpt-step-1200',
        metrics: { step: 1200, trainLoss: 0.3 },
      }).text,
    ).toBe(
      ':floppy_disk: Checkpoint saved at step 1,200 (train loss 0.3000, valid loss —): `ft:gpt-4.1-mini:acme::ckpt-step-1200`',
    );
  });

  it('passes on provider warnings and errors escaped', () => {
    expect(providerEventReply({ level: 'warning', message: 'Slow <queue>' }, 'OpenAI').text).toBe(
      ':warning: OpenAI says: Slow &lt;queue&gt;',
    );
    expect(errorReply({ message: 'Quota exceeded', hint: 'Ask an admin to raise it.' }).text).toBe(
      ':x: Quota exceeded\n:bulb: Ask an admin to raise it.',
    );
  });

  it('warns of a stall in minutes', () => {
    expect(stalledReply(45, 'Azure OpenAI').text).toContain(
      'No news from Azure OpenAI for 45 min while the job is running.',
    );
  });

  it('closes the thread with the summary, the failure or the cancel', () => {
    const done = makeJob({ phase: 'succeeded', fineTunedModel: 'ft:x:y', actualUsd: 2 });
    expect(finishedReply(done).text).toBe(
      ':white_check_mark: <@U0ASKER> `ft:x:y` is ready. 1,234,567 tokens trained. Cost $2.00 ($0.25 over the estimate).',
    );
    expect(finishedReply(makeJob({ phase: 'failed', error: { code: 'x', message: 'Bad file' } })).text).toBe(
      ':x: Bad file',
    );
    expect(finishedReply(makeJob({ phase: 'cancelled' })).text).toContain('cancelled');
  });

  it('reports an Azure deployment with its cost and a Delete button that carries the job', () => {
    const reply = deployResultReply({ ok: true, jobId: 'ft-7k2m9q', deploymentName: 'support-bot-ft', by: 'U0ASKER' });
    expect(checkMessage(reply)).toEqual([]);
    expect(reply.text).toContain('deployed the model as `support-bot-ft`');
    expect(reply.text).toContain('$1.70/hour');
    expect(reply.text).toContain('after 15 days without calls');
    const [del] = buttons(reply.blocks ?? []);
    expect(del).toMatchObject({
      action_id: JOB_DELETE_DEPLOYMENT_ACTION_ID,
      text: 'Delete deployment',
      style: 'danger',
    });
    expect(parseDeploymentButtonValue(del?.value)).toEqual({ jobId: 'ft-7k2m9q', deploymentName: 'support-bot-ft' });
    expect(parseDeploymentButtonValue('nonsense')).toBeUndefined();

    const failed = deployResultReply({ ok: false, jobId: 'ft-1', error: { message: 'No quota', hint: 'Free some.' } });
    expect(failed.text).toBe(':x: I could not deploy the model: No quota\n:bulb: Free some.');
    expect(failed.blocks).toBeUndefined();
  });

  it('answers Try it with the prompt and the answer quoted and escaped', () => {
    const reply = tryItReply({ by: 'U0ASKER', model: 'ft:x', prompt: 'Hi <@U0OTHER>\nthere', answer: 'Hello!' });
    expect(checkMessage(reply)).toEqual([]);
    expect(reply.text).toBe(':speech_balloon: <@U0ASKER> asked `ft:x`:\n>Hi &lt;@U0OTHER&gt;\n>there');
    expect(JSON.stringify(reply.blocks)).toContain('*Answer*\\n>Hello!');
    const long = tryItReply({ by: 'U1', model: 'm', prompt: 'p', answer: 'a'.repeat(5000) });
    expect(checkMessage(long)).toEqual([]);
  });

  it('tells the person when the model did not answer, or stopped short, and why', () => {
    const empty = tryItReply({ by: 'U1', model: 'm', prompt: 'p', answer: '  ' });
    expect(textOf(empty.blocks ?? [])).toContain('The model did not answer.');
    expect(textOf(empty.blocks ?? [])).toContain('returned an empty reply');
    const filtered = tryItReply({ by: 'U1', model: 'm', prompt: 'p', answer: '', stop: 'filtered' });
    expect(textOf(filtered.blocks ?? [])).toMatch(/did not answer.*The provider’s content filter held the answer back/);
    const refused = tryItReply({
      by: 'U1',
      model: 'm',
      prompt: 'p',
      answer: 'I can’t help with that.',
      stop: 'refused',
    });
    expect(textOf(refused.blocks ?? [])).toContain('I can’t help with that.');
    expect(textOf(refused.blocks ?? [])).toContain('The model declined to answer.');
    const cut = tryItReply({ by: 'U1', model: 'm', prompt: 'p', answer: 'Once upon a', stop: 'length' });
    expect(textOf(cut.blocks ?? [])).toContain('cut off at the token limit');
    for (const reply of [empty, filtered, refused, cut]) expect(checkMessage(reply)).toEqual([]);
  });

  it('asks for a prompt in a small modal', () => {
    const view = tryItView({ id: 'ft-7k2m9q', fineTunedModel: 'ft:x' });
    expect(checkView(view)).toEqual([]);
    expect(view).toMatchObject({ callback_id: JOB_TRY_CALLBACK_ID, private_metadata: 'ft-7k2m9q' });
    expect(parseTryIt({ prompt: { value: { type: 'plain_text_input', value: '  ' } } })).toEqual({
      ok: false,
      errors: { prompt: 'Write a prompt for the model.' },
    });
    expect(parseTryIt({ prompt: { value: { type: 'plain_text_input', value: ' Hi ' } } })).toEqual({
      ok: true,
      prompt: 'Hi',
    });
  });
});
