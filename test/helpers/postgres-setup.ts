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
 * agrees and the skip is said in one line, not once per file.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = testServerUrl();
  const reachable = await probePostgres(url);
  if (!reachable) process.stderr.write(`${POSTGRES_SKIP_LINE}\n`);
  project.provide('postgresServerUrl', reachable ? url : '');
}
