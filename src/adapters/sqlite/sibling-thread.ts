import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` (without extension) that sits beside the module at `here`: the
 * compiled `.js` in production; under tsx or vitest (`here` is `.ts`) it is loaded through tsx's
 * loader, which a worker does not inherit.
 */
export function spawnSiblingThread(here: string, name: string, workerData: unknown): Worker {
  const options = { workerData };
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, here), options);
  const entry = new URL(`./${name}.ts`, here).href;
  // require.resolve gives tsx's CommonJS build; the ESM one sits beside it.
  const api = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`;
  return new Worker(boot, { ...options, eval: true });
}
