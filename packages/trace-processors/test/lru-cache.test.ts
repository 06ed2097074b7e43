import { LruCache, QueryHasher } from '@org/trace-processors';

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const c = new LruCache<number>(2, 1000);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now most recent
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('bounds the total key length, and refuses keys longer than the bound', () => {
    const c = new LruCache<number>(100, 10);
    c.set('aaaa', 1);
    c.set('bbbb', 2);
    c.set('cccc', 3); // 12 chars > 10: evicts aaaa
    expect(c.get('aaaa')).toBeUndefined();
    expect(c.size).toBe(2);
    c.set('x'.repeat(11), 4);
    expect(c.get('x'.repeat(11))).toBeUndefined();
    expect(c.size).toBe(2);
  });

  it('keeps an entry that is used regularly, although hits move it only now and then', () => {
    const c = new LruCache<number>(100, 1_000_000);
    c.set('hot', 1);
    for (let i = 0; i < 10_000; i++) {
      c.set(`k${i}`, i);
      if (i % 50 === 0) expect(c.get('hot')).toBe(1);
    }
    expect(c.size).toBe(100);
    // An entry never used again leaves after `maxEntries` insertions (99 others + 'hot' remain).
    expect(c.get('k9900')).toBeUndefined();
    expect(c.get('k9901')).toBe(9901);
  });

  it('refreshing an existing key does not grow it', () => {
    const c = new LruCache<number>(2, 8);
    for (let i = 0; i < 100; i++) c.set('abcd', i);
    expect(c.size).toBe(1);
    c.set('efgh', 0);
    expect(c.get('abcd')).toBe(99);
  });
});

describe('QueryHasher cache', () => {
  it('serves repeated text from the cache and stays within cacheSize', () => {
    const h = new QueryHasher({ cacheSize: 10 });
    h.analyze('SELECT 1');
    // Admitted on its second sighting, served from the cache from then on.
    const second = h.analyze('SELECT 1');
    expect(h.analyze('SELECT 1')).toBe(second);
    for (let i = 0; i < 1000; i++) {
      h.analyze(`SELECT ${i} FROM t`);
      h.analyze(`SELECT ${i} FROM t`);
    }
    expect(h.cacheEntries).toBe(10);
  });

  it('does not cache statements seen once (inline literals), so they cost no cache upkeep', () => {
    const h = new QueryHasher({ cacheSize: 100 });
    for (let i = 0; i < 1000; i++) h.analyze(`SELECT * FROM t WHERE id = ${i}`);
    expect(h.cacheEntries).toBe(0);
    const a = h.analyze('SELECT * FROM t WHERE id = 5');
    expect(h.cacheEntries).toBe(1);
    expect(h.analyze('SELECT * FROM t WHERE id = 5')).toBe(a);
  });

  it('does not cache statements above the per-entry limit, and cacheSize 0 disables caching', () => {
    const h = new QueryHasher({ cacheMaxEntryChars: 50 });
    h.analyze('SELECT ' + 'x, '.repeat(100) + 'y FROM t');
    expect(h.cacheEntries).toBe(0);
    const off = new QueryHasher({ cacheSize: 0 });
    off.analyze('SELECT 1');
    expect(off.cacheEntries).toBe(0);
  });
});
