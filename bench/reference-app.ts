import { App, type AppOptions, HTTPReceiver, LogLevel } from '@slack/bolt';

/**
 * Starts one of the benchmark's reference apps: a Bolt app on the same receiver settings as
 * cardops (signature check, `/slack/events`, answers after the ack, 3,001 ms for an unacknowledged
 * request), from the environment the bench gives every app, with `register` adding its `/card`
 * listener. Shared so that the references differ from each other only in their listener and
 * `options`.
 */
export async function runReferenceApp(
  name: string,
  register: (app: App) => void,
  options: { app?: Pick<AppOptions, 'convoStore' | 'ignoreSelf'>; onStop?: () => Promise<void> } = {},
): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const receiver = new HTTPReceiver({
    signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
    endpoints: '/slack/events',
    logLevel: LogLevel.ERROR,
    processBeforeResponse: false,
    unhandledRequestTimeoutMillis: 3001,
  });
  const app = new App({
    token: process.env.SLACK_BOT_TOKEN ?? 'xoxb-reference',
    botId: 'B0CARDBOT',
    botUserId: 'U0CARDBOT',
    receiver,
    logLevel: LogLevel.ERROR,
    ...options.app,
  });
  register(app);
  await app.start(port);
  process.stdout.write(`${name} listens on ${port}\n`);
  process.on('SIGTERM', () => {
    void app
      .stop()
      .then(options.onStop)
      .then(() => process.exit(0));
  });
}
