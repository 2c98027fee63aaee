import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // Real-service suites share one Docker engine and 2 cores: run files one at a time there.
    fileParallelism: false,
    pool: 'forks',
    // Projects inherit the options above (arrays concatenate, so `include` lives in each project).
    // `vitest run` runs both; `vitest run --project k8s` (make test-k8s) only the Kubernetes tier.
    projects: [
      { extends: true, test: { name: 'main', include: ['**/*.test.ts'], exclude: ['test/k8s/**'] } },
      // One real test cluster for the run, brought up only when k8s files are selected (scripts/k8s/cluster.sh).
      { extends: true, test: { name: 'k8s', include: ['test/k8s/**/*.test.ts'], globalSetup: ['test/k8s/global-setup.ts'] } },
    ],
  },
});
