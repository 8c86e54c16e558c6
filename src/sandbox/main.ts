import { z } from 'zod';
import { readEnvironment } from '../config.js';
import { createLogger } from '../logger.js';
import { DEMO_CARDS } from './demo-cards.js';
import { startSandbox } from './server.js';

/*
 * `npm run sandbox`: the issuer simulator on its own, for a bot started with
 * CARD_API_PROVIDER=sovera|paycaddy and CARD_API_BASE_URL pointing here.
 * Prints its URL and the demo cards (ids and states, never a PAN, CVV or PIN).
 */

const port = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined),
  z
    .string()
    .regex(/^\d{1,5}$/, { message: 'must be a port number from 0 to 65535' })
    .transform(Number)
    .refine((n) => n <= 65535, { message: 'must be a port number from 0 to 65535' })
    .default(4010),
);
const optionalText = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined),
  z.string().optional(),
);
const envSchema = z.object({
  SANDBOX_PORT: port,
  SANDBOX_API_KEY: optionalText,
  CARD_API_AUTH_HEADER: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined),
    z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, { message: 'must be an HTTP header name (letters, digits and -)' })
      .default('X-API-KEY'),
  ),
});

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(readEnvironment());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${String(issue.path[0])}: ${issue.message}`);
    process.exitCode = 1;
    return;
  }
  const env = parsed.data;
  const logger = createLogger({ level: 'info', issuerAuthHeader: env.CARD_API_AUTH_HEADER });
  const sandbox = await startSandbox({
    port: env.SANDBOX_PORT,
    host: '127.0.0.1',
    apiKey: env.SANDBOX_API_KEY,
    authHeader: env.CARD_API_AUTH_HEADER,
    logger,
  });

  const lines = [
    `cardops sandbox issuer listening on ${sandbox.url}`,
    '  Sovera v2 at /cards/v2/operations/…, PayCaddy v1 at /v1/…',
    env.SANDBOX_API_KEY
      ? `  API key required in the ${env.CARD_API_AUTH_HEADER} header (SANDBOX_API_KEY)`
      : '  no API key required (set SANDBOX_API_KEY to require one)',
    '',
    'Demo cards:',
    ...DEMO_CARDS.map((card) => `  ${card.id.padEnd(26)} ${card.status.padEnd(11)} ${card.note}`),
    '',
    'Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'sandbox stopping');
    sandbox.close().then(
      () => {
        process.exitCode = 0;
      },
      () => {
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : undefined;
  console.error(`sandbox failed to start${code ? `: ${code}` : ''}`);
  process.exitCode = 1;
});
