'use strict';
// esbuild plugin: a CommonJS file that `require()`s an OpenTelemetry package whose ESM build is in
// the bundle gets esbuild's `__toCommonJS(namespace)`: an object whose every property is a getter
// closure. instrumentation-http reads `api_1.context`, `core_1.…`, `instrumentation_1.…` several
// times per request, and those getter calls were ~5 % of a traced request's CPU in the profile
// (one closure per export, on an object with that many accessors). This plugin hands such a file a
// plain object literal instead: the namespace's values copied once, right after the module finished
// evaluating.
//
// Why a copy is safe here: the packages listed export classes, functions, constants and TypeScript
// enums (`export var X; (function (X) {…})(X || (X = {}))`), all final once the module has run;
// nothing is reassigned later. A value still `undefined` at copy time (a require cycle caught the
// module half-evaluated) makes the shim hand out the live namespace instead, so correctness never
// depends on that reasoning.
const NS = 'flat-require';
const PACKAGES = /^@opentelemetry\/(api|core|instrumentation|resources|sdk-trace|sdk-trace-base|sdk-trace-node)$/;

function flatRequirePlugin({ onFlatten } = {}) {
  return {
    name: 'flat-require',
    setup(build) {
      build.onResolve({ filter: PACKAGES }, async (args) => {
        if (args.kind !== 'require-call' || args.namespace !== 'file' || args.pluginData?.flat) return undefined;
        const real = await build.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir, pluginData: { flat: true } });
        if (real.errors.length > 0 || !/[\\/]esm[\\/]/.test(real.path)) return undefined;
        // The export names, from the package's CommonJS build (same names as its ESM build).
        const names = Object.keys(require(require.resolve(args.path, { paths: [args.resolveDir] }))).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== '__esModule');
        return { path: real.path, namespace: NS, pluginData: { names } };
      });
      build.onLoad({ filter: /.*/, namespace: NS }, (args) => {
        const { names } = args.pluginData;
        onFlatten?.(args.path);
        // An object literal with named properties: V8 keeps it in fast mode (properties added one by
        // one with keyed stores would turn it into a dictionary after a dozen).
        return {
          contents:
            `const ns = require(${JSON.stringify(args.path)});\n` +
            `const flat = { __esModule: true, ${names.map((n) => `${n}: ns.${n}`).join(', ')} };\n` +
            'const whole = Object.keys(ns).every((k) => k === "__esModule" || flat[k] !== undefined);\n' +
            'module.exports = whole ? flat : ns;\n',
          loader: 'js',
          resolveDir: __dirname,
        };
      });
    },
  };
}

module.exports = { flatRequirePlugin };
