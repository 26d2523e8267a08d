/**
 * A sliding-window budget: at most `limit` uses in any `windowMs`. Keeps the app's chat.update
 * calls inside Slack's Tier 3 even with many jobs moving at once; what does not fit waits for the
 * next tick instead of earning 429s.
 */
export class RateBudget {
  private readonly uses: number[] = [];
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.now = now;
  }

  take(): boolean {
    const t = this.now();
    while (this.uses.length > 0 && (this.uses[0] as number) <= t - this.windowMs) this.uses.shift();
    if (this.uses.length >= this.limit) return false;
    this.uses.push(t);
    return true;
  }
}
