import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // The end-to-end tests start real HTTP servers; a slow CI core should not turn them flaky.
    testTimeout: 20_000,
  },
});
