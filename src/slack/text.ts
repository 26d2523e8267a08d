import type { types } from '@slack/bolt';

type MrkdwnElement = types.MrkdwnElement;
type PlainTextElement = types.PlainTextElement;

/** Text helpers for Block Kit builders. Every user-typed string goes through escapeMrkdwn() before mrkdwn. */

export function plain(text: string, max = 3000): PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

export function mrkdwn(text: string, max = 3000): MrkdwnElement {
  return { type: 'mrkdwn', text: truncate(text, max) };
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack's three control characters; escaping them stops typed text from becoming @channel or links. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function bullets(lines: readonly string[]): string {
  return lines.map((line) => `• ${line}`).join('\n');
}
