/**
 * When to read a running job's events. A list call tells the monitor a job's status for a hundred
 * jobs at once, but not whether it has new events, and reading events costs a call per job. So a
 * job whose last read found nothing waits longer each time (1, 2, 4 … up to `maxTicks` ticks), and
 * one that had news is read again on the next tick. In memory only: after a restart every job is
 * read once, which is what a restart wants anyway.
 */
export class EventBackoff {
  private readonly state = new Map<string, { wait: number; next: number }>();
  private tickNo = 0;
  private readonly maxTicks: number;

  constructor(maxTicks = 8) {
    this.maxTicks = maxTicks;
  }

  /** Call once at the start of each tick. */
  nextTick(): void {
    this.tickNo++;
  }

  due(jobId: string): boolean {
    const s = this.state.get(jobId);
    return s === undefined || this.tickNo >= s.next;
  }

  /** Records the outcome of a read: news brings the job back to every tick. */
  read(jobId: string, hadNews: boolean): void {
    const previous = this.state.get(jobId)?.wait ?? 0;
    const wait = hadNews ? 1 : Math.min(this.maxTicks, Math.max(1, previous * 2));
    this.state.set(jobId, { wait, next: this.tickNo + wait });
  }

  forget(jobId: string): void {
    this.state.delete(jobId);
  }
}
