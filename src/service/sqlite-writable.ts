import fs from 'node:fs';
import path from 'node:path';

/**
 * /readyz's database part for the SQLite file: the file and its folder accept writes (not
 * read-only, not immutable) and the disk has room. It takes no lock: a probe must not queue
 * behind, or stall, the audit writer.
 */
export function databaseWritable(databasePath: string): void {
  if (databasePath === ':memory:') return;
  const dir = path.dirname(path.resolve(databasePath));
  fs.accessSync(dir, fs.constants.W_OK);
  if (fs.existsSync(databasePath)) fs.accessSync(databasePath, fs.constants.W_OK);
  const space = fs.statfsSync(dir);
  if (space.bavail * space.bsize < 1024 * 1024) throw new Error('less than 1 MB free on its disk');
}
