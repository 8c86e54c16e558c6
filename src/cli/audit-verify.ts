import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { readCheckpointFile } from '../adapters/checkpoints/checkpoint-file.js';
import { type CheckpointReading, checkAgainstCheckpoints, describeAnchoring } from '../domain/audit/anchor-check.js';
import { keyFingerprint, readPublicKey } from '../domain/audit/checkpoint.js';
import { readAuditExport, verifyRowChain } from '../domain/audit/read-export.js';

/**
 * `npm run audit:verify -- export.csv [--checkpoints file] [--public-key file]`: checks an audit
 * export without cardops or its database (SPEC §7). Recomputes the hash chain from the file, then
 * checks it against every signed checkpoint in the checkpoints file (AUDIT_CHECKPOINT_FILE, or any
 * text holding checkpoint lines, such as messages copied from the anchor channel) with the public
 * key alone. Says exactly what was proven.
 *
 * Exit codes: 0 nothing contradicts the file (what is proven is printed); 1 the file contradicts its
 * chain or a checkpoint; 2 usage or an unreadable file; 3 a filtered export, which cannot be checked alone.
 */

const USAGE = 'usage: npm run audit:verify -- export.csv [--checkpoints file] [--public-key file]';

const BREAK_WORDS = {
  edited: 'its content no longer matches its hash (edited)',
  'deleted-before': 'rows just before it are missing (deleted)',
  'bad-link': 'it does not follow the row before it (a row was rewritten or forged)',
  reordered: 'rows were swapped or moved',
  'not-from-start': 'the file does not start at row #1 (rows before it are missing)',
} as const;

export async function runAuditVerify(argv: string[], out: (line: string) => void): Promise<number> {
  let csvPath: string | undefined;
  let checkpointsPath: string | undefined;
  let publicKeyPath: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--checkpoints') checkpointsPath = argv[++i];
    else if (arg === '--public-key') publicKeyPath = argv[++i];
    else if (!arg.startsWith('--') && csvPath === undefined) csvPath = arg;
    else {
      out(USAGE);
      return 2;
    }
  }
  if (
    !csvPath ||
    (argv.includes('--checkpoints') && !checkpointsPath) ||
    (argv.includes('--public-key') && !publicKeyPath)
  ) {
    out(USAGE);
    return 2;
  }

  let text: string;
  try {
    text = fs.readFileSync(csvPath, 'utf8');
  } catch (error) {
    out(`${csvPath}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return 2;
  }
  const read = readAuditExport(text);
  if (!read.ok) {
    out(`${csvPath}: ${read.problem}`);
    return 2;
  }
  const { rows } = read;
  const chain = verifyRowChain(rows);
  if (read.filtered) {
    out(`${csvPath}: this export is ${read.scope}.`);
    out(
      'A filtered export cannot be checked alone: the rows that did not match are not in it, so a deleted row cannot be told from a filtered one.',
    );
    out(
      `Each row's own hash was recomputed: ${chain.selfHolding} of ${rows.length} hold. Export the whole log (/card-audit export with no filter) to verify it.`,
    );
    return 3;
  }

  const last = rows.at(-1)?.id ?? 0;
  if (rows.length === 0) out(`${csvPath}: no rows.`);
  else if (chain.broken) {
    out(
      `${csvPath}: row #${chain.broken.id} breaks the chain: ${BREAK_WORDS[chain.broken.problem]}. ${chain.checked} rows hold before it.`,
    );
  } else {
    out(
      `${csvPath}: the hash chain of all ${rows.length} rows (#1–#${last}) recomputes: the rows are consistent with each other.`,
    );
  }

  let publicKey: ReturnType<typeof readPublicKey> | undefined;
  if (publicKeyPath) {
    try {
      publicKey = readPublicKey(fs.readFileSync(publicKeyPath, 'utf8'));
    } catch (error) {
      out(
        `${publicKeyPath}: ${(error as NodeJS.ErrnoException).code ? `cannot be read (${(error as NodeJS.ErrnoException).code})` : (error as Error).message}`,
      );
      return 2;
    }
  }
  const readings: CheckpointReading[] = [];
  if (checkpointsPath) {
    readings.push(await readCheckpointFile(checkpointsPath));
  }
  const byId = new Map(rows.map((row) => [row.id, row.hash]));
  const report = await checkAgainstCheckpoints({
    publicKey,
    fingerprint: publicKey ? keyFingerprint(publicKey) : undefined,
    readings,
    logId: rows[0]?.id === 1 ? rows[0].hash : undefined,
    chainHolds: chain.checked,
    hashAt: async (row) => byId.get(row),
  });

  if (!publicKey) {
    out(
      'UNANCHORED: no --public-key given, so nothing proves these rows were not rewritten by someone who could write the database.',
    );
  } else if (!checkpointsPath) {
    out(
      'UNANCHORED: no --checkpoints file given, so nothing proves these rows were not rewritten by someone who could write the database.',
    );
  } else {
    out(describeAnchoring(report));
    if (report.broken) {
      out(
        'RESULT: the export contradicts a signed checkpoint: rows were changed, removed or renumbered after it was signed.',
      );
    } else if (report.proven) {
      const rest =
        last > report.proven.row
          ? ` Rows #${report.proven.row + 1}–#${last} are not yet anchored (consistent with each other only).`
          : '';
      out(
        `RESULT: rows 1–${report.proven.row} match checkpoint ${report.proven.number} signed at ${report.proven.time} by key ${report.proven.fingerprint}.${rest}`,
      );
    } else {
      out('RESULT: no signed checkpoint proves any row of this export.');
    }
  }
  return chain.broken || report.broken ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAuditVerify(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`audit:verify: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
