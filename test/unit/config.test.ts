import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig, STANDALONE_SANDBOX_URL } from '../../src/config.js';

const run = promisify(execFile);
const HTTP_ENV = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'shh-planted-secret' };

describe('configuration', () => {
  it('when nothing but the Slack credentials is set, then the documented defaults apply', () => {
    const result = parseConfig(HTTP_ENV);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.port).toBe(3000);
    expect(result.config.issuer).toMatchObject({ provider: 'sandbox', authHeader: 'X-API-KEY', timeoutMs: 10_000 });
    expect(result.config.policyFile).toBe('./policy.yml');
    expect(result.config.databasePath).toBe('./data/cardops.db');
    expect(result.config.logLevel).toBe('info');
  });

  it('when DATABASE_URL is postgres://, then PostgreSQL is chosen; anything else keeps SQLite at DATABASE_PATH', () => {
    const pg = parseConfig({
      ...HTTP_ENV,
      DATABASE_URL: 'postgres://bot:pw@db.internal:5432/cardops',
      DATABASE_PATH: 'x.db',
    });
    expect(pg.ok && pg.config.database).toEqual({
      engine: 'postgres',
      url: 'postgres://bot:pw@db.internal:5432/cardops',
    });
    const other = parseConfig({ ...HTTP_ENV, DATABASE_URL: 'mysql://db/cardops', DATABASE_PATH: 'x.db' });
    expect(other.ok && other.config.database).toEqual({ engine: 'sqlite', path: 'x.db' });
    expect(
      parseConfig(HTTP_ENV).ok && (parseConfig(HTTP_ENV) as { config: { database: unknown } }).config.database,
    ).toEqual({
      engine: 'sqlite',
      path: './data/cardops.db',
    });
  });

  it('when a postgres DATABASE_URL names no database, then one line says so without printing its password', () => {
    const result = parseConfig({ ...HTTP_ENV, DATABASE_URL: 'postgres://bot:planted-pw@db.internal:5432' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(['DATABASE_URL: names no database (postgres://user:password@host:5432/database)']);
    expect(result.problems.join('\n')).not.toContain('planted-pw');
  });

  it('when the provider is paycaddy without a key, then exactly one line names CARD_API_KEY', () => {
    const result = parseConfig({
      ...HTTP_ENV,
      CARD_API_PROVIDER: 'paycaddy',
      CARD_API_BASE_URL: 'https://issuer.test',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^CARD_API_KEY: /);
  });

  it('when the provider is misspelt, then the line lists the allowed values', () => {
    const result = parseConfig({ ...HTTP_ENV, CARD_API_PROVIDER: 'sovereign' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(['CARD_API_PROVIDER: must be one of sovera, paycaddy, sandbox']);
  });

  it('when a real provider has a key but no URL, then it is refused: there is no safe default for a real issuer', () => {
    const result = parseConfig({ ...HTTP_ENV, CARD_API_PROVIDER: 'sovera', CARD_API_KEY: 'k' });
    expect(result.ok || result.problems).toEqual([
      expect.stringMatching(
        new RegExp(`^CARD_API_BASE_URL: is required when CARD_API_PROVIDER is sovera.*${STANDALONE_SANDBOX_URL}`),
      ),
    ]);
  });

  it.each([
    ['http://issuer.example.com/api', false],
    ['http://10.1.2.3:8080', false],
    ['http://127.0.0.1:4010', true],
    ['http://localhost:4010', true],
    ['http://[::1]:4010', true],
    ['https://cards.issuer.test', true],
  ])('when the issuer URL is %s, then it is accepted: %s', (url, accepted) => {
    const result = parseConfig({ ...HTTP_ENV, CARD_API_PROVIDER: 'sovera', CARD_API_KEY: 'k', CARD_API_BASE_URL: url });
    expect(result.ok || result.problems).toEqual(
      accepted ? true : [expect.stringMatching(/^CARD_API_BASE_URL: must be https:\/\/ unless the host is loopback/)],
    );
  });

  it('when CARD_API_ALLOW_INSECURE=1, then a plain-http issuer on the network is allowed (a test rig)', () => {
    const env = { ...HTTP_ENV, CARD_API_PROVIDER: 'sovera', CARD_API_KEY: 'k', CARD_API_BASE_URL: 'http://rig:80' };
    expect(parseConfig({ ...env, CARD_API_ALLOW_INSECURE: '1' }).ok).toBe(true);
    expect(parseConfig({ ...env, CARD_API_ALLOW_INSECURE: 'yes' }).ok).toBe(false);
  });

  it('when .env.example placeholders are left in, then each is named as a placeholder', () => {
    const result = parseConfig({
      SLACK_BOT_TOKEN: 'xoxb-your-bot-token',
      SLACK_SIGNING_SECRET: 'your-signing-secret',
      CARD_API_PROVIDER: 'sovera',
      CARD_API_KEY: 'your-issuer-api-key',
      CARD_API_BASE_URL: 'https://issuer.example.com',
    });
    expect(result.ok || result.problems).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN: is still the placeholder from \.env\.example/),
      expect.stringMatching(/^SLACK_SIGNING_SECRET: is still the placeholder/),
      expect.stringMatching(/^CARD_API_BASE_URL: is still the placeholder/),
      expect.stringMatching(/^CARD_API_KEY: is still the placeholder/),
    ]);
    // The offline shell does not use them: no complaint there.
    expect(parseConfig({ SLACK_BOT_TOKEN: 'xoxb-your-bot-token' }, 'offline').ok).toBe(true);
  });

  it('when USERGROUP_MAX_STALE, HEALTH_PORT and METRICS_TOKEN are set, then they are read; a bad duration is refused', () => {
    const result = parseConfig({ ...HTTP_ENV, USERGROUP_MAX_STALE: '2m', HEALTH_PORT: '9091', METRICS_TOKEN: 't' });
    expect(
      result.ok && [result.config.usergroupMaxStaleMs, result.config.healthPort, result.config.metricsToken],
    ).toEqual([120_000, 9091, 't']);
    const defaults = parseConfig(HTTP_ENV);
    expect(defaults.ok && [defaults.config.usergroupMaxStaleMs, defaults.config.healthPort]).toEqual([
      900_000,
      undefined,
    ]);
    expect(parseConfig({ ...HTTP_ENV, USERGROUP_MAX_STALE: 'soon' }).ok || 'refused').toBe('refused');
  });

  it('when several values are wrong, then each gets its own line and no value is echoed', () => {
    const result = parseConfig({
      SLACK_BOT_TOKEN: 'xoxp-planted-user-token',
      SLACK_APP_TOKEN: 'planted-app-token',
      PORT: 'eighty',
      CARD_API_TIMEOUT_MS: '5',
      CARD_API_BASE_URL: 'ftp://planted.example',
      LOG_LEVEL: 'loud',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const names = result.problems.map((line) => line.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN',
        'SLACK_APP_TOKEN',
        'PORT',
        'CARD_API_TIMEOUT_MS',
        'CARD_API_BASE_URL',
        'LOG_LEVEL',
      ]),
    );
    const all = result.problems.join('\n');
    expect(all).not.toContain('planted');
    expect(all).not.toContain('eighty');
  });

  it('when HTTP mode lacks the signing secret, then it says so; with an app token it is not needed', () => {
    const http = parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(http.ok || http.problems).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET: /)]);
    expect(parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).ok).toBe(true);
  });

  it('when npm start runs with a bad configuration, then it exits 2 with one line per problem and no stack trace', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const error = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: 'xoxb-planted',
        SLACK_SIGNING_SECRET: 'planted-secret',
        CARD_API_PROVIDER: 'paycaddy',
        CARD_API_BASE_URL: 'https://issuer.test',
      },
      timeout: 20_000,
    }).catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect('code' in error && error.code).toBe(2);
    const stderr = 'stderr' in error ? error.stderr : '';
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cardops: CARD_API_KEY: is required/)]);
    expect(stderr).not.toContain('planted');
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
