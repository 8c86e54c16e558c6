import { expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/domain/audit/audit-looks.js';
import type { AuditRow } from '../../src/domain/audit/audit-types.js';
import {
  createCheckpointSigner,
  generateCheckpointKeys,
  type SignedCheckpoint,
} from '../../src/domain/audit/checkpoint.js';
import { createCheckpointer } from '../../src/domain/audit/checkpointer.js';
import { chainHash, GENESIS_HASH, toChainedTuple } from '../../src/domain/audit/hash-chain.js';
import { createLogger } from '../../src/logger.js';
import { manualClock } from '../helpers/manual-clock.js';
import { describeEachEngine } from './engines.js';

const WHO = { actor: 'U0MANAGER', teamId: 'T0TEAM', channelId: 'C0SUPPORT' };

describeEachEngine('signed checkpoints over each engine', (engine) => {
  async function anchoredLog() {
    const stores = await engine.open();
    for (let i = 0; i < 6; i += 1) {
      await stores.audit.append({
        actor: i === 2 ? 'U0SENIOR1' : 'U0AGENT01',
        op: 'cvv',
        outcome: 'revealed',
        cardId: `card-${i}`,
      });
    }
    const signer = createCheckpointSigner(generateCheckpointKeys().privatePem);
    const published: SignedCheckpoint[] = [];
    const checkpointer = createCheckpointer({
      audit: stores.audit,
      signer,
      sinks: () => [{ name: 'file', publish: async (_line, c) => void published.push(c) }],
      clock: manualClock(),
      logger: createLogger({ level: 'silent' }),
    });
    await checkpointer.checkpointNow('time');
    const anchoring = {
      signer,
      checkpointer,
      readCheckpoints: async () => [{ source: 'file' as const, checkpoints: published, malformed: 0 }],
    };
    return { stores, anchoring, published };
  }

  it('when the log is intact, then verify proves the rows up to the checkpoint', async () => {
    const { stores, anchoring, published } = await anchoredLog();
    expect(published.map((c) => [c.row, c.count])).toEqual([[6, 6]]);
    const result = await verifyAuditLog(stores.audit, WHO, { anchoring });
    expect(result.ok && result.value.anchors.proven?.row).toBe(6);
    expect(result.ok && result.value.anchors.broken).toBeUndefined();
  });

  it('when a row is changed and every hash after it recomputed, then verify names the checkpoint it contradicts', async () => {
    const { stores, anchoring } = await anchoredLog();
    await engine.allowTampering();
    const rows: AuditRow[] = [];
    for await (const batch of stores.audit.iterate({})) rows.push(...batch);
    let prev = GENESIS_HASH;
    for (const row of rows) {
      const forged = { ...row, actor: row.id === 3 ? 'U0AGENT01' : row.actor, prevHash: prev };
      forged.hash = chainHash(prev, toChainedTuple(forged));
      const p = engine.name === 'postgres' ? ['$1', '$2', '$3', '$4'] : ['?', '?', '?', '?'];
      await engine.sql(`UPDATE audit SET actor = ${p[0]}, prev_hash = ${p[1]}, hash = ${p[2]} WHERE id = ${p[3]}`, [
        forged.actor,
        forged.prevHash,
        forged.hash,
        row.id,
      ]);
      prev = forged.hash;
    }
    // The chain alone recomputes: only the checkpoint shows the rewrite.
    const result = await verifyAuditLog(stores.audit, WHO, { chunkSize: 4 });
    expect(result.ok && result.value.ok).toBe(true);
    const anchored = await verifyAuditLog(stores.audit, WHO, { anchoring });
    expect(anchored.ok && anchored.value.anchors.broken?.kind).toBe('hash-differs');
    expect(anchored.ok && anchored.value.anchors.proven).toBeUndefined();
  });
});
