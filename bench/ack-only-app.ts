import { runReferenceApp } from './reference-app.js';

/**
 * The floor for the throughput ratio: a Bolt app, the same version and receiver settings as
 * cardops (signature check, `/slack/events`, answers after ack), that only acknowledges `/card`.
 * Started by the benchmark in its own process, like the real bot, from the same environment.
 *
 * `ACK_ONLY_BOLT=cardops` (the budgeted ratio's floor) turns off Bolt's conversation store and
 * ignoreSelf middleware as cardops does (src/app.ts); `defaults` leaves Bolt's defaults, as a
 * minimal app written from Bolt's guide has them. The two differ by about a quarter.
 */
const settings = process.env.ACK_ONLY_BOLT === 'defaults' ? {} : { convoStore: false as const, ignoreSelf: false };
await runReferenceApp(
  `ack-only app (Bolt settings: ${process.env.ACK_ONLY_BOLT ?? 'cardops'})`,
  (app) => {
    app.command('/card', async ({ ack }) => {
      await ack();
    });
  },
  { app: settings },
);
