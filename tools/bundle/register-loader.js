'use strict';
// @org/trace-register entry (generated into dist/register.bundle.js by tools/bundle). It runs the
// prebuilt bundle, register.core.js, through V8's code cache when one built by this very V8 is
// next to it (register.core.js.<V8 version>.cache): compiling the ~0.5 MB bundle and the functions startup runs is about a third of our
// startup CPU, and the cache skips it. V8 refuses a cache from another V8 version or source; then,
// or on any problem with the cache, the bundle is compiled normally — never an error for the app.
const fs = require('fs');
const path = require('path');
const core = path.join(__dirname, 'register.core.js');

function runCore() {
  let vm;
  let source;
  let cachedData;
  try {
    vm = require('vm');
    source = fs.readFileSync(core, 'utf8');
    // Named after the V8 that made it: a cache from another Node.js is not even read.
    cachedData = fs.readFileSync(`${core}.${process.versions.v8}.cache`);
  } catch {
    return false; // no cache shipped: plain require, nothing compiled twice
  }
  let fn;
  try {
    const options = { filename: core, cachedData };
    if (vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER) options.importModuleDynamically = vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
    // A rejected cache (other Node.js version) still leaves a normally compiled script: run it.
    fn = new vm.Script(require('module').wrap(source), options).runInThisContext();
  } catch {
    return false;
  }
  // From here on the bundle runs; it handles its own errors (see packages/trace-register/src).
  const coreModule = { exports: {}, id: core, filename: core, loaded: false };
  fn.call(coreModule.exports, coreModule.exports, require('module').createRequire(core), coreModule, core, __dirname);
  return true;
}

if (!runCore()) require('./register.core.js');
