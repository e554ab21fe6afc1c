import { defineConfig } from 'vitest/config';

/**
 * The tests that train, predict or run the CLI: they run a second time on the wasm path
 * (DIGIT_FLOW_NATIVE=0 makes `auto` skip the native backend, in this process and in the CLIs it
 * starts), so both paths `auto` can take are checked on every run.
 */
const BACKEND_PATH_TESTS = ['test/models/**/*.test.ts', 'test/operators/**/*.test.ts', 'test/jobs/**/*.test.ts', 'test/e2e/run.test.ts'];

export default defineConfig({
  test: {
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // tfjs keeps global engine state; separate forks keep tests from sharing it.
    pool: 'forks',
    reporters: ['default', './test/summaryLine.ts'],
    projects: [
      // `auto` as users get it: native where the addon is built (CI requires it), else wasm.
      { extends: true, test: { name: 'auto', include: ['test/**/*.test.ts'] } },
      // the queue tests check processes, Redis and the job protocol, not a backend: once is enough
      { extends: true, test: { name: 'wasm', include: BACKEND_PATH_TESTS, exclude: ['test/bench/**', 'node_modules/**', 'test/jobs/queue/**'], env: { DIGIT_FLOW_NATIVE: '0' } } },
    ],
  },
});
