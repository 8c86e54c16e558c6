import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { captureLog } from '../helpers/capture-log.js';
import { type StubIssuer, startStubIssuer, successAnswer } from '../helpers/stub-issuer.js';
import { allRows, CAROL, textOf } from './audit-command-support.js';

/*
 * An issuer answer about another card than asked, through the real App (issue 15 pt 6): the
 * asker is told the issuer answered about another card, the read is audited as failed with
 * ISSUER_WRONG_CARD, and the other card's secrets and id reach no message, log line or row.
 */

const SECURE = 'C0SECURE';
const OTHER_CARD = 'card-someone-else';
const PLANTED = { cvv: '913', pan: '4929870000012345', limit: 4321 };

let bot: OfflineBot | undefined;
let stub: StubIssuer | undefined;
afterEach(async () => {
  await bot?.close();
  await stub?.close();
  bot = undefined;
  stub = undefined;
});

describe.each(['sovera', 'paycaddy'] as const)('answers about another card through the App (%s)', (dialect) => {
  it('when a CVV reveal is answered about another card, then nothing is shown or kept and the audit says failed', async () => {
    stub = await startStubIssuer({
      dialect,
      answer: (request) => {
        const { status, body } = successAnswer(dialect, request.op, { cardId: OTHER_CARD, cvv: PLANTED.cvv });
        return request.op === 'cvv' ? { kind: 'json', status, body } : { kind: 'success' };
      },
    });
    const log = captureLog();
    bot = await startOfflineBot({
      provider: dialect,
      issuerBaseUrl: stub.url,
      logLevel: 'debug',
      logDestination: log.stream,
    });
    const offer = (await bot.driver.command(CAROL, SECURE, '/card', 'cvv card-active-1')).messages[0];
    if (!offer) throw new Error('no Reveal offer');
    const shown = await bot.driver.click(CAROL, offer, 'reveal_secret');
    const answer = shown.messages.find((m) => m.to === CAROL);
    expect(answer?.visibility).toBe('ephemeral');
    expect(textOf(answer)).toContain('The issuer answered about another card than `card-active-1`');

    const rows = allRows(bot).filter((r) => r.op === 'cvv');
    expect(rows.map((r) => r.outcome)).toEqual(['failed', 'started']);
    // The op is in brackets, so the stored text's scrubber does not take "cvv: HTTP" for a `cvv: value` fragment.
    expect(rows[0]?.error).toMatch(/^ISSUER_WRONG_CARD: issuer \w+ \(cvv\): HTTP 20\d, answer is about another card$/);
    expect(allRows(bot).some((r) => r.outcome === 'revealed')).toBe(false);

    const everything = [
      JSON.stringify(bot.slack.messages),
      JSON.stringify(bot.slack.responsePosts),
      JSON.stringify(allRows(bot)),
      log.text(),
    ].join('\n');
    expect(everything).not.toContain(OTHER_CARD);
    expect(everything).not.toMatch(new RegExp(`\\b${PLANTED.cvv}\\b`));
  });
});

describe('a PayCaddy limit answered about another card, through the App', () => {
  it('when the limit read names another card, then the amount is not shown and the read is audited failed', async () => {
    stub = await startStubIssuer({
      dialect: 'paycaddy',
      answer: (request) =>
        request.op === 'limit'
          ? { kind: 'json', status: 200, body: { cardId: OTHER_CARD, limit: PLANTED.limit } }
          : { kind: 'success' },
    });
    bot = await startOfflineBot({ provider: 'paycaddy', issuerBaseUrl: stub.url });
    const answer = (await bot.driver.command(CAROL, SECURE, '/card', 'limit card-active-3')).messages[0];
    expect(textOf(answer)).toContain('about another card');
    expect(textOf(answer)).not.toContain('4,321');
    expect(allRows(bot).map((r) => r.outcome)).toEqual(['failed', 'started']);
  });
});
