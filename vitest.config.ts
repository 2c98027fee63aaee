import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // Real-service suites share one Docker engine and 2 cores: run files one at a time there.
    fileParallelism: false,
    pool: 'forks',
  },
});
