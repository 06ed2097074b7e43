'use strict';
// esbuild plugin: instrumentation-http parses a WHATWG URL twice per incoming request, in two
// module-private helpers (`getInfoFromIncomingMessage`: url.path / url.query; `removePortFromAddress`:
// client.address from x-forwarded-for). This plugin makes each helper ask the fast path in
// packages/trace-sdk/src/incoming-url-fast-path.ts first, which answers plain requests without a
// parser and hands everything else to the upstream function unchanged (see that file for why the
// answers are the same; its test compares them).
//
// The helpers are matched by their exact declarations. If an upgrade of instrumentation-http renames
// or reshapes them, the file is bundled untouched and the build warns: the optimisation is lost,
// never the behaviour.
const fs = require('fs');
const path = require('path');

const FILE = /[\\/]@opentelemetry[\\/]instrumentation-http[\\/]build[\\/]src[\\/]utils\.js$/;
const HELPERS = [
  { decl: 'function getInfoFromIncomingMessage(component, request, logger) {', name: 'getInfoFromIncomingMessage', fast: 'fastIncomingUrl(component, request)', args: 'component, request, logger' },
  { decl: 'function removePortFromAddress(input) {', name: 'removePortFromAddress', fast: 'fastAddressWithoutPort(input)', args: 'input' },
];

function httpUrlFastPathPlugin({ fastPathModule, onPatch } = {}) {
  return {
    name: 'http-url-fast-path',
    setup(build) {
      build.onLoad({ filter: FILE }, (args) => {
        let source = fs.readFileSync(args.path, 'utf8');
        const missing = HELPERS.filter((h) => source.split(h.decl).length !== 2);
        if (missing.length > 0) {
          return { contents: source, loader: 'js', warnings: [{ text: `instrumentation-http URL fast path not applied: ${missing.map((h) => h.name).join(', ')} not found as expected in ${args.path}` }] };
        }
        let added = `\nconst __orgFastPath = require(${JSON.stringify(fastPathModule)});\n`;
        for (const h of HELPERS) {
          source = source.replace(h.decl, h.decl.replace(h.name, `${h.name}$upstream`));
          added += `function ${h.name}(${h.args}) {\n  const fast = __orgFastPath.${h.fast};\n  return fast !== undefined ? fast : ${h.name}$upstream(${h.args});\n}\n`;
        }
        onPatch?.(path.relative(process.cwd(), args.path));
        return { contents: source + added, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

module.exports = { httpUrlFastPathPlugin };
