import type { TestProject } from 'vitest/node';
import { POSTGRES_SKIP_LINE, probePostgres, testServerUrl } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the tests may use, or '' when none answered (their tests skip). */
    postgresServerUrl: string;
  }
}

/**
 * Vitest global setup: asks once per run whether a PostgreSQL server answers, so every test file
 * agrees and the skip is said in one line, not once per file. With CARDOPS_REQUIRE_POSTGRES=1
 * (.ci/run) no server is an error, so CI cannot pass with the PostgreSQL suites skipped.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = testServerUrl();
  const reachable = await probePostgres(url);
  // CI sets CARDOPS_REQUIRE_POSTGRES=1: there a missing server fails the run instead of skipping.
  if (!reachable && process.env.CARDOPS_REQUIRE_POSTGRES === '1') {
    throw new Error(`CARDOPS_REQUIRE_POSTGRES=1 but no PostgreSQL answers at ${new URL(url).host}`);
  }
  if (!reachable) process.stderr.write(`${POSTGRES_SKIP_LINE}\n`);
  project.provide('postgresServerUrl', reachable ? url : '');
}
