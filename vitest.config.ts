import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.spec.ts'],
    exclude: ['node_modules/**', 'data/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // two files at a time even on two cores: most e2e files wait on child processes and
    // servers, and vitest's default (cores − 1) ran the suite one file at a time
    maxWorkers: 2,
    reporters: ['default', './vitest.summaryReporter.ts'],
  },
});
