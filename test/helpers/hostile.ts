/**
 * Hostile input for the fuzz tests, from a seeded PRNG so that a failure replays exactly: random
 * Unicode (astral, combining, bidi, zero-width), control characters, 10 KB strings, SQL-like text,
 * mrkdwn and Block Kit injection, mention and broadcast syntax, card-number-like digits. To cover a
 * new kind of input, add a generator to GENERATORS.
 */

export interface Rng {
  (): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rng;
  next.int = (n) => Math.floor(next() * n);
  next.pick = (items) => items[Math.floor(next() * items.length)]!;
  next.chance = (p) => next() < p;
  return next;
}

/** Fragments an attacker or a confused user would type; the labelled mentions are never written by the bot itself. */
export const HOSTILE_FRAGMENTS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S0INJECT4|@support>',
  '<@U0INJECT1|mallory>',
  '<@W0INJECT2>',
  '<#C0INJECT3|general>',
  '<https://evil.example/login|Click to re-authenticate>',
  '<mailto:x@evil.example|mail>',
  '*bold* _italic_ ~strike~ `code` ```block```',
  '> quoted\n>>> more',
  '&lt;script&gt; & &amp; &#60; &',
  '<script>alert(1)</script>',
  "'; DROP TABLE audit; --",
  '" OR 1=1 --',
  "card-active-1' UNION SELECT hash FROM audit --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, typed as plain text
  '%s %d %n {{7*7}} ${process.env}',
  '../../etc/passwd',
  '{"type":"section","text":{"type":"mrkdwn","text":"<!channel>"}}',
  ']}],"blocks":[{"type":"divider"}]',
  '4929 8700 0000 0006',
  '4929870000000006',
  'U0MANAGER',
  'user:<@U0MANAGER> since:2020-01-01',
  'card:card-active-1 op:block outcome:ok',
  '\u202e\u2066evil\u2069',
  '\u200b\u200c\u200d\ufeff',
  'e\u0301\u0301\u0301\u0301',
  '\ud83d\udca3\ud83c\udff4\u200d\u2620\ufe0f',
  '\ud800',
  '\udfff lone',
  '\u0000\u0001\u0007\u001b[31m',
  '\r\n\t\u2028\u2029\u0085',
  '\\u003c!channel\\u003e',
];

const UNICODE_RANGES: readonly [number, number][] = [
  [0x20, 0x7e],
  [0xa0, 0x24f],
  [0x300, 0x36f],
  [0x590, 0x6ff],
  [0x200b, 0x206f],
  [0x2190, 0x2bff],
  [0x3040, 0x30ff],
  [0x4e00, 0x4fff],
  [0xfe00, 0xfe0f],
  [0xfff0, 0xffff],
  [0x1f300, 0x1faff],
  [0xe0000, 0xe007f],
  [0x0, 0x1f],
  [0x7f, 0x9f],
  [0xd800, 0xdfff],
];

export function randomUnicode(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    const [lo, hi] = rng.pick(UNICODE_RANGES);
    const cp = lo + rng.int(hi - lo + 1);
    // Lone surrogates on purpose: String.fromCharCode lets them through, as a broken client might.
    out += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return out;
}

export function controlCharacters(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    out += rng.chance(0.5) ? String.fromCharCode(rng.int(0x20)) : String.fromCharCode(0x7f + rng.int(0x21));
  }
  return out;
}

export const GENERATORS: readonly ((rng: Rng) => string)[] = [
  (rng) => rng.pick(HOSTILE_FRAGMENTS),
  (rng) => `${rng.pick(HOSTILE_FRAGMENTS)} ${rng.pick(HOSTILE_FRAGMENTS)}`,
  (rng) => randomUnicode(rng, 1 + rng.int(40)),
  (rng) => controlCharacters(rng, 1 + rng.int(20)),
  (rng) => `${randomUnicode(rng, 5)}${rng.pick(HOSTILE_FRAGMENTS)}${controlCharacters(rng, 3)}`,
  // 10 KB: longer than any Slack field the bot writes; must be cut or refused, never passed on whole.
  (rng) =>
    rng
      .pick(HOSTILE_FRAGMENTS)
      .repeat(1 + Math.ceil(10_240 / 40))
      .slice(0, 10_240),
  (rng) => randomUnicode(rng, 10_240),
  () => '',
  () => ' \t ',
];

export function hostileText(rng: Rng): string {
  return rng.pick(GENERATORS)(rng);
}
