/**
 * The cached front of the normalizer: raw SQL text in, everything a db span needs out.
 * Any SQL client instrumentation (pg, mysql2, knex …) can share one instance.
 */
import { FINGERPRINT_VERSION, hashCanonicalKey } from './fingerprint';
import { LruCache } from './lru-cache';
import { DEFAULT_MAX_SANITIZED_LENGTH, normalizedTextHash, normalizeSqlInfo } from './sql-normalizer';

export interface QueryInfo {
  /** Text safe to export as db.query.text (literals replaced by `?`). */
  readonly sanitized: string;
  /** db.query.summary, e.g. `SELECT users` ('' when nothing was recognised). */
  readonly summary: string;
  /** Fingerprint of the query shape (16 hex). */
  readonly hash: string;
  /** Version label of the fingerprint rules. */
  readonly hashVersion: string;
  /** db.operation.name for a single statement, else ''. */
  readonly operation: string;
  /** db.collection.name when a single statement touches one collection, else ''. */
  readonly collection: string;
  /** The input ended inside a literal/comment; sanitized text is `?`. */
  readonly unterminated: boolean;
  /** The sanitized text was cut to the length cap. */
  readonly truncated: boolean;
}

export interface QueryHasherOptions {
  /** Entries kept in the LRU cache (raw text → result). Default 1000; 0 disables the cache. */
  cacheSize?: number;
  /** Total characters of cached keys (bounds memory). Default 4 Mi characters (~8 MB of key strings). */
  cacheMaxChars?: number;
  /** Statements longer than this are normalized on every call instead of cached. Default 16 KiB. */
  cacheMaxEntryChars?: number;
  /** Cap on the sanitized text. Default 32 KiB. */
  maxLength?: number;
}

export const DEFAULT_CACHE_SIZE = 1000;
const DEFAULT_CACHE_MAX_CHARS = 4 * 1024 * 1024;
const DEFAULT_CACHE_MAX_ENTRY_CHARS = 16 * 1024;

/** Recently seen statement texts remembered for cache admission (a power of two; 16 KiB). */
const DOORKEEPER_SLOTS = 4096;

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

export class QueryHasher {
  private readonly cache: LruCache<QueryInfo>;
  private readonly maxEntryChars: number;
  private readonly maxLength: number;
  private readonly cacheSize: number;
  /** Hashes of recently seen texts (see `analyze`). */
  private readonly doorkeeper = new Int32Array(DOORKEEPER_SLOTS);

  constructor(options: QueryHasherOptions = {}) {
    const size = positiveInt(options.cacheSize, DEFAULT_CACHE_SIZE);
    this.cacheSize = size;
    this.cache = new LruCache<QueryInfo>(size, positiveInt(options.cacheMaxChars, DEFAULT_CACHE_MAX_CHARS));
    this.maxEntryChars = positiveInt(options.cacheMaxEntryChars, DEFAULT_CACHE_MAX_ENTRY_CHARS);
    this.maxLength = Math.max(16, positiveInt(options.maxLength, DEFAULT_MAX_SANITIZED_LENGTH));
  }

  /** Normalize + fingerprint, through the cache. Never throws. */
  analyze(sql: string): QueryInfo {
    if (typeof sql !== 'string') sql = '';
    // Without a cache, no lookup: a Map lookup hashes the whole text when the string is new.
    const admitting = this.cacheSize > 0 && sql.length <= this.maxEntryChars;
    if (admitting) {
      const hit = this.cache.get(sql);
      if (hit !== undefined) return hit;
    }
    // When admitting, the normalizer also hashes the text for the doorkeeper (see below).
    const info = normalizeSqlInfo(sql, this.maxLength, hashCanonicalKey, FINGERPRINT_VERSION, admitting);
    if (admitting) {
      // Admission on the second sighting: a statement seen once (inline literals make every text
      // new) is not cached. Caching it would keep its raw text alive until a thousand others pushed
      // it out — long enough to be promoted to V8's old generation, which made each such statement
      // cost about twice its normalization in GC and map upkeep. A small table of text hashes
      // remembers what was seen recently; a collision merely admits a statement early.
      const h = normalizedTextHash();
      const slot = h & (DOORKEEPER_SLOTS - 1);
      // Frozen once cached: from then on every caller of this text shares the object.
      if (this.doorkeeper[slot] === h) this.cache.set(sql, Object.freeze(info));
      else this.doorkeeper[slot] = h;
    }
    return info;
  }

  get cacheEntries(): number {
    return this.cache.size;
  }

  clearCache(): void {
    this.cache.clear();
    this.doorkeeper.fill(0);
  }
}
