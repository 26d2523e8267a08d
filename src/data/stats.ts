/**
 * The few numbers the validator keeps per example, stored compactly so a file of millions of
 * examples costs a few MB, not a few hundred: counts in typed arrays, duplicates as 52-bit hashes.
 */

/** A growable array of unsigned 32-bit integers: 4 bytes an item instead of a JS array's 8+. */
export class U32List {
  private data = new Uint32Array(1024);
  length = 0;
  total = 0;

  push(n: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const v = Math.min(n, 0xffffffff);
    this.data[this.length++] = v;
    this.total += v;
  }

  values(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

export interface Quantiles {
  min: number;
  p50: number;
  p95: number;
  max: number;
  total: number;
}

/** Nearest-rank quantiles, on a sorted copy. */
export function quantiles(list: U32List): Quantiles {
  const sorted = list.values().slice().sort();
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { min: sorted[0] ?? 0, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? 0, total: list.total };
}

/**
 * OpenAI's `n_epochs: "auto"` as the cookbook estimates it: 3, more for small sets (up to 25, to
 * reach about 100 example passes), fewer for large ones (to stay near 25,000). A gpt-3.5-era
 * heuristic: the job's own `hyperparameters.n_epochs` is the truth once it starts.
 */
export function autoEpochs(examples: number): number {
  if (examples <= 0) return 3;
  if (examples * 3 < 100) return Math.min(25, Math.floor(100 / examples));
  if (examples * 3 > 25_000) return Math.max(1, Math.floor(25_000 / examples));
  return 3;
}

const TWO_20 = 2 ** 20;

/**
 * A 52-bit hash of a string (two 32-bit multiplicative hashes, one kept whole and 20 bits of the
 * other), exact as a JS number. Two different examples collide with odds of about n²/2⁵³: one in
 * ten thousand for a million examples, and a collision only misreports one duplicate.
 */
export function hash52(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  return (a >>> 0) * TWO_20 + ((b >>> 0) & (TWO_20 - 1));
}

/**
 * A set of 52-bit hashes in one Float64Array, open addressing at most half full: 8–32 bytes per
 * example (growth doubles it), against ~50 for a Set<number> of non-small integers. Memory stays
 * O(examples), which is what duplicate detection needs, but small: 100 MB of a 1 KB-per-example
 * file adds about 3 MB.
 */
export class HashSet52 {
  private table = new Float64Array(1 << 12);
  private mask = (1 << 12) - 1;
  size = 0;

  /** Adds the hash; false when it was there already. */
  add(h: number): boolean {
    if ((this.size + 1) * 2 > this.table.length) this.grow();
    const stored = h + 1; // 0 marks an empty slot
    let i = this.slot(h);
    for (;;) {
      const v = this.table[i];
      if (v === 0) {
        this.table[i] = stored;
        this.size++;
        return true;
      }
      if (v === stored) return false;
      i = (i + 1) & this.mask;
    }
  }

  private slot(h: number): number {
    // The low 20 bits come from one hash and the high 32 from the other: mix both into the index.
    return ((h % TWO_20) ^ Math.floor(h / TWO_20)) & this.mask;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.mask = this.table.length - 1;
    for (const v of old) {
      if (v === 0) continue;
      let i = this.slot(v - 1);
      while (this.table[i] !== 0) i = (i + 1) & this.mask;
      this.table[i] = v;
    }
  }
}
