// Two projects: fast unit tests (pure code, and the workflows with mocked activities on Temporal's
// time-skipping test server, which the project starts itself: no stack), and integration tests
// (with the OWASP API Top 10 security suite in tests/security) that run serially against the real stack.
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};

module.exports = {
  // Global, not per project: jest ignores testTimeout inside a project. Integration tests build
  // Temporal workflow bundles and wait on real servers, which can take seconds on a cold machine.
  testTimeout: 60000,
  // The suite runs serially (scripts/test.sh: one worker), in a worker process that is replaced once
  // it holds more than this after a file: each file's server, clients and module copies are never
  // all given back, and in one in-band process 132 files reached Node's 4 GB heap limit (stop 27's
  // CI died of it at 31 min, its last quarter spent in garbage collection, which also made 2 s
  // dependency timeouts fire in tests that passed alone). With a limit set, Jest uses a worker even
  // for one.
  workerIdleMemoryLimit: '1536MB',
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      // Provisions the time-skipping test server and bundles the workflows once for the whole run.
      globalSetup: '<rootDir>/tests/support/unit-global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/unit-global-teardown.ts',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      setupFiles: ['<rootDir>/tests/support/suite-env.ts'],
      // Jest 30 "soft deletes" globals between test files by wrapping their accessors; objects that
      // outlive a file in one --runInBand process (native clients, OpenTelemetry's global API) get
      // one more wrapper per file, and around the 70th file a set overflowed the stack. The suite's
      // files close what they open, so nothing needs cleaning up behind them.
      testEnvironmentOptions: { globalsCleanup: 'off' },
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts', '<rootDir>/tests/security/**/*.test.ts'],
    },
  ],
};
