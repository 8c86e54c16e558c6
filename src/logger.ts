import { type Logger as SlackLogger, LogLevel as SlackLogLevel } from '@slack/logger';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';
import { maskCardData } from './domain/cards/card-numbers.js';

export type { Logger } from 'pino';

const SECRET_KEYS = [
  'pan',
  'cvv',
  'pin',
  'newPin',
  'expDate',
  'dueDate',
  'expiry',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'apiKey',
  'authorization',
  'Authorization',
  'x-api-key',
  'X-API-KEY',
  'response_url',
  'responseUrl',
  'response_urls',
  'trigger_id',
  'triggerId',
];

/**
 * Redaction paths: each secret-bearing key at the top, one and two levels down, and inside
 * the headers of an HTTP request or response. The configured issuer header is added at run time.
 */
export function redactPaths(extraKeys: string[] = []): string[] {
  const keys = [...new Set([...SECRET_KEYS, ...extraKeys, ...extraKeys.map((k) => k.toLowerCase())])];
  const paths: string[] = [];
  for (const key of keys) {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (k.startsWith('[') ? `${prefix}${k}` : `${prefix}.${k}`);
    paths.push(k, join('*'), join('*.*'), join('headers'), join('*.headers'), join('config.headers'));
  }
  return paths;
}

/**
 * Masks secrets inside free text: strings are beyond the reach of path redaction, and Bolt and
 * the Web API client log request bodies as strings at `debug`.
 */
export function scrubText(text: string): string {
  const scrubbed = text
    // Slack tokens and app-level tokens
    .replace(/\bx(?:ox[abposr]|app)-[A-Za-z0-9-]+/g, '[token]')
    // response_url / trigger_id / token values in JSON, form or query syntax
    .replace(
      /("?(?:response_url|trigger_id|token|pin|cvv|pan|expDate|dueDate)"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^&\s,}]+)/gi,
      '$1"[redacted]"',
    )
    // Slack response URLs wherever they appear
    .replace(/https?:\/\/hooks\.slack\.com\/[^\s"'&]+/g, '[response_url]')
    // 13–19 digit runs, with or without spaces, dots or dashes between groups: card-number-like. Also when
    // glued to letters ("card4929…") or longer (PANs pasted back to back): those become [number].
    .replace(/\d(?:[ .-]?\d){12,}/g, (run) => (run.replace(/\D/g, '').length <= 19 ? maskDigitRun(run) : '[number]'));
  // Then card numbers in every other form (full-width digits, zero-width characters, `_` or `/`
  // between groups) and `cvv 913`-like fragments.
  return maskCardData(scrubbed).text;
}

/** Lines in which the Slack SDKs print a whole incoming payload. */
const SLACK_PAYLOAD_DUMPS = ['Received a message on the WebSocket', 'Unable to parse an incoming WebSocket message'];

/**
 * What the Slack SDKs print, scrubbed: on top of scrubText, every `value` field (what people
 * typed into modal inputs) is blanked, as its key names no secret by itself.
 */
export function scrubSlackText(text: string): string {
  return scrubText(text).replace(/("value"\s*:\s*)("(?:[^"\\]|\\.)*")/g, '$1"[redacted]"');
}

/** Keeps the first 6 and last 4 digits of a card-number-like run, as card schemes allow. */
export function maskDigitRun(run: string): string {
  const digits = run.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return run;
  return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}

export interface LoggerOptions {
  level: LogLevel;
  /** The header that carries the issuer key, when configured otherwise than X-API-KEY. */
  issuerAuthHeader?: string;
  destination?: DestinationStream;
}

/** The process logger: JSON lines on stdout (or the given stream), secrets redacted by path. */
export function createLogger(options: LoggerOptions): Logger {
  const extra = options.issuerAuthHeader ? [options.issuerAuthHeader] : [];
  return pino(
    {
      level: options.level,
      base: { app: 'cardops' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths(extra), censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      hooks: {
        // Interpolated message strings are scrubbed too.
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

/** Errors are logged by code, message and trace id only: never request bodies or raw answers. */
export function serializeError(error: unknown): Record<string, unknown> {
  if (error && typeof error === 'object' && 'toJSON' in error && typeof error.toJSON === 'function') {
    return error.toJSON() as Record<string, unknown>;
  }
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return {
      name: error.name,
      message: scrubText(error.message),
      ...(typeof code === 'string' ? { code } : {}),
      stack: error.stack ? scrubText(error.stack) : undefined,
    };
  }
  return { message: scrubText(String(error)) };
}

const toPino: Record<SlackLogLevel, LogLevel> = {
  [SlackLogLevel.ERROR]: 'error',
  [SlackLogLevel.WARN]: 'warn',
  [SlackLogLevel.INFO]: 'info',
  [SlackLogLevel.DEBUG]: 'debug',
};

/** The Slack log level matching a pino level, for Bolt's `logLevel` option. */
export function slackLogLevel(level: LogLevel): SlackLogLevel {
  if (level === 'debug' || level === 'trace') return SlackLogLevel.DEBUG;
  if (level === 'info') return SlackLogLevel.INFO;
  if (level === 'warn') return SlackLogLevel.WARN;
  return SlackLogLevel.ERROR;
}

function formatArgs(args: unknown[]): string {
  return args
    .map((arg) => {
      if (typeof arg === 'string') return arg;
      if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
      try {
        return JSON.stringify(arg);
      } catch {
        return String(arg);
      }
    })
    .join(' ');
}

/**
 * Bolt's and the Web API client's Logger, writing through the process pino. Everything they
 * print is flattened to text and scrubbed: at `debug` they print request and ack bodies.
 * `setLevel` is ignored so Bolt cannot override LOG_LEVEL.
 */
export function createSlackLogger(logger: Logger, name = 'slack'): SlackLogger {
  let child = logger.child({ component: name });
  const write =
    (level: SlackLogLevel) =>
    (...args: unknown[]) => {
      const pinoLevel = toPino[level];
      if (!child.isLevelEnabled(pinoLevel)) return;
      const text = formatArgs(args);
      // Socket Mode prints every incoming payload whole: modal values typed by people (a new
      // PIN, a CVV read out by a cardholder) would be in it. Such lines are not kept at all.
      if (SLACK_PAYLOAD_DUMPS.some((prefix) => text.startsWith(prefix))) {
        child[pinoLevel]('Socket Mode payload received (content not logged)');
        return;
      }
      child[pinoLevel](scrubSlackText(text));
    };
  return {
    debug: write(SlackLogLevel.DEBUG),
    info: write(SlackLogLevel.INFO),
    warn: write(SlackLogLevel.WARN),
    error: write(SlackLogLevel.ERROR),
    setLevel: () => {},
    getLevel: () => slackLogLevel(logger.level as LogLevel),
    setName: (newName: string) => {
      child = logger.child({ component: newName });
    },
  };
}
