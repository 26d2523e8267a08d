import type { JobStartRequest } from './job-view-parse.ts';

/**
 * The review step's private_metadata: the request as checked, and the estimate shown, so Confirm
 * starts exactly what the person reviewed. Versioned like the other modals' metadata; Slack keeps
 * it server-side, so it comes back as we wrote it. Must stay under 3,000 characters.
 */
export interface ReviewMetadata {
  request: JobStartRequest;
  estimateUsd: number | null;
  needsApproval: boolean;
  adviceId?: string;
}

export function encodeReviewMetadata(meta: ReviewMetadata): string {
  return JSON.stringify({ v: 1, ...meta });
}

export function decodeReviewMetadata(raw: string | undefined): ReviewMetadata | undefined {
  try {
    const parsed = JSON.parse(raw ?? '') as Partial<ReviewMetadata> & { v?: unknown };
    if (parsed.v !== 1 || typeof parsed.request !== 'object' || parsed.request === null) return undefined;
    if (typeof parsed.request.model !== 'string' || typeof parsed.request.channelId !== 'string') return undefined;
    return {
      request: parsed.request,
      estimateUsd: typeof parsed.estimateUsd === 'number' ? parsed.estimateUsd : null,
      needsApproval: parsed.needsApproval === true,
      ...(typeof parsed.adviceId === 'string' ? { adviceId: parsed.adviceId } : {}),
    };
  } catch {
    return undefined;
  }
}
