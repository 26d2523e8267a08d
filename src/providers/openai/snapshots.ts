import type OpenAI from 'openai';
import type { ProviderError } from '../types.ts';
import type { WireJob } from './map-job.ts';

export interface SnapshotReadOptions {
  /** Jobs per list page; the list endpoint's default is 20. */
  pageSize?: number;
  /** Pages in a row that find none of the wanted jobs before paging stops. */
  fruitlessPages?: number;
  /** Retrieves of the jobs the list did not reach, in flight at once. */
  concurrency?: number;
}

export interface SnapshotRead {
  jobs: Map<string, WireJob>;
  /** HTTP calls this read made (list pages plus retrieves), for the monitor's budget and the tests. */
  calls: number;
}

/**
 * Many jobs' current objects in few calls. The list endpoint returns the organization's jobs newest
 * first, 100 a page, and cannot filter by id or status, so:
 * 1. One wanted job: a plain retrieve (one call, exact).
 * 2. Otherwise page through the list while it pays: at least ceil(wanted / page size) pages, and
 *    after that only while pages keep finding wanted jobs; `fruitlessPages` pages in a row with none
 *    end it. A page that finds a job costs no more than retrieving that job would, so paging never
 *    loses to retrieves by more than those few fruitless pages.
 * 3. Retrieve whatever is still missing: jobs older than the paged window (a job queued for days
 *    behind many newer ones). A 404 leaves the job out; so does a transient failure (the monitor
 *    asks again next tick), while a refusal of the credentials fails the whole read.
 * With 1,000 active jobs among the newest few thousand that is about ten calls instead of 1,000.
 */
export async function readJobs(
  client: OpenAI,
  ids: string[],
  toError: (error: unknown) => ProviderError,
  options: SnapshotReadOptions = {},
): Promise<SnapshotRead> {
  const pageSize = options.pageSize ?? 100;
  const fruitlessLimit = options.fruitlessPages ?? 2;
  const wanted = new Set(ids);
  const jobs = new Map<string, WireJob>();
  let calls = 0;

  if (wanted.size > 1) {
    const minimumPages = Math.ceil(wanted.size / pageSize);
    let fruitless = 0;
    let pages = 0;
    try {
      let page = await client.fineTuning.jobs.list({ limit: pageSize });
      for (;;) {
        calls++;
        pages++;
        let found = 0;
        for (const job of page.data as unknown as WireJob[]) {
          if (wanted.has(job.id) && !jobs.has(job.id)) {
            jobs.set(job.id, job);
            found++;
          }
        }
        fruitless = found > 0 ? 0 : fruitless + 1;
        const done = jobs.size === wanted.size || !page.hasNextPage();
        if (done || (pages >= minimumPages && fruitless >= fruitlessLimit)) break;
        page = await page.getNextPage();
      }
    } catch (error) {
      throw toError(error);
    }
  }

  const missing = [...wanted].filter((id) => !jobs.has(id));
  calls += missing.length;
  await eachLimited(missing, options.concurrency ?? 8, async (id) => {
    try {
      jobs.set(id, (await client.fineTuning.jobs.retrieve(id)) as unknown as WireJob);
    } catch (error) {
      const failure = toError(error);
      if (failure.kind !== 'not_found' && !failure.retryable) throw failure;
    }
  });
  return { jobs, calls };
}

/** Runs `work` over `items`, at most `limit` at once; the first failure is rethrown after all settle. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}
