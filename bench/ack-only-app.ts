import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

/**
 * The floor for the throughput ratio: a Bolt app, the same version and receiver settings as
 * cardops (signature check, `/slack/events`, answers after ack), that only acknowledges `/card`.
 * Started by the benchmark in its own process, like the real bot, from the same environment.
 */

const port = Number(process.env.PORT ?? 3000);
const signingSecret = process.env.SLACK_SIGNING_SECRET ?? '';

const receiver = new HTTPReceiver({
  signingSecret,
  endpoints: '/slack/events',
  logLevel: LogLevel.ERROR,
  processBeforeResponse: false,
  unhandledRequestTimeoutMillis: 3001,
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? 'xoxb-ack-only',
  botId: 'B0CARDBOT',
  botUserId: 'U0CARDBOT',
  receiver,
  logLevel: LogLevel.ERROR,
});
app.command('/card', async ({ ack }) => {
  await ack();
});
await app.start(port);
process.stdout.write(`ack-only app listens on ${port}\n`);
process.on('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
