import path from 'node:path';
import { createAuditStore } from '../../src/adapters/sqlite/audit-store.js';
import { closeDatabase, openDatabase } from '../../src/adapters/sqlite/database.js';

/**
 * Run as its own process by a test: appends a row through the writer thread, closes the store,
 * then prints. Nothing else keeps this process alive, as in the bot's shutdown once the
 * receiver has stopped: the print shows that closing did not end the process early.
 */
const db = openDatabase(path.join(process.argv[2] ?? '.', 'close-test.db'));
const store = createAuditStore(db);
await store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
await store.close();
closeDatabase(db);
process.stdout.write('closed, next step ran\n');
