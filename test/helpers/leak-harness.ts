import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { createCheckpointSigner, generateCheckpointKeys } from '../../src/domain/audit/checkpoint.js';
import type { CardIssuer } from '../../src/domain/cards/card-issuer.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import type { LeakFlow, LeakFlowContext } from './leak-flows.js';
import { answerOf, shownBy } from './leak-flows.js';
import { CREDENTIAL_NEEDLES, collectArtifacts, type Hit, SECRET_NEEDLES, scan } from './leak-scan.js';
import { startPlantedIssuer } from './planted-issuer.js';
import { PLANTED } from './planted-values.js';
import { writeTestPolicy } from './secrets-policy.js';
import { visibleText } from './slack-text.js';

/**
 * A deliberate leak, for showing that the leak test fails when it should: the issuer client is
 * wrapped so that every CVV it reads is also written to the log, the audit, or a Web API call.
 */
export type LeakInjection = 'log' | 'audit' | 'web-api';

export interface LeakReport {
  /** Planted values found where they must not be. */
  hits: Hit[];
  /** Planted secrets still on screen after the flows ended and shutdown hid what was shown. */
  stillShown: Hit[];
  /** Everything the askers were shown ephemerally, to check the flows did reveal the secrets. */
  toAskerText: string;
  logText: string;
}

function leaky(inner: CardIssuer, how: LeakInjection, bot: () => OfflineBot | undefined): CardIssuer {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'cvv' || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(target) : value;
      return async (cardId: string) => {
        const result = await (value as CardIssuer['cvv']).call(target, cardId);
        const running = bot();
        if (running && how === 'log') running.logger.info({ answer: { value: result.cvv } }, 'issuer answered');
        if (running && how === 'audit') {
          await running.audit.append({
            actor: 'U0AGENT01',
            op: 'cvv',
            outcome: 'ok',
            reason: `answer was ${result.cvv}`,
          });
        }
        if (running && how === 'web-api') {
          await running.bot.app.client.chat.postMessage({ channel: 'C0SUPPORT', text: `answer was ${result.cvv}` });
        }
        return result;
      };
    },
  });
}

/**
 * Runs the flows against the real app (over HTTP with signatures, the planted bot token, signing
 * secret and issuer key, the planted issuer), then gathers every output and searches it.
 */
export async function runLeakScenario(options: {
  provider: 'sovera' | 'paycaddy';
  logLevel: 'info' | 'debug';
  flows: LeakFlow[];
  injectLeak?: LeakInjection;
}): Promise<LeakReport> {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  // Anything printed around the logger (a stray console.log, a library's own output) counts too.
  const stdio: string[] = [];
  const original = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const capture =
    (pass: typeof original.out) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      stdio.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return (pass as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(original.out) as typeof process.stdout.write;
  process.stderr.write = capture(original.err) as typeof process.stderr.write;

  const planted = await startPlantedIssuer(options.provider, { timeoutMs: 500, slowMs: 1_500 });
  let bot: OfflineBot | undefined;
  try {
    const issuer = options.injectLeak ? leaky(planted.issuer, options.injectLeak, () => bot) : planted.issuer;
    bot = await startOfflineBot({
      provider: options.provider,
      issuer,
      transport: 'http',
      botToken: PLANTED.botToken,
      signingSecret: PLANTED.signingSecret,
      logLevel: options.logLevel,
      logDestination: destination,
      revealHideMs: 300,
      // Signed checkpoints are public posts: they are scanned like every other.
      checkpoints: { signer: createCheckpointSigner(generateCheckpointKeys().privatePem) },
      policyFile: writeTestPolicy({
        operations: { pan: ['agent', 'senior'] },
        channels: { C0RANDOM: ['*'] },
        revealsPerHour: 20,
      }),
    });
    const running = bot;
    // Every response_url handed to the app: credentials to post into a conversation, never to be kept.
    const responseUrls = new Set<string>();
    const driver = running.driver;
    const command = driver.command.bind(driver);
    const click = driver.click.bind(driver);
    driver.command = async (...args) => {
      const result = await command(...args);
      responseUrls.add(result.responseUrl);
      return result;
    };
    driver.click = async (...args) => {
      const result = await click(...args);
      responseUrls.add(result.responseUrl);
      return result;
    };
    const ctx: LeakFlowContext = {
      bot: running,
      sandbox: planted.sandbox,
      provider: options.provider,
      command: (user, channel, text) => running.driver.command(user, channel, '/card', text),
      async reveal(user, channel, op, cardId) {
        const asked = await running.driver.command(user, channel, '/card', `${op} ${cardId}`);
        const offer = answerOf(asked);
        if (!offer) throw new Error(`no answer to /card ${op} ${cardId}`);
        const pressed = await running.driver.click(user, offer, 'reveal_secret');
        return { offer, shown: shownBy(running, pressed) };
      },
      async submit(user, values) {
        const view = running.driver.openViewOf(user);
        if (!view) throw new Error(`no modal open for ${user}`);
        return running.driver.submitView(user, view, values);
      },
    };
    for (const flow of options.flows) {
      try {
        await flow.run(ctx);
      } catch (error) {
        throw new Error(`flow "${flow.name}" did not go as expected: ${(error as Error).message}`);
      }
    }
    await running.bot.idle();
    await running.bot.checkpointNow();
    await running.audit.flush();

    const logText = chunks.join('') + stdio.join('');
    const { restricted, toAsker } = collectArtifacts(running, logText);
    const urlNeedles = [...responseUrls].map((url) => ({
      name: 'response_url',
      pattern: new RegExp(url.slice(url.lastIndexOf('/') + 1)),
    }));
    const hits = [
      ...scan(restricted, [...SECRET_NEEDLES, ...CREDENTIAL_NEEDLES, ...urlNeedles]),
      ...scan(toAsker, CREDENTIAL_NEEDLES),
    ];
    const onScreen = running.slack.messages.map((m) => ({
      source: `message #${m.id} as shown now`,
      text: visibleText(m),
    }));
    const stillShown = scan(
      onScreen,
      SECRET_NEEDLES.filter((n) => !n.name.startsWith('typed')),
    );
    return { hits, stillShown, toAskerText: toAsker.map((a) => a.text).join('\n'), logText };
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
    await bot?.close();
    await planted.close();
  }
}

/** The flows did reveal the planted secrets to their askers: the search looks for values that did flow. */
export function expectSecretsWereShown(report: LeakReport): void {
  expect(report.toAskerText).toContain(PLANTED.pan.match(/.{4}/g)?.join(' '));
  expect(report.toAskerText).toContain(PLANTED.cvv);
  expect(report.toAskerText).toContain(PLANTED.pin);
  expect(report.toAskerText).toContain(PLANTED.expiry);
}
