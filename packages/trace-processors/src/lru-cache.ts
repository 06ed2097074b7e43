/**
 * A small LRU cache bounded by entry count *and* by the total length of its keys, so that an
 * application sending megabyte-long statements cannot make the cache hold gigabytes.
 *
 * Built on Map's insertion order: a hit moves the entry to the end (delete + set), eviction takes
 * the first. No linked list, no per-entry node objects; both operations are O(1).
 */
export class LruCache<V> {
  private readonly map = new Map<string, V>();
  private keyChars = 0;

  /**
   * @param maxEntries  most entries kept (>= 1)
   * @param maxKeyChars most UTF-16 code units summed over all keys
   */
  constructor(
    readonly maxEntries: number,
    readonly maxKeyChars: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const map = this.map;
    const value = map.get(key);
    if (value !== undefined) {
      map.delete(key);
      map.set(key, value);
    }
    return value;
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
    map.set(key, value);
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
