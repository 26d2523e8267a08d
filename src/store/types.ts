import type { Answers } from '../advisor/questionnaire.ts';
import type { Recommendation } from '../advisor/recommend.ts';

/** Where a recommendation ended up: in the channel, or in a DM when the channel refused the bot. */
export type Delivery =
  | { via: 'channel' | 'dm'; channelId: string; messageTs: string; note?: string }
  | { via: 'failed'; note: string };

export interface NewAdviceSession {
  teamId: string;
  userId: string;
  /** Where the command ran; null when Slack did not say (the answer then went to the user's DMs). */
  channelId: string | null;
  answers: Answers;
  recommendation: Recommendation;
}

export interface AdviceSession extends NewAdviceSession {
  id: string;
  createdAt: string;
  delivery?: Delivery;
}

/**
 * The job store. Async on purpose: the embedded SQLite answers synchronously, but PostgreSQL (for
 * several replicas) will not, and callers should not have to change when it arrives.
 */
export interface Store {
  readonly kind: 'sqlite';
  /** Resolves when the database answers a trivial query; used by GET /healthz. */
  ping(): Promise<void>;
  saveAdviceSession(session: NewAdviceSession): Promise<AdviceSession>;
  recordDelivery(id: string, delivery: Delivery): Promise<void>;
  getAdviceSession(id: string): Promise<AdviceSession | undefined>;
  /** Newest first. */
  listAdviceSessions(filter: { teamId: string; userId?: string; limit: number }): Promise<AdviceSession[]>;
  close(): Promise<void>;
}
