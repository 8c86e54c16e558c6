import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Real SQLite files and loopback servers: keep files isolated in forks.
    pool: 'forks',
    // One temporary folder for the whole run, removed at its end (see the file); and a question,
    // asked once, whether PostgreSQL answers: its tests skip, in one line, when it does not.
    globalSetup: ['test/helpers/temp-root.ts', 'test/helpers/postgres-setup.ts'],
  },
});
