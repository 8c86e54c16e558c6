import fs from 'node:fs';
import type { OfflineBot } from '../../src/shell/offline-bot.js';
import { PLANTED, spacedPan, TYPED } from './planted-values.js';

/** One output of the bot, as text (binary files read byte for byte as latin1). */
export interface Artifact {
  source: string;
  text: string;
}

export interface Needle {
  name: string;
  pattern: RegExp;
}

export interface Hit {
  needle: string;
  source: string;
  /** A little text either side of the find, to tell a leak from a coincidence. */
  context: string;
}

const escapeRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/**
 * Short digit values match only as a token of their own: not inside a longer number, a hex id or a
 * UUID group (hence letters, digits and '-' count as joined), so a timestamp or trace id that
 * happens to contain "913" is not a leak.
 */
const token = (value: string) => new RegExp(`(?<![0-9A-Za-z-])${escapeRegex(value)}(?![0-9A-Za-z-])`);
const anywhere = (value: string) => new RegExp(escapeRegex(value));

/** Cardholder secrets and typed values: allowed only in ephemeral answers to the person who asked. */
export const SECRET_NEEDLES: Needle[] = [
  { name: 'PAN', pattern: anywhere(PLANTED.pan) },
  { name: 'PAN (grouped)', pattern: anywhere(spacedPan(PLANTED.pan)) },
  { name: 'PAN (dashed)', pattern: anywhere(spacedPan(PLANTED.pan).replace(/ /g, '-')) },
  // What the log scrubber turns a PAN into: a leak all the same.
  { name: 'PAN (masked)', pattern: new RegExp(`${PLANTED.pan.slice(0, 6)}\\*+${PLANTED.pan.slice(-4)}`) },
  { name: 'CVV', pattern: token(PLANTED.cvv) },
  { name: 'PIN', pattern: token(PLANTED.pin) },
  { name: 'expiry', pattern: anywhere(PLANTED.expiry) },
  { name: 'expiry (MMYY)', pattern: token(PLANTED.expiry.replace('/', '')) },
  { name: 'typed last 4', pattern: token(TYPED.last4) },
  { name: 'typed wrong last 4', pattern: token(TYPED.wrongLast4) },
  { name: 'typed wrong CVV', pattern: token(TYPED.wrongCvv) },
  { name: 'typed new PIN', pattern: token(TYPED.newPin) },
];

/** Credentials: allowed nowhere at all, not even in answers to the asker. */
export const CREDENTIAL_NEEDLES: Needle[] = [
  { name: 'bot token', pattern: anywhere(PLANTED.botToken) },
  { name: 'signing secret', pattern: anywhere(PLANTED.signingSecret) },
  { name: 'issuer key', pattern: anywhere(PLANTED.issuerKey) },
];

export function scan(artifacts: Artifact[], needles: Needle[]): Hit[] {
  const hits: Hit[] = [];
  for (const artifact of artifacts) {
    for (const needle of needles) {
      const flags = needle.pattern.flags.includes('g') ? needle.pattern.flags : `${needle.pattern.flags}g`;
      for (const match of artifact.text.matchAll(new RegExp(needle.pattern.source, flags))) {
        const at = match.index ?? 0;
        const context = artifact.text
          .slice(Math.max(0, at - 60), at + match[0].length + 60)
          // biome-ignore lint/suspicious/noControlCharactersInRegex: binary database bytes made readable
          .replace(/[\u0000-\u001f\u007f-\u00ff]/g, '·');
        hits.push({ needle: needle.name, source: artifact.source, context });
      }
    }
  }
  return hits;
}

const json = (value: unknown) => JSON.stringify(value) ?? '';

/** A response_url post seen only by the person who asked: the one road a secret may take. */
export function isEphemeralToAsker(post: { body: Record<string, unknown> }): boolean {
  return post.body.response_type !== 'in_channel';
}

/**
 * Everything the bot put out, split in two: what must never hold a cardholder secret (logs, the
 * database files, acks, Web API calls, public or in-channel posts, modals, Home tabs, uploads), and
 * the ephemeral answers to the asker, which may show a secret but never a credential.
 */
export function collectArtifacts(bot: OfflineBot, logText: string): { restricted: Artifact[]; toAsker: Artifact[] } {
  const restricted: Artifact[] = [{ source: 'log output', text: logText }];
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    const file = `${bot.databasePath}${suffix}`;
    if (fs.existsSync(file))
      restricted.push({
        source: `database file ${suffix || '(main)'}`,
        text: fs.readFileSync(file).toString('latin1'),
      });
  }
  // Column values sit back to back in SQLite's pages (a value can run straight into the next
  // column's hex hash), so the rows are also searched as JSON, where every value is delimited.
  const tables = bot.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  for (const table of tables) {
    const rows = bot.db.prepare(`SELECT * FROM "${table.replace(/"/g, '""')}"`).all();
    restricted.push({ source: `database table ${table}`, text: json(rows) });
  }
  for (const [i, ack] of bot.slack.acks.entries()) {
    restricted.push({ source: `ack #${i}`, text: typeof ack === 'string' ? ack : json(ack) });
  }
  for (const [i, call] of bot.slack.calls.entries()) {
    restricted.push({ source: `Web API call #${i} ${call.method}`, text: json(call.args) });
  }
  for (const [i, view] of bot.slack.views.entries()) restricted.push({ source: `modal #${i}`, text: json(view.view) });
  for (const [user, view] of bot.slack.homeTabs) restricted.push({ source: `Home tab of ${user}`, text: json(view) });
  for (const [id, content] of bot.slack.uploads)
    restricted.push({ source: `upload ${id}`, text: content.toString('latin1') });
  for (const message of bot.slack.messages) {
    if (message.visibility === 'public')
      restricted.push({ source: `public message #${message.id}`, text: json(message) });
  }
  const toAsker: Artifact[] = [];
  for (const [i, post] of bot.slack.responsePosts.entries()) {
    const artifact = { source: `response_url post #${i} to ${post.user}`, text: json(post.body) };
    if (isEphemeralToAsker(post)) toAsker.push(artifact);
    else restricted.push(artifact);
  }
  for (const message of bot.slack.messages) {
    if (message.visibility === 'ephemeral')
      toAsker.push({ source: `ephemeral message #${message.id}`, text: json(message) });
  }
  return { restricted, toAsker };
}

export function describeHits(hits: Hit[]): string {
  return hits.map((h) => `${h.needle} in ${h.source}: …${h.context}…`).join('\n');
}
