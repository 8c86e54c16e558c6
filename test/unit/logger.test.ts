import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createLogger, createSlackLogger, maskDigitRun, scrubText } from '../../src/logger.js';

function memoryLogger(level: 'info' | 'debug', issuerAuthHeader?: string) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level, destination, ...(issuerAuthHeader ? { issuerAuthHeader } : {}) });
  return { logger, output: () => chunks.join('') };
}

const PAN = '4929871234560986';
const SECRETS = {
  pan: PAN,
  cvv: '913',
  pin: '8642',
  expDate: '07/31',
  dueDate: 731,
  token: 'xoxb-111-222-PLANTEDTOKEN',
  apiKey: 'issuer-key-PLANTED',
  response_url: 'https://hooks.slack.com/commands/T1/2/PLANTEDURL',
  trigger_id: '123.456.PLANTEDTRIGGER',
};

describe('log redaction', () => {
  it('when secret-bearing fields are logged at any depth, then their values never reach the output', () => {
    const { logger, output } = memoryLogger('debug', 'X-Issuer-Secret');
    logger.info(SECRETS, 'top level');
    logger.info({ result: SECRETS }, 'one level down');
    logger.info({ call: { answer: SECRETS } }, 'two levels down');
    logger.info({ headers: { 'X-API-KEY': 'issuer-key-PLANTED', 'x-issuer-secret': 'issuer-key-PLANTED' } }, 'headers');
    logger.info({ config: { headers: { Authorization: 'Bearer xoxb-111-222-PLANTEDTOKEN' } } }, 'axios config');
    const text = output();
    for (const value of ['4929871234560986', '913', '8642', '07/31', '731', 'PLANTED']) {
      expect(text).not.toContain(value);
    }
    expect(text).toContain('[redacted]');
  });

  it('when an error carrying a request body is logged, then only its code and safe message appear', () => {
    const { logger, output } = memoryLogger('info');
    const raw = Object.assign(new Error(`request failed for card ${PAN}`), {
      config: { data: JSON.stringify({ pin: '8642' }), headers: { 'X-API-KEY': 'issuer-key-PLANTED' } },
      response: { data: { pan: PAN, cvv: '913' } },
    });
    logger.error({ err: raw }, 'issuer call failed');
    logger.error({ err: new AppError('ISSUER_FAILURE', 'issuer sovera (pan): HTTP 500', { traceId: 'tr-1' }) }, 'x');
    const text = output();
    expect(text).not.toContain(PAN);
    expect(text).not.toContain('8642');
    expect(text).not.toContain('PLANTED');
    expect(text).toContain('492987******0986');
    expect(text).toContain('tr-1');
  });

  it('when Bolt logs a request body as a string at debug, then tokens, URLs, trigger ids and card numbers are scrubbed', () => {
    const { logger, output } = memoryLogger('debug');
    const slack = createSlackLogger(logger);
    slack.debug(
      `http request body: {"trigger_id":"123.456.PLANTEDTRIGGER","token":"xoxb-111-222-PLANTEDTOKEN","text":"card ${PAN}","response_url":"http://127.0.0.1:9/commands/PLANTEDURL"}`,
    );
    slack.debug('form: response_url=https%3A%2F%2Fhooks.slack.com%2FPLANTEDURL&trigger_id=PLANTEDTRIGGER');
    const text = output();
    expect(text).not.toContain('PLANTED');
    expect(text).not.toContain(PAN);
  });

  it('when Bolt asks to change the level, then LOG_LEVEL still rules', () => {
    const { logger, output } = memoryLogger('info');
    const slack = createSlackLogger(logger);
    slack.setLevel('debug' as never);
    slack.debug('should not appear');
    expect(output()).toBe('');
  });

  it('when free text holds a card-number-like run, then it is masked to first 6 and last 4', () => {
    expect(scrubText(`pan 4929 8712 3456 0986 lost`)).toBe('pan 492987******0986 lost');
    expect(maskDigitRun('4929871234560986')).toBe('492987******0986');
    expect(scrubText('order 123456789012 is fine')).toBe('order 123456789012 is fine');
  });
});

describe('what the Slack SDKs print', () => {
  it('when Socket Mode prints an incoming modal submission at debug, then the typed values are not logged', () => {
    const { logger, output } = memoryLogger('debug');
    const slack = createSlackLogger(logger, 'socket-mode');
    const payload = JSON.stringify({
      type: 'view_submission',
      view: { state: { values: { new_pin: { new_pin: { type: 'plain_text_input', value: '8642' } } } } },
    });
    slack.debug(`Received a message on the WebSocket: ${payload}`);
    slack.debug(
      `http request body: {"view":{"state":{"values":{"last4":{"last4":{"value":"0986"}},"cvv":{"cvv":{"value":"913"}}}}}}`,
    );
    const text = output();
    expect(text).not.toContain('8642');
    expect(text).not.toContain('0986');
    expect(text).not.toContain('913');
    expect(text).toContain('content not logged');
  });

  it('when a card number is glued to letters or split by dots, then it is still masked', () => {
    expect(scrubText('holder gave PAN4929871234560986 ok')).toBe('holder gave PAN492987******0986 ok');
    expect(scrubText('4929.8712.3456.0986')).toBe('492987******0986');
    expect(scrubText('ref_4929871234560986')).toBe('ref_492987******0986');
  });
});
