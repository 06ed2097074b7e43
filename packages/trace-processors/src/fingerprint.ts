/**
 * Fingerprint of a query *shape*: a 64-bit hash (16 hex characters) of the normalizer's canonical key
 * — plenty to keep the few thousand shapes of an application apart, short enough to index cheaply in
 * a backend.
 *
 * The hash input is the key, never the raw text, so the fingerprint carries no literal and cannot be
 * "guessed back" the way an md5 of raw SQL with a low-entropy literal can: what protects the literals
 * is that the key has none, not the strength of the hash. The hash is MurmurHash3 (x86, 128-bit,
 * seed 0; see murmur3.ts) of the key's UTF-8 bytes, first 64 bits: a published function with
 * implementations in every language (Python `mmh3.hash_bytes(key.encode(), 0, False)[:8].hex()`), so
 * any other tool can recompute a fingerprint from a key. Up to `pg-1` it was SHA-256, whose fixed
 * cost of calling into OpenSSL was a third of a short statement's whole normalization.
 *
 * The version label changes whenever a change can move a query to another fingerprint (its key or
 * the hash), so a backend never compares hashes produced under different rules without knowing it.
 */
import { murmur3Hex64 } from './murmur3';
import { DEFAULT_MAX_SANITIZED_LENGTH, normalizeSql, normalizeSqlHashed, type NormalizedSql } from './sql-normalizer';

/** Bump when the canonical key of any query, or the hash, can change. Exported as `org.db.query.hash_version`. */
export const FINGERPRINT_VERSION = 'pg-2';

/** Length of the fingerprint in hex characters (64 bits). */
export const FINGERPRINT_HEX_LENGTH = 16;

/** Fingerprint of an already-normalized canonical key (a string, or its UTF-8 bytes). */
export function fingerprintKey(key: string | Uint8Array): string {
  return hashCanonicalKey(key);
}

/** `fingerprintKey` as the normalizer calls it (see KeyHasher): with the key bytes' 32-bit view when it has one. Internal. */
export function hashCanonicalKey(key: string | Uint8Array, words?: Int32Array): string {
  // A string key is hashed as its UTF-8 bytes (a lone surrogate becomes U+FFFD, as Node encodes it).
  return typeof key === 'string' ? murmur3Hex64(Buffer.from(key, 'utf8')) : murmur3Hex64(key, words);
}

/** Normalize and fingerprint in one pass (the key string itself is not built: `key` is ''). Never throws. */
export function normalizeAndFingerprint(sql: string, maxLength: number = DEFAULT_MAX_SANITIZED_LENGTH): NormalizedSql & { hash: string } {
  return normalizeSqlHashed(sql, maxLength, hashCanonicalKey);
}

/** Fingerprint of a raw SQL statement (normalizes first; no cache — see QueryHasher for that). */
export function fingerprint(sql: string): string {
  return normalizeAndFingerprint(sql).hash;
}

/** The canonical key of a statement, as hashed (for tools that want to recompute or inspect it). */
export function canonicalKey(sql: string): string {
  return normalizeSql(sql).key;
}
