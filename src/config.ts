import fs from 'node:fs';
import dotenv from 'dotenv';
import { z } from 'zod';
import { type CheckpointSigner, createCheckpointSigner } from './domain/audit/checkpoint.js';

/** Where `npm run sandbox` listens unless told otherwise (the URL to give a real dialect to try it). */
export const STANDALONE_SANDBOX_URL = 'http://127.0.0.1:4010';

/** The values `.env.example` ships: left in place, they are named as placeholders, not as bad values. */
export const ENV_EXAMPLE_PLACEHOLDERS: Record<string, string> = {
  SLACK_BOT_TOKEN: 'xoxb-your-bot-token',
  SLACK_SIGNING_SECRET: 'your-signing-secret',
  SLACK_APP_TOKEN: 'xapp-your-app-token',
  CARD_API_BASE_URL: 'https://issuer.example.com',
  CARD_API_KEY: 'your-issuer-api-key',
  METRICS_TOKEN: 'your-metrics-token',
};

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `15m`, `900s`, `1h`, `500ms` in milliseconds. */
const duration = (fallbackMs: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return fallbackMs;
        const match = /^(\d+)\s*(ms|s|m|h)$/.exec(value.trim());
        if (!match) {
          ctx.addIssue({ code: 'custom', message: 'must be a duration such as 15m, 900s or 1h' });
          return z.NEVER;
        }
        return Number(match[1]) * (DURATION_UNITS[match[2] ?? 's'] ?? 1_000);
      }),
  );

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const isLoopback = (url: string) => {
  const host = new URL(url).hostname;
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
};
export const PROVIDERS = ['sovera', 'paycaddy', 'sandbox'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const url = (what: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((value) => /^https?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
        message: `must be an http(s) URL (${what})`,
      })
      .optional(),
  );

const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return fallback;
        if (!/^\d+$/.test(value.trim())) {
          ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
          return z.NEVER;
        }
        const n = Number(value);
        if (n < min || n > max) {
          ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
          return z.NEVER;
        }
        return n;
      }),
  );

const envSchema = z
  .object({
    SLACK_BOT_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .refine((v) => v.startsWith('xoxb-'), { message: 'must be a bot token starting with xoxb-' })
        .optional(),
    ),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_APP_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .refine((v) => v.startsWith('xapp-'), { message: 'must be an app-level token starting with xapp-' })
        .optional(),
    ),
    PORT: integer(0, 65535, 3000),
    HEALTH_PORT: z.preprocess(emptyToUndefined, integer(0, 65535, -1).optional()),
    METRICS_TOKEN: optionalString,
    USERGROUP_MAX_STALE: duration(15 * 60_000),
    CARD_API_ALLOW_INSECURE: z.preprocess(
      emptyToUndefined,
      z.enum(['0', '1'], { message: 'must be 1 (allow http:// to a non-loopback issuer) or 0' }).default('0'),
    ),
    SLACK_API_URL: url('the Slack Web API base, e.g. https://slack.com/api/'),
    CARD_API_PROVIDER: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
      z.enum(PROVIDERS, { message: `must be one of ${PROVIDERS.join(', ')}` }).default('sandbox'),
    ),
    CARD_API_BASE_URL: url('the issuer base URL'),
    CARD_API_KEY: optionalString,
    CARD_API_AUTH_HEADER: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9-]+$/, { message: 'must be an HTTP header name (letters, digits and -)' })
        .default('X-API-KEY'),
    ),
    CARD_API_TIMEOUT_MS: integer(100, 120_000, 10_000),
    POLICY_FILE: z.preprocess(emptyToUndefined, z.string().default('./policy.yml')),
    DATABASE_PATH: z.preprocess(emptyToUndefined, z.string().default('./data/cardops.db')),
    DATABASE_URL: optionalString,
    AUDIT_SIGNING_KEY_FILE: optionalString,
    AUDIT_CHECKPOINT_FILE: optionalString,
    LOG_LEVEL: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
      z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.CARD_API_PROVIDER !== 'sandbox' && !env.CARD_API_BASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['CARD_API_BASE_URL'],
        message: `is required when CARD_API_PROVIDER is ${env.CARD_API_PROVIDER} (the issuer's https:// base URL; ${STANDALONE_SANDBOX_URL} for \`npm run sandbox\`)`,
      });
    }
    if (
      env.CARD_API_BASE_URL?.startsWith('http://') &&
      !isLoopback(env.CARD_API_BASE_URL) &&
      env.CARD_API_ALLOW_INSECURE !== '1'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['CARD_API_BASE_URL'],
        message:
          'must be https:// unless the host is loopback: the issuer key and card data would cross the network in clear (CARD_API_ALLOW_INSECURE=1 allows it for a test rig)',
      });
    }
    if (env.CARD_API_PROVIDER !== 'sandbox' && !env.CARD_API_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['CARD_API_KEY'],
        message: `is required when CARD_API_PROVIDER is ${env.CARD_API_PROVIDER} (the issuer credential)`,
      });
    }
  });

