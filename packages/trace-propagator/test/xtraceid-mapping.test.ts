import { formatTraceId, mapLegacyId } from '../src/xtraceid-mapping';

// Expected hashes were computed outside this code: `printf '%s' VALUE | sha256sum | cut -c1-32`.
const accepted: Array<[string, unknown, string, string]> = [
  ['uuid, lower case', '3f2504e0-4f89-11d3-9a0c-0305e82c3301', '3f2504e04f8911d39a0c0305e82c3301', 'uuid'],
  ['uuid, upper case', '3F2504E0-4F89-11D3-9A0C-0305E82C3301', '3f2504e04f8911d39a0c0305e82c3301', 'uuid'],
  ['uuid, mixed case', '3f2504E0-4f89-11D3-9a0c-0305E82c3301', '3f2504e04f8911d39a0c0305e82c3301', 'uuid'],
  ['nginx $request_id (32 hex)', '0af7651916cd43dd8448eb211c80319c', '0af7651916cd43dd8448eb211c80319c', 'hex128'],
  ['32 hex upper case', '0AF7651916CD43DD8448EB211C80319C', '0af7651916cd43dd8448eb211c80319c', 'hex128'],
  ['16 hex (64-bit id)', 'B7AD6B7169203331', '0000000000000000b7ad6b7169203331', 'hex64'],
  ['surrounding blanks are not part of the id', ' \t0af7651916cd43dd8448eb211c80319c \t', '0af7651916cd43dd8448eb211c80319c', 'hex128'],
  ['opaque value → sha256 prefix', 'order-42', '3bf8b157c4238eefe5ae4a66eca81c6b', 'hash'],
  ['inner space is printable', 'hello world', 'b94d27b9934d3e08a52e52d7da7dabfa', 'hash'],
  ['composite id', 'Root=1-5759e988-bd862e3fe1be46a994272793', 'f8ea7b847a1315cc89938ea1c78239bd', 'hash'],
  ['hash is case sensitive (not a hex shape)', 'ORDER-42', '', 'hash'],
  ['uuid without dashes but 33 chars → hash', '0af7651916cd43dd8448eb211c80319c0', '', 'hash'],
  ['uuid in braces → hash', '{3f2504e0-4f89-11d3-9a0c-0305e82c3301}', '', 'hash'],
  ['31 hex → hash', '0af7651916cd43dd8448eb211c80319', '', 'hash'],
  ['non-hex 32 chars → hash', 'zaf7651916cd43dd8448eb211c80319c', '', 'hash'],
  ['single zero is a value, not the zero id', '0', '', 'hash'],
  ['repeated identical values (array carrier)', ['order-42', 'order-42'], '3bf8b157c4238eefe5ae4a66eca81c6b', 'hash'],
  ['single-element array', ['B7AD6B7169203331'], '0000000000000000b7ad6b7169203331', 'hex64'],
  ['exactly 256 chars', 'a'.repeat(256), '', 'hash'],
  ['repeated header joined by node, identical copies', 'order-42, order-42', '3bf8b157c4238eefe5ae4a66eca81c6b', 'hash'],
];

const rejected: Array<[string, unknown, string]> = [
  ['all-zero uuid', '00000000-0000-0000-0000-000000000000', 'all_zero'],
  ['all-zero 32 hex', '00000000000000000000000000000000', 'all_zero'],
  ['all-zero 16 hex', '0000000000000000', 'all_zero'],
  ['empty', '', 'empty'],
  ['blanks only', '   \t ', 'empty'],
  ['undefined', undefined, 'empty'],
  ['number', 42, 'empty'],
  ['object', { toString: () => 'x' }, 'empty'],
  ['empty array', [], 'empty'],
  ['conflicting repeated values', ['a', 'b'], 'ambiguous'],
  ['repeated header joined by node, different copies', 'order-42, order-43', 'ambiguous'],
  ['only commas', ' , ,', 'empty'],
  ['CRLF header injection', 'abc\r\nSet-Cookie: session=1', 'invalid_characters'],
  ['bare LF', 'abc\ndef', 'invalid_characters'],
  ['NUL byte', 'abc\u0000def', 'invalid_characters'],
  ['inner tab', 'abc\tdef', 'invalid_characters'],
  ['DEL', 'abc\u007f', 'invalid_characters'],
  ['latin-1 as decoded by node (é)', 'caf\u00e9', 'invalid_characters'],
  ['unicode emoji', 'trace-\u{1F600}', 'invalid_characters'],
  ['lone surrogate', 'x\ud800y', 'invalid_characters'],
  ['unicode uuid look-alike (fullwidth digits)', '３f2504e0-4f89-11d3-9a0c-0305e82c3301', 'invalid_characters'],
  ['257 chars', 'a'.repeat(257), 'too_long'],
  ['8 KiB', 'x'.repeat(8192), 'too_long'],
  ['8 KiB of hex', '0123456789abcdef'.repeat(512), 'too_long'],
];

