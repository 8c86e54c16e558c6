import { afterEach, describe, expect, it } from 'vitest';
import { luhnValid, normaliseForCardCheck } from '../../src/domain/cards/card-numbers.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { captureLog } from '../helpers/capture-log.js';
import { collectArtifacts } from '../helpers/leak-scan.js';

const ALICE = 'U0AGENT01';
const SUPPORT = 'C0SUPPORT';

/** A Luhn-valid number of the given length on a test BIN, from a seeded generator (reproducible). */
function generatePan(length: number, random: () => number): string {
  let body = '4000';
  while (body.length < length - 1) body += String(Math.floor(random() * 10));
  for (let check = 0; check <= 9; check += 1) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
  throw new Error('no check digit');
}

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const groups = (pan: string, size = 4) => pan.match(new RegExp(`.{1,${size}}`, 'g')) ?? [pan];
const fullWidth = (text: string) => text.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

/** Every way the issue lists of writing a card number, and a few more people use. */
const FORMS: [string, (pan: string) => string][] = [
  ['plain', (p) => p],
  ['spaces', (p) => groups(p).join(' ')],
  ['dashes', (p) => groups(p).join('-')],
  ['underscores', (p) => groups(p).join('_')],
  ['slashes', (p) => groups(p).join('/')],
  ['dots', (p) => groups(p).join('.')],
  ['zero-width spaces', (p) => [...p].join('\u200b')],
  ['zero-width joiners in groups', (p) => groups(p).join('\u200d')],
  ['full-width digits', (p) => fullWidth(p)],
  ['full-width, ideographic spaces', (p) => fullWidth(groups(p).join('\u3000'))],
  ['no-break spaces', (p) => groups(p).join('\u00a0')],
  ['spaced dashes', (p) => groups(p).join(' - ')],
  ['soft hyphens', (p) => groups(p).join('\u00ad')],
  ['mathematical digits', (p) => [...p].map((d) => String.fromCodePoint(0x1d7ce + Number(d))).join('')],
  ['groups of 3 with dots', (p) => groups(p, 3).join('.')],
];

let bot: OfflineBot;
afterEach(async () => bot?.close());

/** True when the digits of `pan` appear in the text in any form: normalised, separators and invisible characters dropped. */
function holdsPan(text: string, pan: string): boolean {
  const flat = normaliseForCardCheck(text).replace(/(?<=\d)[\s\-_/.\\u00a0]{1,3}(?=\d)|\\u[0-9a-fA-F]{4}/g, '');
  return flat.includes(pan);
}

describe('card numbers typed in any form, through the real App', () => {
  it('when generated PANs are typed as card ids and in reasons in every form, then none reaches the database, the logs or a public post, and the asker is told', async () => {
    const log = captureLog();
    bot = await startOfflineBot({ logLevel: 'debug', logDestination: log.stream });
    const random = mulberry32(13);
    const typed: string[] = [];
    let told = 0;
    for (const [i, [name, form]] of FORMS.entries()) {
      // One length per form, every length over the forms: 13, 15, 16 and 19 digits.
      for (const length of [[13, 15, 16, 19][i % 4]!]) {
        const pan = generatePan(length, random);
        typed.push(pan);
        const written = form(pan);
        // As the card id: refused with the card-number warning, before any issuer call.
        const asId = await bot.driver.command(ALICE, SUPPORT, '/card', `block ${written}`);
        expect(asId.messages.at(-1)?.text, `${name} ${length} as card id`).toContain('That looks like a card number');
        // In a reason: masked, and the asker told so.
        const inReason = await bot.driver.command(
          ALICE,
          SUPPORT,
          '/card',
          `unblock card-active-2 card ${written} cvv 913`,
        );
        const notice = inReason.messages.find((m) => m.text.includes('It was masked'));
        expect(notice, `${name} ${length} in a reason`).toBeDefined();
        if (notice) told += 1;
      }
      // In a cancel reason: the approval request is public in the approvals channel.
      if (i < 4) {
        const pan = generatePan(16, random);
        typed.push(pan);
        await bot.driver.command(
          ALICE,
          SUPPORT,
          '/card',
          `cancel card-active-${i + 1} stolen ${form(pan)} exp 07/31 pin 7351`,
        );
      }
    }
    expect(told).toBe(FORMS.length);
    expect(bot.slack.messages.filter((m) => m.channel === 'C0APPROVE')).toHaveLength(4);
    expect(bot.sandbox?.calls.some((c) => typed.some((pan) => JSON.stringify(c).includes(pan)))).toBe(false);

    await bot.bot.idle();
    await bot.audit.flush();
    const { restricted } = collectArtifacts(bot, log.text());
    const leaks = restricted.flatMap((artifact) =>
      typed.filter((pan) => holdsPan(artifact.text, pan)).map((pan) => `${artifact.source}: ${pan}`),
    );
    expect(leaks).toEqual([]);
    expect(restricted.length).toBeGreaterThan(10);
    for (const artifact of restricted) {
      const text = normaliseForCardCheck(artifact.text);
      expect(text, artifact.source).not.toMatch(/cvv 913|pin 7351|exp 07\/31/i);
    }
  }, 120_000);
});
