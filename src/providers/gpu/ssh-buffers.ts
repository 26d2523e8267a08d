/** Channel slots and capped output buffers for HostConnection.exec. */

/** A counting semaphore: at most `size` holders, the rest wait in order. */
export class Slots {
  #free: number;
  #inUse = 0;
  #waiting: Array<() => void> = [];
  constructor(size: number) {
    this.#free = size;
  }
  get queued(): number {
    return this.#waiting.length;
  }
  get inUse(): number {
    return this.#inUse;
  }
  async take(): Promise<void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#inUse++;
  }
  give(): void {
    this.#inUse--;
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/** Keeps the first (`head`) or last (`tail`) `max` bytes of a stream. */
export class Capped {
  #chunks: Buffer[] = [];
  #bytes = 0;
  truncated = false;
  readonly max: number;
  readonly keep: 'head' | 'tail';
  constructor(max: number, keep: 'head' | 'tail') {
    this.max = max;
    this.keep = keep;
  }
  push(chunk: Buffer): void {
    if (this.keep === 'head') {
      const room = this.max - this.#bytes;
      if (room <= 0) {
        this.truncated ||= chunk.length > 0;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) this.truncated = true;
      this.#chunks.push(part);
      this.#bytes += part.length;
      return;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes > this.max && this.#chunks.length > 0) {
      this.truncated = true;
      const first = this.#chunks[0] as Buffer;
      const over = this.#bytes - this.max;
      if (first.length <= over) {
        this.#chunks.shift();
        this.#bytes -= first.length;
      } else {
        this.#chunks[0] = first.subarray(over);
        this.#bytes -= over;
      }
    }
  }
  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}
