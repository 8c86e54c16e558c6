import fs from 'node:fs';
import path from 'node:path';
import { generateCheckpointKeys } from '../domain/audit/checkpoint.js';

/**
 * `npm run audit:keygen [-- <folder>]`: writes an Ed25519 key pair for signing audit checkpoints
 * (SPEC §7) into the folder (default ./keys): `audit-signing-key.pem`, the private key, 0600, for
 * AUDIT_SIGNING_KEY_FILE; `audit-signing-key.pub.pem`, the public key, for auditors and
 * `npm run audit:verify`. Never overwrites a key. Prints the public key's fingerprint.
 */
function main(argv: string[]): number {
  const folder = path.resolve(argv[0] ?? 'keys');
  const privatePath = path.join(folder, 'audit-signing-key.pem');
  const publicPath = path.join(folder, 'audit-signing-key.pub.pem');
  for (const existing of [privatePath, publicPath]) {
    if (fs.existsSync(existing)) {
      process.stderr.write(`audit:keygen: ${existing} exists; not overwritten (move it away first)\n`);
      return 2;
    }
  }
  const keys = generateCheckpointKeys();
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.writeFileSync(privatePath, keys.privatePem, { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(publicPath, keys.publicPem, { mode: 0o644, flag: 'wx' });
  process.stdout.write(
    [
      `private key: ${privatePath} (0600; set AUDIT_SIGNING_KEY_FILE to it; keep it out of the database's backups)`,
      `public key:  ${publicPath} (give it to your auditors; npm run audit:verify -- export.csv --public-key ${path.relative(process.cwd(), publicPath)})`,
      `fingerprint: ${keys.fingerprint}`,
      '',
    ].join('\n'),
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
