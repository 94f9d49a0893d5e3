import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Live-host tests share one machine's namespaces and OVS: keep files from racing each other.
    fileParallelism: true,
    pool: 'forks',
  },
});
