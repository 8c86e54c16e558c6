import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const UNIT = path.join(ROOT, 'deploy/cardops.service');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('deployment files', () => {
  it.skipIf(!hasSystemdAnalyze)(
    'when systemd-analyze verifies the unit, then it finds nothing to say (skipped where systemd-analyze is missing: apt-get install systemd)',
    () => {
      const result = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
      expect(result.status).toBe(0);
      expect(result.stderr.trim()).toBe('');
    },
  );

  it('when the unit is read, then node runs directly, hardened, with only the data folder writable and restarts on failure', () => {
    const unit = fs.readFileSync(UNIT, 'utf8');
    const settings = new Map(
      unit
        .split('\n')
        .filter((line) => /^[A-Za-z]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(settings.get('ExecStart')).toMatch(/\/node dist\/main\.js$/);
    expect(settings.get('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(settings.get('NoNewPrivileges')).toBe('yes');
    expect(settings.get('ProtectSystem')).toBe('strict');
    expect(settings.get('ReadWritePaths')).toBe('/var/lib/cardops');
    expect(settings.get('Restart')).toBe('on-failure');
    expect(settings.get('User')).toBe('cardops');
  });

  it('when the Dockerfile is read, then it builds in a separate stage and runs node as a non-root user with a health check and a data volume', () => {
    const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(text.match(/^FROM /gm)).toHaveLength(2);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(text).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(text).toMatch(/DATABASE_PATH=\/data\/cardops\.db/);
  });
});
