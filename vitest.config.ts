import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Real SQLite files and loopback servers: keep files isolated in forks.
    pool: 'forks',
    // Asks once whether PostgreSQL answers; its tests skip, in one line, when it does not.
    globalSetup: ['test/helpers/postgres-setup.ts'],
  },
});
