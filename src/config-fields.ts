import { z } from 'zod';

/** Building blocks of the environment schema, shared by config.ts and config-jobs.ts. */

/** A variable that may be unset; blank counts as unset, so `FOO=` in .env means "not set". */
export const optionalText = z
  .string()
  .transform((value) => value.trim())
  .transform((value) => (value === '' ? undefined : value))
  .optional();

export function token(prefix: string, what: string) {
  return optionalText.refine((value) => value === undefined || value.startsWith(prefix), {
    message: `expects ${what} starting with ${prefix}`,
  });
}

export function httpUrl(example: string) {
  return optionalText.pipe(
    z
      .url({ protocol: /^https?$/, error: `expects an http(s) URL such as ${example}` })
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
