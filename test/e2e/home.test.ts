import { describe, expect, it } from 'vitest';
import { HOME_ACTIONS, HOME_OPEN_ACTION_ID } from '../../src/slack/home-view.ts';
import { JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { VALIDATE_CALLBACK_ID } from '../../src/slack/validate-view.ts';
import { checkView } from '../support/slack-limits.ts';
import { eventCallback, interactionBody } from '../support/slack-request.ts';
import { useJobHarness } from './job-flow.ts';

/** The Home tab's buttons for the four things a person comes to do, over signed HTTP. */

const { h } = useJobHarness();

/** A button pressed on the Home tab: a view container, no channel, no response_url. */
function homePress(value: string) {
  return interactionBody({
    type: 'block_actions',
    team: { id: 'T0001', domain: 'acme' },
    user: { id: 'U0ASKER', username: 'ada', name: 'ada', team_id: 'T0001' },
    api_app_id: 'A0APP',
    token: 'legacy-verification-token',
    container: { type: 'view', view_id: 'V0HOME' },
    trigger_id: `${Date.now()}.4.trigger`,
    view: { id: 'V0HOME', type: 'home', callback_id: '', private_metadata: '', state: { values: {} } },
    actions: [
      {
        type: 'button',
        action_id: `${HOME_OPEN_ACTION_ID}_${value}`,
        block_id: 'home_actions',
        value,
        action_ts: '1700000000.000200',
      },
    ],
  });
}

describe('the Home tab', () => {
  it('offers the four things a person comes to do, and each opens its form', async () => {
    const event = eventCallback({
      type: 'app_home_opened',
      user: 'U0ASKER',
      channel: 'D0DM',
      tab: 'home',
      event_ts: '1.2',
    });
    expect((await h.post(JSON.stringify(event), 'application/json')).status).toBe(200);
    const [publish] = await h.slack.waitFor('views.publish');
    const view = publish?.args.view as { blocks: Array<{ type: string; elements?: Array<{ value?: string }> }> };
    expect(checkView(view as never)).toEqual([]);
    const buttons = view.blocks.find((b) => b.type === 'actions')?.elements?.map((e) => e.value);
    expect(buttons).toEqual(HOME_ACTIONS.map((a) => a.value));

    const opened: Record<string, string> = {};
    for (const value of ['advise', 'cost', 'validate', 'start']) {
      h.slack.reset();
      const res = await h.post(homePress(value));
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(3000);
      const [open] = await h.slack.waitFor('views.open');
      opened[value] = String((open?.args.view as { callback_id?: string } | undefined)?.callback_id);
    }
    expect(opened.validate).toBe(VALIDATE_CALLBACK_ID);
    expect(opened.start).toBe(JOB_START_CALLBACK_ID);
    expect(new Set(Object.values(opened)).size).toBe(4);
  });

  it('says in the DMs when Slack would not open the form', async () => {
    h.slack.reset();
    h.slack.on('views.open', () => ({ ok: false, error: 'expired_trigger_id' }));
    await h.post(homePress('cost'));
    const [dm] = await h.slack.waitFor('chat.postMessage');
    expect(dm?.args.channel).toBe('U0ASKER');
    expect(String(dm?.args.text)).toContain('press the button again');
  });
});