describe('mapLegacyId', () => {
  test.each(accepted)('accepts %s', (_name, input, traceId, kind) => {
    const m = mapLegacyId(input);
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(m.kind).toBe(kind);
    expect(m.traceId).toMatch(/^[0-9a-f]{32}$/);
    if (traceId) expect(m.traceId).toBe(traceId);
    const expectedValue = (Array.isArray(input) ? input[0] : input) as string;
    expect(m.value).toBe(expectedValue.split(',')[0].trim());
  });

  test.each(rejected)('rejects %s', (_name, input, reason) => {
    expect(mapLegacyId(input)).toEqual({ ok: false, reason });
  });

  test('is deterministic and distinguishes values', () => {
    expect(mapLegacyId('order-42')).toEqual(mapLegacyId('order-42'));
    const a = mapLegacyId('order-42');
    const b = mapLegacyId('order-43');
    expect(a.ok && b.ok && a.traceId !== b.traceId).toBe(true);
  });

  test('maxLength is configurable', () => {
    expect(mapLegacyId('a'.repeat(40), 32)).toEqual({ ok: false, reason: 'too_long' });
    expect(mapLegacyId('a'.repeat(32), 32).ok).toBe(true);
  });

  test('10k random hostile strings: never throws, only well-formed results', () => {
    // Seeded generator so a failure is reproducible.
    let seed = 0x2545f491;
    const rnd = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const pools = [
      () => String.fromCharCode(rnd(0x80)), // ASCII incl. controls
      () => String.fromCharCode(rnd(0x10000)), // any UTF-16 unit incl. lone surrogates
      () => '0123456789abcdefABCDEF-'[rnd(23)], // near-miss hex/uuid shapes
      () => ['\r\n', '\n', '\u0000', ' ', '\t', '"', ';', ','][rnd(8)],
    ];
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) {
      const len = rnd(5) === 0 ? rnd(9000) : rnd(48);
      const pool = pools[rnd(pools.length)];
      let s = '';
      for (let j = 0; j < len; j++) s += pool();
      const m = mapLegacyId(s);
      if (m.ok) {
        accepted++;
        expect(m.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(m.traceId).not.toMatch(/^0+$/);
        expect(m.value).toMatch(/^[\x20-\x2b\x2d-\x7e]{1,256}$/);
        expect(m.value).toBe(m.value.trim());
        expect(mapLegacyId(s)).toEqual(m);
      } else {
        expect(['empty', 'too_long', 'invalid_characters', 'all_zero', 'ambiguous']).toContain(m.reason);
      }
    }
    // The generator must exercise both branches, or this test proves nothing.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(9_500);
  });
});

describe('formatTraceId', () => {
  test('uuid: 8-4-4-4-12 of any 32-character id; other lengths split the same way', () => {
    const bySlices = (t: string) => `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20, 32)}`;
    const ids = ['0'.repeat(32), 'f'.repeat(32), 'ABCDEF0123456789abcdef0123456789', '€'.repeat(32), '', 'abc', '0123456789abcdef0123456789abcdef00'];
    for (let i = 0; i < 200; i++) ids.push(Array.from({ length: 32 }, (_, j) => ((i * 31 + j * 7) % 16).toString(16)).join(''));
    for (const id of ids) expect([id, formatTraceId(id, 'uuid')]).toEqual([id, bySlices(id)]);
  });

  test('uuid and hex renderings round-trip through mapLegacyId', () => {
    const id = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(formatTraceId(id, 'uuid')).toBe('4bf92f35-77b3-4da6-a3ce-929d0e0e4736');
    expect(formatTraceId(id, 'hex')).toBe(id);
    for (const f of ['uuid', 'hex'] as const) {
      const m = mapLegacyId(formatTraceId(id, f));
      expect(m.ok && m.traceId).toBe(id);
    }
  });
});
