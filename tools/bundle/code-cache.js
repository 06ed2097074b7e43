'use strict';
// Produces dist/register.core.js.<V8 version>.cache, the V8 code cache register.bundle.js loads. Run in a child
// process of the build (it starts the SDK for real): the bundle is compiled, started with the
// default configuration so every function startup needs is compiled too, and V8 then serializes
// all of that. Only a Node.js with the same V8 accepts the cache; any other compiles as usual.
//
//   node tools/bundle/code-cache.js <path to register.core.js>
const fs = require('fs');
const vm = require('vm');
const Module = require('module');

const core = process.argv[2];
const script = new vm.Script(Module.wrap(fs.readFileSync(core, 'utf8')), { filename: core });
const coreModule = { exports: {}, id: core, filename: core, loaded: false };
script.runInThisContext().call(coreModule.exports, coreModule.exports, Module.createRequire(core), coreModule, core, require('path').dirname(core));
fs.writeFileSync(`${core}.${process.versions.v8}.cache`, script.createCachedData());
process.exit(0);
