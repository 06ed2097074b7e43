/**
 * A small LRU cache bounded by entry count *and* by the total length of its keys, so that an
 * application sending megabyte-long statements cannot make the cache hold gigabytes.
 *
 * Built on Map's insertion order: eviction takes the first entry, and a hit moves its entry to the
 * end (delete + set). That move costs more than the lookup itself (two hash-table writes), and the
 * cache hit is the hot path of every traced query, so a hit only moves an entry that has drifted
 * more than a quarter of the capacity toward the front since its last move ("approximate LRU"):
 * an entry used at least once per ¾ of the capacity in insertions is never evicted, and small
 * caches (≤ 7 entries) behave exactly as a strict LRU. All operations are O(1).
 */
interface Entry<V> {
  value: V;
  /** Value of `tick` when the entry was inserted or last moved to the end. */
  tick: number;
}

export class LruCache<V> {
  private readonly map = new Map<string, Entry<V>>();
  private keyChars = 0;
  private tick = 0;
  private readonly refreshDistance: number;

  /**
   * @param maxEntries  most entries kept (>= 1)
   * @param maxKeyChars most UTF-16 code units summed over all keys
   */
  constructor(
    readonly maxEntries: number,
    readonly maxKeyChars: number,
  ) {
    this.refreshDistance = maxEntries >> 2;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (this.tick - entry.tick > this.refreshDistance) {
      this.map.delete(key);
      this.map.set(key, entry);
      entry.tick = ++this.tick;
    }
    return entry.value;
  }

  /** Insert or refresh. A key longer than `maxKeyChars` itself is not cached. */
  set(key: string, value: V): void {
    const map = this.map;
    if (key.length > this.maxKeyChars || this.maxEntries <= 0) return;
    if (map.has(key)) {
      map.delete(key);
    } else {
      this.keyChars += key.length;
    }
    map.set(key, { value, tick: ++this.tick });
    while (map.size > this.maxEntries || this.keyChars > this.maxKeyChars) {
      const oldest = map.keys().next();
      if (oldest.done) break;
      map.delete(oldest.value);
      this.keyChars -= oldest.value.length;
    }
  }

  clear(): void {
    this.map.clear();
    this.keyChars = 0;
  }
}
