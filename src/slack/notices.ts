/** Short plain-text notices the handlers send when something goes wrong after the ack. */

export const QUESTIONNAIRE_NOT_OPENED =
  'Slack did not let me open the questionnaire in time. Please run `/finetune advise` again.';

export const ADVICE_NOT_SAVED =
  'I worked out your recommendation but could not save it, so I did not post it. Please try `/finetune advise` again in a minute.';
