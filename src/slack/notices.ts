import type { types } from '@slack/bolt';

/** Short plain-text notices the handlers send when something goes wrong after the ack. */

export const QUESTIONNAIRE_NOT_OPENED =
  'Slack did not let me open the questionnaire in time. Please run `/finetune advise` again.';

const MODAL_NAMES: Record<string, string> = {
  advise: 'the questionnaire',
  validate: 'the file check',
  cost: 'the cost form',
};

/** Said when views.open failed or came too late for the trigger. */
export function modalNotOpened(command: string, sub: string): string {
  if (command === '/finetune' && sub === 'advise') return QUESTIONNAIRE_NOT_OPENED;
  return `Slack did not let me open ${MODAL_NAMES[sub] ?? 'the form'} in time. Please run \`${command} ${sub}\` again.`;
}

export const ADVICE_NOT_SAVED =
  'I worked out your recommendation but could not save it, so I did not post it. Please try `/finetune advise` again in a minute.';

export function fileNotChecked(fileName: string, reason: string): string {
  return `:x: I could not check ${fileName.replace(/[<>&]/g, '')}. ${reason}`;
}

/** The modal shown after a submit whose answer comes later as a message. */
export function workingView(title: string, doing: string, channelId: string | undefined): types.ModalView {
  const where = channelId ? `in <#${channelId}>` : 'in a DM';
  // The name is the uploader's own file name: strip what mrkdwn would act on.
  const what = doing.replace(/[<>&*_~`]/g, '');
  return {
    type: 'modal',
    title: { type: 'plain_text', text: title.slice(0, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `:hourglass_flowing_sand: ${what}. The answer will appear ${where}.` },
      },
    ],
  };
}

export const ADVICE_GONE = 'I no longer have that recommendation. Run `/finetune advise` again, or `/finetune cost`.';
