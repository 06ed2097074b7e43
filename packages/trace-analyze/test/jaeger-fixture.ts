/** A Jaeger v1 /api/traces answer in its recorded shape: µs times, references, processes, leading zeros dropped. */
export function jaegerDoc() {
  const tid = '00000000000000004bf92f3577b34da6';
  return {
    data: [{
      traceID: '4bf92f3577b34da6',
      spans: [
        { traceID: '4bf92f3577b34da6', spanID: '1a', operationName: 'GET /checkout', references: [], startTime: 1764079200000000, duration: 100000, tags: [{ key: 'span.kind', type: 'string', value: 'server' }, { key: 'error', type: 'bool', value: true }, { key: 'customer.tier', type: 'string', value: 'gold' }], processID: 'p1', warnings: null },
        { traceID: tid, spanID: '2b', operationName: 'SELECT', references: [{ refType: 'CHILD_OF', traceID: '4bf92f3577b34da6', spanID: '1a' }], startTime: 1764079200010000, duration: 5000, tags: [{ key: 'span.kind', type: 'string', value: 'client' }, { key: 'db.system', type: 'string', value: 'postgresql' }], processID: 'p2' },
        { traceID: tid, spanID: '3c', operationName: 'send-email', references: [{ refType: 'FOLLOWS_FROM', traceID: '4bf92f3577b34da6', spanID: '1a' }], startTime: 1764079200090000, duration: 50000, tags: [], processID: 'p2' },
      ],
      processes: { p1: { serviceName: 'edge', tags: [{ key: 'host.name', type: 'string', value: 'edge-1' }] }, p2: { serviceName: 'checkout-api', tags: [] } },
      warnings: null,
    }],
    total: 0, limit: 0, offset: 0, errors: null,
  };
}
