'use strict';
// Builds packages/trace-register/dist/register.bundle.js: the whole --require path (register → sdk →
// propagator/processors → OpenTelemetry packages) as ONE file. Resolving and reading ~300 small
// module files is most of a `node --require` startup; one pre-linked file removes that cost.
// Modules inside the bundle are still evaluated lazily (esbuild wraps each CommonJS module), so
// exporters and serializers load on first use as before.
const { buildSync } = require('esbuild');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const result = buildSync({
  entryPoints: [join(root, 'packages/trace-register/dist/index.js')],
  outfile: join(root, 'packages/trace-register/dist/register.bundle.js'),
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
  target: 'node18',
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stdout.write(`bundled @org/trace-register: ${Object.keys(result.metafile.inputs).length} modules, ${(bytes / 1024).toFixed(0)} KiB\n`);
