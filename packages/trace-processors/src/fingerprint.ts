/**
 * Fingerprint of a query *shape*: SHA-256 of the normalizer's canonical key, truncated to 64 bits
 * (16 hex characters) — plenty to keep the few thousand shapes of an application apart, short enough
 * to index cheaply in a backend.
 *
 * The hash input is the key, never the raw text, so the fingerprint carries no literal and cannot be
 * "guessed back" the way an md5 of raw SQL with a low-entropy literal can. SHA-256 rather than a
 * home-made hash: any other tool (a collector processor, a SQL script) can recompute it from the same
 * key (its UTF-8 bytes).
 *
 * The version label changes whenever a normalizer change can move a query to another fingerprint, so
 * a backend never compares hashes produced under different rules without knowing it.
 */
import * as crypto from 'node:crypto';
import { DEFAULT_MAX_SANITIZED_LENGTH, normalizeSql, normalizeSqlHashed, type NormalizedSql } from './sql-normalizer';

/** Bump when the canonical key of any query can change. Exported as `org.db.query.hash_version`. */
export const FINGERPRINT_VERSION = 'pg-1';

/** Length of the fingerprint in hex characters (64 bits). */
export const FINGERPRINT_HEX_LENGTH = 16;

type OneShotHash = (algorithm: string, data: string | Uint8Array, outputEncoding: 'hex') => string;

// `crypto.hash` (Node >= 20.12 / 21.7) avoids creating a Hash object per call — about twice as fast
// for short inputs. Older Node versions in our support range (18.19) fall back to createHash.
const oneShot: OneShotHash | undefined = (crypto as unknown as { hash?: OneShotHash }).hash;

function sha256Hex(data: string | Uint8Array): string {
  return oneShot !== undefined ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/** Fingerprint of an already-normalized canonical key (a string, or its UTF-8 bytes). */
export function fingerprintKey(key: string | Uint8Array): string {
  return sha256Hex(key).slice(0, FINGERPRINT_HEX_LENGTH);
}

/** Normalize and fingerprint in one pass (the key string itself is not built: `key` is ''). Never throws. */
export function normalizeAndFingerprint(sql: string, maxLength: number = DEFAULT_MAX_SANITIZED_LENGTH): NormalizedSql & { hash: string } {
  return normalizeSqlHashed(sql, maxLength, fingerprintKey);
}

/** Fingerprint of a raw SQL statement (normalizes first; no cache — see QueryHasher for that). */
export function fingerprint(sql: string): string {
  return normalizeAndFingerprint(sql).hash;
}

/** The canonical key of a statement, as hashed (for tools that want to recompute or inspect it). */
export function canonicalKey(sql: string): string {
  return normalizeSql(sql).key;
}
