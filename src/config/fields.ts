import { z } from 'zod';

/** Building blocks of the environment schema, shared by config/index.ts and config/jobs.ts. */

/** A variable that may be unset; blank counts as unset, so `FOO=` in .env means "not set". */
export const optionalText = z
  .string()
  .transform((value) => value.trim())
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/**
 * Where a Slack token of another kind belongs, by its prefix: the commonest first-hour mistake is a
 * token pasted into its neighbour's variable. Only the prefix is read; the token is never echoed.
 */
const TOKEN_HOMES: Array<[string, string]> = [
  ['xoxb-', 'a bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN'],
  ['xapp-', 'an app-level token (xapp-…), which belongs in SLACK_APP_TOKEN'],
  ['xoxp-', 'a user token (xoxp-…): the bot uses the Bot User OAuth Token (xoxb-…) from OAuth & Permissions'],
];

/** "; this looks like an app-level token (xapp-…), which belongs in SLACK_APP_TOKEN", or nothing. */
export function tokenHint(value: string, expected: string): string {
  const home = TOKEN_HOMES.find(([prefix]) => prefix !== expected && value.startsWith(prefix));
  return home ? `; this looks like ${home[1]}` : '';
}

export function token(prefix: string, what: string) {
  return optionalText.superRefine((value, ctx) => {
    if (value === undefined || value.startsWith(prefix)) return;
    ctx.addIssue({ code: 'custom', message: `expects ${what} starting with ${prefix}${tokenHint(value, prefix)}` });
  });
}

export function httpUrl(example: string) {
  return optionalText.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: (issue) => {
          const input = typeof issue.input === 'string' ? issue.input : '';
          // A bare host (my-resource.openai.azure.com) is the usual slip: say what to add.
          const bare = input !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(input) && /^[\w.-]+(:\d+)?(\/.*)?$/.test(input);
          return `expects an http(s) URL such as ${example}${bare ? '; add https:// in front of it' : ''}`;
        },
      })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  );
}

/** A comma-separated list of Slack ids; the pattern says which kind (users U/W, channels C/G). */
export function idList(pattern: RegExp, what: string) {
  return optionalText.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const ids = value
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    const bad = ids.find((id) => !pattern.test(id));
    if (bad !== undefined || ids.length === 0) {
      ctx.addIssue({ code: 'custom', message: `expects comma-separated ${what}` });
      return z.NEVER;
    }
    return ids;
  });
}

export function positiveNumber(what: string, max: number) {
  return optionalText.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > max) {
      ctx.addIssue({ code: 'custom', message: `expects ${what}` });
      return z.NEVER;
    }
    return n;
  });
}
