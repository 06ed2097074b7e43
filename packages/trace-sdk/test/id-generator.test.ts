import { PooledRandomIdGenerator } from '../src/id-generator';

describe('PooledRandomIdGenerator', () => {
  it('gives lower-case hex ids of W3C length, never all zeros, unique across pool refills', () => {
    const g = new PooledRandomIdGenerator();
    const seen = new Set<string>();
    // 20k ids of each kind: ~58 refills of the pool, ids taken across its boundaries.
    for (let i = 0; i < 20000; i++) {
      const t = g.generateTraceId();
      const s = g.generateSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      expect(t).not.toBe('0'.repeat(32));
      expect(s).not.toBe('0'.repeat(16));
      seen.add(t);
      seen.add(s);
    }
    expect(seen.size).toBe(40000);
  });

  it('skips an all-zero id', () => {
    const g = new PooledRandomIdGenerator();
    g.generateSpanId(); // fills the pool
    const internals = g as unknown as { bytes: Buffer; pos: number };
    internals.bytes.fill(0, 0, 8);
    internals.bytes.fill(0xab, 8, 16);
    internals.bytes.fill(0, 16, 32);
    internals.bytes.fill(0xcd, 32, 48);
    internals.pos = 0;
    expect(g.generateSpanId()).toBe('ab'.repeat(8));
    expect(g.generateTraceId()).toBe('cd'.repeat(16));
  });
});
