import type { FakeSlack } from '../../src/shell/fake-slack.js';

/**
 * Everything the bot showed anyone, as Slack would render it, and the checks every piece must
 * pass: user text escaped for mrkdwn (no mention, broadcast or link smuggled in), Block Kit
 * limits kept, no response_url in a button value.
 */

export interface ShownText {
  /** Where it was shown, for the failure message. */
  where: string;
  kind: 'mrkdwn' | 'plain_text' | 'value';
  text: string;
}

/** Collects every text of a message, view or Home tab: top-level text, then each Block Kit text object and button value. */
export function collectShownTexts(slack: FakeSlack): ShownText[] {
  const found: ShownText[] = [];
  for (const m of slack.messages) {
    const where = `message ${m.id} (${m.via}, ${m.visibility}${m.to ? ` to ${m.to}` : ''} in ${m.channel})`;
    // A message's top-level text is mrkdwn too (notifications, fallbacks).
    if (m.text) found.push({ where: `${where} text`, kind: 'mrkdwn', text: m.text });
    walk(m.blocks, where, found);
  }
  for (const v of slack.views) walk(v.view, `view ${v.id} of ${v.user}`, found);
  for (const [user, view] of slack.homeTabs) walk(view, `home tab of ${user}`, found);
  return found;
}

function walk(node: unknown, where: string, found: ShownText[]): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, where, found);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if ((record.type === 'mrkdwn' || record.type === 'plain_text') && typeof record.text === 'string') {
    found.push({ where, kind: record.type, text: record.text });
    return;
  }
  if (record.type === 'button' && typeof record.value === 'string') {
    found.push({ where: `${where} button ${String(record.action_id)}`, kind: 'value', text: record.value });
  }
  for (const [key, value] of Object.entries(record)) {
    // private_metadata is not shown, but it must stay small and carry no secret: checked as a value.
    if (key === 'private_metadata' && typeof value === 'string') {
      found.push({ where: `${where} private_metadata`, kind: 'value', text: value });
    } else if (typeof value === 'object') {
      walk(value, where, found);
    }
  }
}

/**
 * The bot's own mrkdwn constructs: a bare mention of a well-formed id, a channel link, a date.
 * Anything else in <…> (a labelled mention, a broadcast, a user group, a link) was injected:
 * the bot never writes those, so hostile input uses them to show an escape that did not happen.
 */
const OWN_CONSTRUCT = /^<(?:@[UW][A-Z0-9]{2,}|#[CGD][A-Z0-9]{2,}|!date\^\d+\^[^|>]*\|[^<>]*)>$/;

/** What is wrong with one shown text, or an empty list. */
export function shownTextProblems(item: ShownText): string[] {
  const problems: string[] = [];
  const { text } = item;
  if (item.kind === 'value') {
    if (text.length > 2000) problems.push(`value longer than 2000 (${text.length})`);
    if (/https?:\/\//.test(text)) problems.push('a URL (a response_url?) in a value');
    return problems;
  }
  if (text.length > 3000) problems.push(`text longer than 3000 (${text.length})`);
  if (item.kind === 'plain_text') return problems;
  for (const match of text.matchAll(/<[^<>]*>?/g)) {
    const construct = match[0];
    if (!OWN_CONSTRUCT.test(construct)) problems.push(`unescaped ${JSON.stringify(construct.slice(0, 60))}`);
  }
  if (/>/.test(text.replace(/<[^<>]*>/g, ''))) problems.push('a raw ">" outside the bot’s own constructs');
  for (const match of text.matchAll(/&(?!amp;|lt;|gt;)/g)) {
    problems.push(`a raw "&" at ${match.index}: ${JSON.stringify(text.slice(match.index, match.index + 12))}`);
  }
  return problems;
}

/** Every problem in everything shown so far, with where it was. */
export function shownProblems(slack: FakeSlack): string[] {
  const out: string[] = [];
  for (const item of collectShownTexts(slack)) {
    for (const problem of shownTextProblems(item))
      out.push(`${item.where}: ${problem}: ${JSON.stringify(item.text.slice(0, 200))}`);
  }
  for (const m of slack.messages) {
    if ((m.blocks?.length ?? 0) > 50) out.push(`message ${m.id}: more than 50 blocks`);
  }
  for (const v of slack.views) {
    const blocks = (v.view.blocks as unknown[] | undefined) ?? [];
    if (blocks.length > 100) out.push(`view ${v.id}: more than 100 blocks`);
    const metadata = v.view.private_metadata;
    if (typeof metadata === 'string' && metadata.length > 3000) out.push(`view ${v.id}: private_metadata over 3000`);
  }
  return out;
}
