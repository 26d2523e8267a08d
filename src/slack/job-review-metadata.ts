import { z } from 'zod';
import { type JobStartRequest, jobStartRequestSchema } from './job-view-parse.ts';
import { SLACK_LIMITS } from './payloads.ts';

/**
 * The review step's private_metadata: the request as checked, and the estimate shown, so Confirm
 * starts exactly what the person reviewed. Versioned like the other modals' metadata. Slack keeps
 * it server-side, but it arrives in a request like any other field, so it is decoded with the
 * schema the start form's request is checked with (provider, ranges, id shapes), and nothing else
 * in it reaches the store. Must stay under 3,000 characters.
 */
export interface ReviewMetadata {
  request: JobStartRequest;
  estimateUsd: number | null;
  needsApproval: boolean;
  adviceId?: string;
}

const reviewMetadataSchema = z.strictObject({
  v: z.literal(1),
  request: jobStartRequestSchema,
  estimateUsd: z.number().nonnegative().max(1e9).nullable(),
  needsApproval: z.boolean(),
  adviceId: z
    .string()
    .regex(/^[0-9a-f-]{36}$/)
    .optional(),
});

export function encodeReviewMetadata(meta: ReviewMetadata): string {
  return JSON.stringify({ v: 1, ...meta });
}

/**
 * undefined when the metadata is not a review this release wrote; `onProblem` hears why (the zod
 * path and code, never the value), for a log line.
 */
export function decodeReviewMetadata(raw: unknown, onProblem?: (problem: string) => void): ReviewMetadata | undefined {
  if (typeof raw !== 'string' || raw.length > SLACK_LIMITS.privateMetadata) {
    onProblem?.(typeof raw === 'string' ? 'too long' : `not a string (${typeof raw})`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    onProblem?.('not JSON');
    return undefined;
  }
  const parsed = reviewMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    onProblem?.(`${issue?.path.map((p) => String(p).slice(0, 40)).join('.') ?? ''}: ${issue?.code ?? 'invalid'}`);
    return undefined;
  }
  const { v: _version, ...meta } = parsed.data;
  return meta;
}
