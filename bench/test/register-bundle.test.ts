// The register bundle's build-time speedups (tools/bundle): the semantic-conventions subset must
// only replace modules whose every use it understood, and the code cache next to the bundle must be
// accepted by the Node.js that built it (else the loader silently falls back to compiling).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { spawnSync } from 'node:child_process';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { usedNames } = require('../../tools/bundle/semconv-subset-plugin');
const DIST = path.join(__dirname, '..', '..', 'packages', 'trace-register', 'dist');

describe('semconv subset scan', () => {
  it('lists the constants read off the require() binding', () => {
    const src = 'const semconv_1 = require("@opentelemetry/semantic-conventions");\nx[semconv_1.ATTR_URL_PATH] = 1; f(semconv_1.ATTR_HTTP_ROUTE, semconv_1.ATTR_URL_PATH);';
    expect(usedNames(src)).toEqual(['ATTR_HTTP_ROUTE', 'ATTR_URL_PATH']);
  });

  it('refuses files that use the module any other way', () => {
    expect(usedNames('const s = require("@opentelemetry/semantic-conventions"); use(s);')).toBeUndefined();
    expect(usedNames('const { A } = require("@opentelemetry/semantic-conventions");')).toBeUndefined();
    expect(usedNames('const a = require("@opentelemetry/semantic-conventions"); const b = require("@opentelemetry/semantic-conventions");')).toBeUndefined();
  });
});

describe('built register bundle', () => {
  const core = path.join(DIST, 'register.core.js');
  // The build names the cache after its V8; a build by another Node.js leaves none for this one.
  const cache = `${core}.${process.versions.v8}.cache`;
  const built = fs.existsSync(core) && fs.existsSync(cache);
  (built ? it : it.skip)('ships a code cache this Node.js accepts', () => {
    const script = new vm.Script(require('module').wrap(fs.readFileSync(core, 'utf8')), { filename: core, cachedData: fs.readFileSync(cache) });
    expect(script.cachedDataRejected).toBe(false);
  });

  (built ? it : it.skip)('starts the SDK through the loader, and without a cache through plain require', () => {
    const env = { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_LOG_LEVEL: 'info' };
    const withCache = spawnSync(process.execPath, ['--require', path.join(DIST, 'register.bundle.js'), '-e', '0'], { env, encoding: 'utf8' });
    expect(withCache.status).toBe(0);
    expect(withCache.stderr).toMatch(/started: service=/);
    const direct = spawnSync(process.execPath, ['--require', core, '-e', '0'], { env, encoding: 'utf8' });
    expect(direct.status).toBe(0);
    expect(direct.stderr).toMatch(/started: service=/);
  });

  // The per-request speedups of tools/bundle: losing one silently (an upstream upgrade reshaping
  // instrumentation-http, a changed esbuild option) would only show up as a slower benchmark.
  (built ? it : it.skip)('keeps its per-request build speedups', () => {
    const src = fs.readFileSync(core, 'utf8');
    // instrumentation-http's URL helpers go through the fast path first.
    expect(src).toContain('getInfoFromIncomingMessage$upstream');
    expect(src).toContain('removePortFromAddress$upstream');
    expect(src).toContain('parseHostHeader$upstream');
    // No keepNames: no defineProperty per closure created.
    expect(src).not.toMatch(/__name\(/);
    // CommonJS require()s of the bundled OpenTelemetry ESM builds get plain objects.
    expect(src).toMatch(/flat=\{__esModule:!0,/);
  });
});
