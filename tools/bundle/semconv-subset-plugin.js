'use strict';
// esbuild plugin: the CommonJS-only instrumentations (http, pg, undici, pino) `require()` the whole
// @opentelemetry/semantic-conventions CJS build (~175 KiB, evaluated at startup) for a few dozen
// constants, while the ESM packages already get a tree-shaken copy of the same constants. For each
// requiring file whose only use of the module is `<binding>.NAME`, this plugin substitutes a module
// holding just those NAMEs and their values, so nothing of the 175 KiB is evaluated. A file that
// uses the module any other way (destructuring, passing it around) gets the real module: correctness
// never depends on the scan being clever.
const fs = require('fs');
const path = require('path');

const PKG = '@opentelemetry/semantic-conventions';
const NS = 'semconv-subset';

/** The NAMEs a file reads off its require()d semconv binding, or undefined if it does anything else. */
function usedNames(source) {
  const decl = /(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(["']@opentelemetry\/semantic-conventions["']\)/g;
  const bindings = [...source.matchAll(decl)].map((m) => m[1]);
  if (bindings.length !== 1) return undefined;
  const b = bindings[0].replace(/\$/g, '\\$');
  const all = source.match(new RegExp(`(?<![\\w$.])${b}(?![\\w$])`, 'g')) ?? [];
  const dotted = [...source.matchAll(new RegExp(`(?<![\\w$.])${b}\\.([A-Za-z_$][\\w$]*)`, 'g'))].map((m) => m[1]);
  // Every occurrence but the declaration itself must be a property read.
  if (all.length !== dotted.length + 1) return undefined;
  return [...new Set(dotted)].sort();
}

function semconvSubsetPlugin({ onSubstitute } = {}) {
  return {
    name: 'semconv-subset',
    setup(build) {
      build.onResolve({ filter: /^@opentelemetry\/semantic-conventions$/ }, (args) => {
        if (args.kind !== 'require-call' || args.namespace !== 'file') return undefined;
        const names = usedNames(fs.readFileSync(args.importer, 'utf8'));
        if (names === undefined) return undefined;
        return { path: args.importer, namespace: NS, pluginData: { names, resolveDir: args.resolveDir } };
      });
      build.onLoad({ filter: /.*/, namespace: NS }, async (args) => {
        const { names, resolveDir } = args.pluginData;
        // Resolve the ESM entry the way an `import` from that file would.
        const esm = await build.resolve(PKG, { kind: 'import-statement', resolveDir });
        if (esm.errors.length > 0) throw new Error(esm.errors[0].text);
        onSubstitute?.(path.relative(process.cwd(), args.path), names.length);
        // The constants themselves, as a CommonJS object literal: reading them is then a plain
        // property load (an ESM re-export reached through require() is a getter call per read, and
        // instrumentation-http reads a dozen of them per request). Anything not a string or number
        // keeps the re-export.
        const values = require(require.resolve(PKG, { paths: [resolveDir] }));
        if (names.every((n) => typeof values[n] === 'string' || typeof values[n] === 'number')) {
          const props = names.map((n) => `${n}: ${JSON.stringify(values[n])}`).join(', ');
          return { contents: `module.exports = { __esModule: true, ${props} };\n`, resolveDir, loader: 'js' };
        }
        return { contents: `export { ${names.join(', ')} } from ${JSON.stringify(esm.path)};\n`, resolveDir, loader: 'js' };
      });
    },
  };
}

module.exports = { semconvSubsetPlugin, usedNames };
