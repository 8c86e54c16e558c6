// Compiles src/ to dist/ with esbuild, file by file (no bundling), so that `npm ci --omit=dev`
// can build: esbuild is a runtime dependency (tsx runs on it), TypeScript is not. Types are
// checked by `npm run typecheck` (tsc), which development and CI run; this only strips them.
// dist/ is written over, not emptied first, so a build never pulls files from under a running bot.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');
const out = path.join(root, 'dist');

/** Every .ts file under a folder (Node 20 has no fs.globSync). */
function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

await build({
  entryPoints: sources(src),
  outbase: src,
  outdir: out,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
