import { z } from 'zod';
import { FILE_NAME_MAX, SLACK_FILE_ID } from './channel-metadata.ts';

/** "Start a job with this file" on a validation report. */
export const START_WITH_FILE_ACTION_ID = 'start_job_with_file';

/** What the button carries: the file (by id; its link is looked up when the job needs it) and what it was checked for. */
export interface FileStart {
  fileId: string;
  fileName: string;
  /** The model the file was checked against. */
  model?: string;
  epochs?: number;
}

const schema = z.strictObject({
  f: z.string().max(41).regex(SLACK_FILE_ID),
  n: z.string().min(1).max(FILE_NAME_MAX),
  m: z.string().max(128).optional(),
  e: z.number().int().min(1).max(50).optional(),
});

/** The button's value: at most ~450 characters, well under Slack's 2,000. */
export function encodeFileStart(s: FileStart): string {
  return JSON.stringify({
    f: s.fileId,
    n: s.fileName,
    ...(s.model ? { m: s.model } : {}),
    ...(s.epochs !== undefined ? { e: s.epochs } : {}),
  });
}

/** undefined for a value that is not one of ours (an old or a forged button). */
export function decodeFileStart(raw: string | undefined): FileStart | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw ?? '');
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return undefined;
  const { f, n, m, e } = parsed.data;
  return { fileId: f, fileName: n, ...(m ? { model: m } : {}), ...(e !== undefined ? { epochs: e } : {}) };
}
