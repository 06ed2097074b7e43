'use strict';
// Builds what `node --require @org/trace-register` loads:
//  - dist/register.core.js: the whole --require path (register → sdk → propagator/processors →
//    OpenTelemetry packages) as ONE file. Resolving and reading ~300 small module files is most of
//    a `node --require` startup; one pre-linked file removes that cost. Modules reached through
//    require() stay lazily evaluated (esbuild wraps them), so exporters load on first use.
//  - dist/register.core.js.<V8 version>.cache: V8's code cache for it, made by this Node.js (see
//    code-cache.js); other Node.js versions find no cache under their V8 version and compile.
//  - dist/register.bundle.js: the entry named by package.json, which runs the core through the
//    cache when V8 accepts it (see register-loader.js).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { join } = require('node:path');
const { semconvSubsetPlugin } = require('./semconv-subset-plugin');
const { flatRequirePlugin } = require('./flat-require-plugin');
const { httpUrlFastPathPlugin } = require('./http-url-fast-path-plugin');

const root = join(__dirname, '..', '..');
const dist = join(root, 'packages/trace-register/dist');
const core = join(dist, 'register.core.js');

async function main() {
  // Plugins need esbuild's async API.
  const { build } = require('esbuild');
  let substituted = 0;
  let flattened = 0;
  let urlFastPath = false;
  const result = await build({
    entryPoints: [join(dist, 'index.js')],
    outfile: core,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // Prefer the packages' ESM builds: esbuild can then drop what is never imported (most of
    // semantic-conventions, for one).
    mainFields: ['module', 'main'],
    // The OTLP serializers pull in sdk-metrics/sdk-logs: loaded from node_modules at the first export.
    // import-in-the-middle keeps the registry that the ESM loader thread's generated wrappers call
    // into; it must be the very copy hook.mjs uses, i.e. the one in node_modules.
    external: ['@opentelemetry/otlp-transformer', 'import-in-the-middle'],
    plugins: [
      semconvSubsetPlugin({ onSubstitute: () => substituted++ }),
      flatRequirePlugin({ onFlatten: () => flattened++ }),
      httpUrlFastPathPlugin({ fastPathModule: join(root, 'packages/trace-sdk/dist/incoming-url-fast-path.js'), onPatch: () => (urlFastPath = true) }),
    ],
    target: 'node18',
    minifySyntax: true,
    minifyWhitespace: true,
    // No keepNames: it wraps every function expression in `__name(fn, "fn")`, a defineProperty call
    // each time a closure is created (per request, for the context binds). Names only change where
    // two bundled modules declare the same one (`foo2`), which only diagnostics read.
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  fs.copyFileSync(join(__dirname, 'register-loader.js'), join(dist, 'register.bundle.js'));
  // A stale map of the previous single-file layout would point debuggers at the wrong source.
  fs.rmSync(join(dist, 'register.bundle.js.map'), { force: true });

  // Caches of the previous build describe other source: V8 would reject them, drop them.
  for (const f of fs.readdirSync(dist)) if (/^register\.core\.js\.(.+\.)?cache$/.test(f)) fs.rmSync(join(dist, f), { force: true });
  const cache = `${core}.${process.versions.v8}.cache`;
  const env = { ...process.env, OTEL_LOG_LEVEL: 'none', ORG_TRACE_HANDLE_SIGNALS: 'false', OTEL_SDK_DISABLED: 'false' };
  const made = spawnSync(process.execPath, [join(__dirname, 'code-cache.js'), core], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 60000 });
  const cacheNote = made.status === 0 && fs.existsSync(cache) ? `, code cache ${(fs.statSync(cache).size / 1024).toFixed(0)} KiB for node ${process.version}` : ' (no code cache: its build failed, startup compiles the bundle)';
  if (made.status !== 0) process.stderr.write(`code cache not built: ${made.stderr.slice(-1000)}\n`);

  const bytes = fs.statSync(core).size;
  process.stdout.write(
    `bundled @org/trace-register: ${Object.keys(result.metafile.inputs).length} modules, ${(bytes / 1024).toFixed(0)} KiB (semantic-conventions subset for ${substituted} CommonJS files, ${flattened} flattened require()s${urlFastPath ? ', instrumentation-http URL fast path' : ''})${cacheNote}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
