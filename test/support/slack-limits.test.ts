import { describe, expect, it } from 'vitest';
import { checkMessage, checkView } from './slack-limits.ts';

// The checker guards every builder test, so it gets tests of its own: each limit must bite.
const opts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ text: { type: 'plain_text', text: `o${i}` }, value: `v${i}` }));

describe('the Block Kit limits checker', () => {
  const input = {
    type: 'input',
    block_id: 'a',
    label: { type: 'plain_text', text: 'A' },
    element: { type: 'plain_text_input', action_id: 'x' },
  };

  it('accepts a small valid modal and message', () => {
    expect(
      checkView({
        type: 'modal',
        title: { type: 'plain_text', text: 'Hi' },
        submit: { type: 'plain_text', text: 'Go' },
        blocks: [input],
      }),
    ).toEqual([]);
    expect(checkMessage({ text: 'hi', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] })).toEqual(
      [],
    );
  });

  it.each([
    [
      'a title over 24 characters',
      { title: { type: 'plain_text', text: 'x'.repeat(25) } },
      /title: text is 25 chars, max 24/,
    ],
    ['input blocks without submit', { submit: undefined }, /submit: required/],
    [
      'more than 100 blocks',
      { blocks: Array.from({ length: 101 }, (_, i) => ({ ...input, block_id: `b${i}` })) },
      /blocks: 101, max 100/,
    ],
    ['private_metadata over 3000', { private_metadata: 'x'.repeat(3001) }, /private_metadata/],
    ['duplicate block ids', { blocks: [input, input] }, /duplicate block_id/],
    [
      'radio buttons with 11 options',
      { blocks: [{ ...input, element: { type: 'radio_buttons', action_id: 'r', options: opts(11) } }] },
      /11 options, max 10/,
    ],
    [
      'checkboxes with 11 options',
      { blocks: [{ ...input, element: { type: 'checkboxes', action_id: 'c', options: opts(11) } }] },
      /11 options, max 10/,
    ],
    [
      'an overflow menu with one option',
      {
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: 'x' },
            accessory: { type: 'overflow', action_id: 'o', options: opts(1) },
          },
        ],
      },
      /1 options, min 2/,
    ],
    [
      'an option over 75 characters',
      {
        blocks: [
          {
            ...input,
            element: {
              type: 'static_select',
              action_id: 'x',
              options: [{ text: { type: 'plain_text', text: 'x'.repeat(76) }, value: 'v' }],
            },
          },
        ],
      },
      /options\[0\]\.text/,
    ],
    [
      'more than 100 options',
      {
        blocks: [
          {
            ...input,
            element: {
              type: 'static_select',
              action_id: 'x',
              options: Array.from({ length: 101 }, (_, i) => ({
                text: { type: 'plain_text', text: 'o' },
                value: `v${i}`,
              })),
            },
          },
        ],
      },
      /101 options/,
    ],
    [
      'emoji on mrkdwn',
      { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x', emoji: true } }] },
      /emoji is only valid/,
    ],
  ])('rejects a modal with %s', (_name, over, problem) => {
    const view = {
      type: 'modal',
      title: { type: 'plain_text', text: 'Hi' },
      submit: { type: 'plain_text', text: 'Go' },
      blocks: [input],
      ...over,
    };
    expect(checkView(view).join('\n')).toMatch(problem);
  });

  it.each([
    ['more than 50 blocks', { blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, /blocks: 51, max 50/],
    [
      'text over 3000 in a section',
      { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }] },
      /3001 chars, max 3000/,
    ],
    ['no fallback text', { text: '' }, /fallback text/],
    [
      'a header over 150',
      { blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }] },
      /max 150/,
    ],
  ])('rejects a message with %s', (_name, over, problem) => {
    expect(checkMessage({ text: 'hi', blocks: [], ...over }).join('\n')).toMatch(problem);
  });
});
