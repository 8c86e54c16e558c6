import type { App } from '@slack/bolt';
import { keepAlivePool, sendBuffered } from '../src/adapters/http/buffered-request.js';
import { createAuditStore } from '../src/adapters/sqlite/audit-store.js';
import { openDatabase } from '../src/adapters/sqlite/database.js';
import { runReferenceApp } from './reference-app.js';

/**
 * A reference for the throughput ratio, not a product: the work a `/card block` cannot do
 * without, and nothing else, on the same Bolt receiver as cardops and the ack-only app. It acks,
 * writes the `started` row durably (cardops' audit store and writer thread), calls the issuer
 * once with undici directly, writes the outcome row, and posts a one-line answer to the
 * response_url. No policy, no input checks, no axios, no answer checks, no Block Kit. Its ratio
 * to the ack-only app is what the budget leaves for all of those on this machine.
 */

const issuerUrl = `${process.env.CARD_API_BASE_URL ?? ''}/cards/v2/operations/block`;
const issuerKey = process.env.CARD_API_KEY ?? '';
const audit = createAuditStore(openDatabase(process.env.DATABASE_PATH ?? ''));
const pool = keepAlivePool();

const register = (app: App) =>
  app.command('/card', async ({ ack, command }) => {
    await ack();
    const [verb, cardId = ''] = command.text.split(' ');
    if (verb !== 'block') return;
    const row = { actor: command.user_id, teamId: command.team_id, channelId: command.channel_id, op: 'block', cardId };
    await audit.append({ ...row, outcome: 'started' });
    const answer = await sendBuffered(pool, issuerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': issuerKey },
      body: JSON.stringify({ cardId }),
      deadlineMs: 10_000,
      maxBytes: 1 << 20,
    });
    const { data } = JSON.parse(answer.body.toString('utf8')) as { data: { status: string } };
    await audit.append({ ...row, outcome: 'ok' });
    await sendBuffered(pool, command.response_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', text: `Card ${cardId} blocked (${data.status}).` }),
      deadlineMs: 10_000,
    });
  });
// Bolt's conversation store and ignoreSelf middleware off, as in cardops (src/app.ts).
await runReferenceApp('bare-work app', register, {
  app: { convoStore: false, ignoreSelf: false },
  onStop: () => audit.close(),
});
