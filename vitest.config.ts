import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // tfjs keeps global engine state; separate forks keep tests from sharing it.
    pool: 'forks',
    reporters: ['default', './test/summaryLine.ts'],
  },
});