export interface Config {
  slack: {
    botToken: string | undefined;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string | undefined;
  };
  port: number;
  /** Socket Mode: where /healthz, /readyz and /metrics listen; undefined for none. */
  healthPort: number | undefined;
  metricsToken: string | undefined;
  /** How long last-known user-group members are trusted while Slack reads fail. */
  usergroupMaxStaleMs: number;
  issuer: {
    provider: Provider;
    /** Undefined for `sandbox`: the embedded sandbox's address is known only once it listens. */
    baseUrl: string | undefined;
    apiKey: string | undefined;
    authHeader: string;
    timeoutMs: number;
  };
  policyFile: string;
  /** The SQLite file; used when `database` is SQLite. */
  databasePath: string;
  /** `DATABASE_URL=postgres://…` selects PostgreSQL (shared by replicas, SPEC §9); anything else SQLite. */
  database: { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };
  logLevel: LogLevel;
  audit: {
    /** From AUDIT_SIGNING_KEY_FILE; undefined: the log is unanchored (SPEC §7). */
    signer: CheckpointSigner | undefined;
    checkpointFile: string | undefined;
  };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** What each mode needs beyond the schema: `npm start` needs Slack credentials, the shell does not. */
export type ConfigMode = 'start' | 'offline';

/**
 * Validates the environment. Every problem is one line naming the variable; a value is
 * never echoed, so a secret typed into the wrong variable is not printed.
 */
export function parseConfig(env: Record<string, string | undefined>, mode: ConfigMode = 'start'): ConfigResult {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  // A value still equal to .env.example's placeholder: say so, rather than "Slack refused the token".
  for (const [name, placeholder] of Object.entries(ENV_EXAMPLE_PLACEHOLDERS)) {
    if (mode === 'start' && env[name]?.trim() === placeholder) {
      problems.push(`${name}: is still the placeholder from .env.example (${placeholder}); set the real value`);
    }
  }
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      problems.push(`${name}: ${issue.message}`);
    }
  }
  if (mode === 'start') {
    if (!env.SLACK_BOT_TOKEN?.trim()) problems.push('SLACK_BOT_TOKEN: is required (the bot token, xoxb-…)');
    const socketMode = Boolean(env.SLACK_APP_TOKEN?.trim());
    if (!socketMode && !env.SLACK_SIGNING_SECRET?.trim()) {
      problems.push('SLACK_SIGNING_SECRET: is required in HTTP mode (set SLACK_APP_TOKEN for Socket Mode instead)');
    }
  }
  const postgresUrl = postgresUrlOf(env.DATABASE_URL);
  if (postgresUrl && 'problem' in postgresUrl) problems.push(`DATABASE_URL: ${postgresUrl.problem}`);
  const signer = parsed.success ? readSigningKey(parsed.data.AUDIT_SIGNING_KEY_FILE, problems) : undefined;
  if (!parsed.success || problems.length > 0) return { ok: false, problems: dedupe(problems) };
  const e = parsed.data;
  const provider = e.CARD_API_PROVIDER;
  return {
    ok: true,
    config: {
      slack: {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET,
        appToken: e.SLACK_APP_TOKEN,
        apiUrl: e.SLACK_API_URL,
      },
      port: e.PORT,
      healthPort: e.HEALTH_PORT === undefined || e.HEALTH_PORT < 0 ? undefined : e.HEALTH_PORT,
      metricsToken: e.METRICS_TOKEN,
      usergroupMaxStaleMs: e.USERGROUP_MAX_STALE,
      issuer: {
        provider,
        baseUrl: e.CARD_API_BASE_URL,
        apiKey: e.CARD_API_KEY,
        authHeader: e.CARD_API_AUTH_HEADER,
        timeoutMs: e.CARD_API_TIMEOUT_MS,
      },
      policyFile: e.POLICY_FILE,
      databasePath: e.DATABASE_PATH,
      database:
        postgresUrl && 'url' in postgresUrl
          ? { engine: 'postgres', url: postgresUrl.url }
          : { engine: 'sqlite', path: e.DATABASE_PATH },
      logLevel: e.LOG_LEVEL,
      audit: { signer, checkpointFile: e.AUDIT_CHECKPOINT_FILE },
    },
  };
}

/**
 * A `postgres://` or `postgresql://` DATABASE_URL, checked; undefined when the variable is unset or
 * names anything else (SQLite stays). A problem never quotes the value: it may hold a password.
 */
function postgresUrlOf(value: string | undefined): { url: string } | { problem: string } | undefined {
  const text = value?.trim();
  if (!text || !/^postgres(ql)?:\/\//i.test(text)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { problem: 'is not a valid URL (postgres://user:password@host:5432/database)' };
  }
  if (parsed.hostname === '') return { problem: 'names no host (postgres://user:password@host:5432/database)' };
  if (parsed.pathname.length <= 1)
    return { problem: 'names no database (postgres://user:password@host:5432/database)' };
  return { url: text };
}

/** A database URL safe to log: the password, if any, replaced. */
export function redactedDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}

/**
 * The checkpoint signing key: a PEM Ed25519 private key readable by its owner only (as ssh
 * requires of its keys). A problem is one line naming the variable; the key is never printed.
 */
function readSigningKey(path: string | undefined, problems: string[]): CheckpointSigner | undefined {
  if (path === undefined) return undefined;
  let pem: string;
  try {
    const mode = fs.statSync(path).mode;
    if ((mode & 0o077) !== 0) {
      problems.push(
        `AUDIT_SIGNING_KEY_FILE: ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      );
      return undefined;
    }
    pem = fs.readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(
      `AUDIT_SIGNING_KEY_FILE: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return undefined;
  }
  try {
    return createCheckpointSigner(pem);
  } catch (error) {
    problems.push(`AUDIT_SIGNING_KEY_FILE: ${path} ${(error as Error).message} (npm run audit:keygen writes one)`);
    return undefined;
  }
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}

/**
 * The only reader of process.env: merges `.env` (when present) under the real environment,
 * which wins, as dotenv does.
 */
export function readEnvironment(envFile = '.env'): Record<string, string | undefined> {
  const fromFile = fs.existsSync(envFile) ? dotenv.parse(fs.readFileSync(envFile)) : {};
  return { ...fromFile, ...process.env };
}
