import type OpenAI from 'openai';
import type { Checkpoint, Cursor, EventPage } from '../types.ts';
import { toCheckpoint, toEvent, type WireCheckpoint, type WireEvent } from './map-events.ts';

export interface EventReadOptions {
  pageSize?: number;
  /**
   * A bound for a cursor that is never met (events the provider expired, a cursor from elsewhere):
   * past it the oldest events are skipped rather than paging through a job's whole history.
   */
  maxPages?: number;
}

/**
 * The events after `since`, oldest first. The API answers newest first and pages towards older
 * events with `after`, so reading stops at the first page that holds the cursor; a job that said
 * nothing new costs one call. The new cursor is the newest id read, or `since` when there was none.
 */
export async function readEvents(
  client: OpenAI,
  jobId: string,
  since: Cursor | undefined,
  options: EventReadOptions = {},
): Promise<EventPage> {
  const maxPages = options.maxPages ?? 50;
  const newestFirst: WireEvent[] = [];
  let page = await client.fineTuning.jobs.listEvents(jobId, { limit: options.pageSize ?? 100 });
  for (let pages = 1; ; pages++) {
    let reached = false;
    for (const event of page.data as unknown as WireEvent[]) {
      if (since && event.id === since) {
        reached = true;
        break;
      }
      newestFirst.push(event);
    }
    if (reached || pages >= maxPages || !page.hasNextPage()) break;
    page = await page.getNextPage();
  }
  const newest = newestFirst[0];
  return { events: newestFirst.reverse().map(toEvent), cursor: newest ? newest.id : (since ?? null) };
}

/** Every checkpoint of a job (the provider keeps a few: the final one and the two before), by step. */
export async function readCheckpoints(client: OpenAI, jobId: string): Promise<Checkpoint[]> {
  const out: Checkpoint[] = [];
  for await (const c of client.fineTuning.jobs.checkpoints.list(jobId, { limit: 100 })) {
    out.push(toCheckpoint(c as unknown as WireCheckpoint));
  }
  return out.sort((a, b) => a.step - b.step);
}
