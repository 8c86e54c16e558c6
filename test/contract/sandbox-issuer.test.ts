import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxIssuer } from '../../src/adapters/issuer/create-issuer.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';

describe('the client used in sandbox mode', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => sandbox?.close());

  it('when it blocks and reads and sets limits, then it speaks Sovera for cards and PayCaddy for limits', async () => {
    sandbox = await startSandbox();
    const issuer = createSandboxIssuer({
      baseUrl: sandbox.url,
      apiKey: undefined,
      authHeader: 'X-API-KEY',
      timeoutMs: 2_000,
    });
    const blocked = await issuer.block('card-active-1');
    expect(blocked).toMatchObject({ cardId: 'card-active-1', isActive: false });
    expect(blocked.traceId).toBeTruthy();
    expect(await issuer.setLimit('card-active-1', 900)).toMatchObject({ limit: 900 });
    expect(await issuer.limit('card-active-1')).toMatchObject({ limit: 900 });
    expect(sandbox.calls.map((c) => [c.dialect, c.op])).toEqual([
      ['sovera', 'block'],
      ['paycaddy', 'set-limit'],
      ['paycaddy', 'limit'],
    ]);
  });
});
