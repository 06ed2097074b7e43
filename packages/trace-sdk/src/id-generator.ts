// Span and trace ids from a pool of cryptographically random bytes. The SDK's RandomIdGenerator
// writes Math.random() words into a buffer and hex-encodes it with one native call per id (two per
// root span); here one `randomFillSync` + one hex encoding serve 128 span ids, and an id is a
// 16- or 32-character piece of that hex text. Measured in the package README ("Per-request cost").
// Ids are also better random than Math.random's (xorshift128+, whose state can be recovered from a
// few outputs — and trace ids travel to third parties in traceparent).
import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

const POOL_BYTES = 1024;
const ZERO_SPAN_ID = '0000000000000000';
const ZERO_TRACE_ID = ZERO_SPAN_ID + ZERO_SPAN_ID;

export class PooledRandomIdGenerator implements IdGenerator {
  private readonly bytes = Buffer.alloc(POOL_BYTES);
  private hex = '';
  private pos = 0;

  generateTraceId(): string {
    const id = this.take(32);
    // All-zero ids are invalid (W3C); 2^-128, but never hand one out.
    return id === ZERO_TRACE_ID ? this.generateTraceId() : id;
  }

  generateSpanId(): string {
    const id = this.take(16);
    return id === ZERO_SPAN_ID ? this.generateSpanId() : id;
  }

  private take(chars: number): string {
    if (this.pos + chars > this.hex.length) {
      randomFillSync(this.bytes);
      this.hex = this.bytes.toString('hex');
      this.pos = 0;
    }
    // Built from 8-character slices: V8 copies slices that short, so an id does not keep the whole
    // pool text alive (a 16-character slice would be a view into it — 2 KiB pinned per id kept).
    const hex = this.hex;
    const p = this.pos;
    this.pos = p + chars;
    const id = hex.slice(p, p + 8) + hex.slice(p + 8, p + 16);
    return chars === 16 ? id : id + hex.slice(p + 16, p + 24) + hex.slice(p + 24, p + 32);
  }
}
