'use strict';
// esbuild plugin: instrumentation-http parses a WHATWG URL twice per incoming request, in two
// module-private helpers (`getInfoFromIncomingMessage`: url.path / url.query; `removePortFromAddress`:
// client.address from x-forwarded-for), and splits the Host header into an array (`parseHostHeader`:
// server.address / server.port). This plugin makes each helper ask the fast path in
// packages/trace-sdk/src/incoming-url-fast-path.ts first, which answers plain requests without a
// parser and hands everything else to the upstream function unchanged (see that file for why the
// answers are the same; its test compares them).
//
// Applied only to the instrumentation-http version the fast path was checked against, and only when
// every helper is found by their exact declarations. Otherwise the file is bundled untouched and
// the build warns: the optimisation is lost, never the behaviour.
const fs = require('fs');
const path = require('path');

const CHECKED_VERSION = '0.223.0';
const FILE = /[\\/]@opentelemetry[\\/]instrumentation-http[\\/]build[\\/]src[\\/]utils\.js$/;
const HELPERS = [
  { decl: 'function getInfoFromIncomingMessage(component, request, logger) {', name: 'getInfoFromIncomingMessage', fast: 'fastIncomingUrl(component, request)', args: 'component, request, logger' },
  { decl: 'function removePortFromAddress(input) {', name: 'removePortFromAddress', fast: 'fastAddressWithoutPort(input)', args: 'input' },
  { decl: 'function parseHostHeader(hostHeader, proto) {', name: 'parseHostHeader', fast: 'fastHostHeader(hostHeader, proto)', args: 'hostHeader, proto' },
];

function httpUrlFastPathPlugin({ fastPathModule, onPatch } = {}) {
  return {
    name: 'http-url-fast-path',
    setup(build) {
      build.onLoad({ filter: FILE }, (args) => {
        let source = fs.readFileSync(args.path, 'utf8');
        // The fast path was checked against this version's helpers (test/incoming-url-fast-path.test.ts
        // restates them); another version may parse differently even under the same declarations.
        const version = JSON.parse(fs.readFileSync(path.join(path.dirname(args.path), '..', '..', 'package.json'), 'utf8')).version;
        if (version !== CHECKED_VERSION) {
          return { contents: source, loader: 'js', warnings: [{ text: `instrumentation-http URL fast path not applied: checked against ${CHECKED_VERSION}, found ${version}` }] };
        }
        const missing = HELPERS.filter((h) => source.split(h.decl).length !== 2);
        if (missing.length > 0) {
          return { contents: source, loader: 'js', warnings: [{ text: `instrumentation-http URL fast path not applied: ${missing.map((h) => h.name).join(', ')} not found as expected in ${args.path}` }] };
        }
        let added = `\nconst __orgFastPath = require(${JSON.stringify(fastPathModule)});\n`;
        for (const h of HELPERS) {
          source = source.replace(h.decl, h.decl.replace(h.name, `${h.name}$upstream`));
          // try/catch: the helpers run unguarded inside the app's 'request' emit; whatever the fast
        // path could throw on, upstream's code decides instead.
        added += `function ${h.name}(${h.args}) {\n  let fast;\n  try { fast = __orgFastPath.${h.fast}; } catch { fast = undefined; }\n  return fast !== undefined ? fast : ${h.name}$upstream(${h.args});\n}\n`;
        }
        onPatch?.(path.relative(process.cwd(), args.path));
        return { contents: source + added, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

module.exports = { httpUrlFastPathPlugin };
