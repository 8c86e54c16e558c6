import { describe, expect, it } from 'vitest';
import { LEAK_FLOWS } from '../helpers/leak-flows.js';
import { expectSecretsWereShown, runLeakScenario } from '../helpers/leak-harness.js';
import { describeHits } from '../helpers/leak-scan.js';

/*
 * The leak proof (issue 4, point 5): every flow of the bot, success and failure, runs with planted
 * secrets and credentials, at info and at debug (where Bolt and the Web API client print request
 * and ack bodies), and every output is searched: log output, the SQLite files (-wal and -shm
 * included), acks, Web API calls, response_url posts other than ephemeral answers to the asker,
 * modals, Home tabs and uploads. Credentials are searched in the ephemeral answers too.
 */
describe.each(['sovera', 'paycaddy'] as const)('leak proof (%s)', (provider) => {
  it.each(['info', 'debug'] as const)(
    'when every flow runs at LOG_LEVEL=%s, then no planted secret is found outside ephemeral answers to the asker',
    async (logLevel) => {
      const report = await runLeakScenario({ provider, logLevel, flows: LEAK_FLOWS });
      expect(describeHits(report.hits)).toBe('');
      expect(describeHits(report.stillShown)).toBe('');
      expectSecretsWereShown(report);
      // The bodies that path redaction cannot reach were really printed, and so really searched.
      if (logLevel === 'debug') {
        expect(report.logText).toContain('http request body');
        expect(report.logText).toContain('ack() response sent');
      }
    },
    120_000,
  );
});

describe('the leak search itself', () => {
  const reveals = LEAK_FLOWS.filter((flow) => flow.name.startsWith('reveals of PAN'));

  it.each([
    ['log', /CVV in log output/],
    ['audit', /CVV in database (file|table)/],
    ['web-api', /CVV in Web API call #\d+ chat\.postMessage/],
  ] as const)(
    'when a CVV is deliberately leaked into the %s, then the leak proof finds it',
    async (injectLeak, where) => {
      const report = await runLeakScenario({ provider: 'sovera', logLevel: 'debug', flows: reveals, injectLeak });
      expect(describeHits(report.hits)).toMatch(where);
    },
    60_000,
  );
});
