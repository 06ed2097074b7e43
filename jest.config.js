'use strict';
// One Jest config for the whole monorepo. Sources and tests are TypeScript, transformed by SWC
// (fast, no type-check: `npm run build` runs tsc first and fails on type errors). Out-of-process
// tests spawn the *built* packages (dist/), exactly what users get.
const { unavailableSuites } = require('./test/setup/required-tools');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/test', '<rootDir>/examples', '<rootDir>/bench'],
  testMatch: ['**/test/**/*.test.ts'],
  // Suites whose outside tool (Go, nginx, promtool, Chromium, Python) is missing are skipped with a
  // message on developer machines; CI sets ORG_TRACE_REQUIRE_TOOLS=1 and runs them all.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', ...unavailableSuites()],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: {
    // Tests import the sources of sibling packages, not their build output.
    '^@org/(trace-[a-z]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Out-of-process tests are CPU- and port-heavy; two workers match the 2-core CI machine.
  maxWorkers: 2,
};
