import { createOutgoingHeaderHooks } from '../src/outgoing-legacy-header';

describe('outgoing start-span hooks: what the app put in the legacy header', () => {
  const hooks = createOutgoingHeaderHooks('x-trace-id', 256);
  const attr = 'http.request.header.x-trace-id';

  test.each([
    ['lower-case key', { 'x-trace-id': 'job-1' }, ['job-1']],
    ['any spelling', { 'X-Trace-ID': 'job-1' }, ['job-1']],
    ['number value', { 'x-trace-id': 42 }, ['42']],
    ['node raw-header array', ['X-Trace-ID', 'job-1', 'accept', '*/*'], ['job-1']],
    ['absent', { accept: '*/*' }, undefined],
    ['no headers', undefined, undefined],
    ['rejected value is not recorded', { 'x-trace-id': 'x'.repeat(300) }, undefined],
    ['two different values: ambiguous, not recorded', { 'x-trace-id': ['a', 'b'] }, undefined],
  ])('http: %s', (_n, headers, expected) => {
    expect(hooks.http({ headers } as never)[attr]).toEqual(expected);
  });

  test.each([
    ['undici ≥ 6 array', ['accept', '*/*', 'X-Trace-ID', 'job-2'], ['job-2']],
    ['undici 5 string', 'accept: */*\r\nx-trace-id:  job-2 \r\n', ['job-2']],
    ['absent', ['accept', '*/*'], undefined],
    ['unknown shape', 17, undefined],
  ])('undici: %s', (_n, headers, expected) => {
    expect(hooks.undici({ headers } as never)[attr]).toEqual(expected);
  });
});
