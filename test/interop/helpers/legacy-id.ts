// The X-Trace-ID → W3C trace id rule, re-derived here from the documented contract (README of
// @org/trace-propagator) rather than imported: the interop tests check the distribution from the
// outside, so a bug in the package's mapping must not be able to agree with itself.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export function expectedTraceId(legacy: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(legacy)) return legacy.replace(/-/g, '').toLowerCase();
  if (/^[0-9a-f]{32}$/i.test(legacy)) return legacy.toLowerCase();
  if (/^[0-9a-f]{16}$/i.test(legacy)) return '0'.repeat(16) + legacy.toLowerCase();
  return createHash('sha256').update(legacy, 'utf8').digest('hex').slice(0, 32);
}

/** A legacy id in the free-form shape many shops use (hashed onto a trace id), unique per call. */
export function freeFormLegacyId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export { randomUUID };

/** Trace id as an 8-4-4-4-12 uuid, the distribution's default X-Trace-ID format. */
export function asUuid(traceId: string): string {
  return `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20)}`;
}
