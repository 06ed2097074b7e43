// `node --import @org/trace-register app.mjs`: ESM entry. ESM imports are not seen by require
// hooks, so first register the import-in-the-middle loader hook (module.register, Node >= 18.19 /
// 20.6), then start the SDK exactly as the CommonJS entry does. One flag instruments both worlds.
import * as nodeModule from 'node:module';

try {
  if (typeof nodeModule.register === 'function') {
    nodeModule.register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  } else {
    process.stderr.write('@org/trace WARN this Node.js has no module.register(): ESM imports will not be instrumented (needs Node >= 18.19 or >= 20.6)\n');
  }
} catch (err) {
  process.stderr.write(`@org/trace WARN could not register the ESM loader hook: ${err && err.message}\n`);
}

const require = nodeModule.createRequire(import.meta.url);
require('./dist/register.bundle.js');
