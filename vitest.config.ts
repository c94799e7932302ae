import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests spin up local servers and temp repos; two cores is the CI budget.
    pool: 'forks',
    maxWorkers: 2,
  },
});
