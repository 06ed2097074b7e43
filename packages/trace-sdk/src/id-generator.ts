// Span and trace ids from a pool of cryptographically random bytes. The SDK's RandomIdGenerator
// writes Math.random() words into a buffer and hex-encodes it with one native call per id (two per
// root span); here one `randomFillSync` serves 1024 span ids and an id's hex text is made by one
// `String.fromCharCode` over table-looked-up digits: a flat string of its own (a slice of a shared
// hex text would keep the whole pool alive for as long as any id is kept, and a concatenation of
// slices would be flattened again by every reader). Measured in the package README.
// Ids are also better random than Math.random's (xorshift128+, whose state can be recovered from a
// few outputs — and trace ids travel to third parties in traceparent).
import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

const POOL_BYTES = 8192;

/** Char codes of the high and low hex digit of each byte value. */
const HI = new Uint8Array(256);
const LO = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  HI[i] = '0123456789abcdef'.charCodeAt(i >> 4);
  LO[i] = '0123456789abcdef'.charCodeAt(i & 15);
}

function hex8(b: Uint8Array, p: number): string {
  return String.fromCharCode(
    HI[b[p]], LO[b[p]], HI[b[p + 1]], LO[b[p + 1]], HI[b[p + 2]], LO[b[p + 2]], HI[b[p + 3]], LO[b[p + 3]],
    HI[b[p + 4]], LO[b[p + 4]], HI[b[p + 5]], LO[b[p + 5]], HI[b[p + 6]], LO[b[p + 6]], HI[b[p + 7]], LO[b[p + 7]],
  );
}

function hex16(b: Uint8Array, p: number): string {
  return String.fromCharCode(
    HI[b[p]], LO[b[p]], HI[b[p + 1]], LO[b[p + 1]], HI[b[p + 2]], LO[b[p + 2]], HI[b[p + 3]], LO[b[p + 3]],
    HI[b[p + 4]], LO[b[p + 4]], HI[b[p + 5]], LO[b[p + 5]], HI[b[p + 6]], LO[b[p + 6]], HI[b[p + 7]], LO[b[p + 7]],
    HI[b[p + 8]], LO[b[p + 8]], HI[b[p + 9]], LO[b[p + 9]], HI[b[p + 10]], LO[b[p + 10]], HI[b[p + 11]], LO[b[p + 11]],
    HI[b[p + 12]], LO[b[p + 12]], HI[b[p + 13]], LO[b[p + 13]], HI[b[p + 14]], LO[b[p + 14]], HI[b[p + 15]], LO[b[p + 15]],
  );
}

export class PooledRandomIdGenerator implements IdGenerator {
  private readonly bytes = Buffer.alloc(POOL_BYTES);
  private pos = POOL_BYTES;

  generateTraceId(): string {
    const p = this.take(16);
    // All-zero ids are invalid (W3C); 2^-128, but never hand one out.
    return this.isZero(p, 16) ? this.generateTraceId() : hex16(this.bytes, p);
  }

  generateSpanId(): string {
    const p = this.take(8);
    return this.isZero(p, 8) ? this.generateSpanId() : hex8(this.bytes, p);
  }

  /** Offset of `n` fresh bytes. */
  private take(n: number): number {
    if (this.pos + n > POOL_BYTES) {
      randomFillSync(this.bytes);
      this.pos = 0;
    }
    const p = this.pos;
    this.pos = p + n;
    return p;
  }

  private isZero(p: number, n: number): boolean {
    const b = this.bytes;
    let any = 0;
    for (let i = 0; i < n; i++) any |= b[p + i];
    return any === 0;
  }
}
