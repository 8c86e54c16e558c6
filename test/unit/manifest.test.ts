import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Document, parse, parseDocument } from 'yaml';
import { z } from 'zod';

const repoRoot = new URL('../../', import.meta.url);
/** Slack's schema for manifest version 1, copied into the repository with its licence (see its README). */
const SCHEMA_PATH = fileURLToPath(new URL('test/fixtures/slack/manifest.schema.1.0.0.json', repoRoot));
const MANIFEST_PATH = fileURLToPath(new URL('manifest.yml', repoRoot));

/** The bot scopes the code calls for: slash commands, posts and updates, user groups, the DM, the CSV upload, reading checkpoints back, names in exports. */
const REQUIRED_BOT_SCOPES = [
  'commands',
  'chat:write',
  'usergroups:read',
  'im:write',
  'files:write',
  'channels:history',
  'users:read',
];
const EVENTS_URL = 'https://cardops.example.com/slack/events';

/** Just the parts of the manifest the bot relies on, read without casts. */
const manifestShape = z.object({
  display_information: z.object({ name: z.string() }),
  features: z.object({
    app_home: z.object({ home_tab_enabled: z.boolean(), messages_tab_enabled: z.boolean() }),
    bot_user: z.object({ display_name: z.string() }),
    slash_commands: z.array(
      z.object({ command: z.string(), url: z.string(), usage_hint: z.string(), should_escape: z.boolean() }),
    ),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    interactivity: z.object({ is_enabled: z.boolean(), request_url: z.string() }),
    event_subscriptions: z.object({ request_url: z.string(), bot_events: z.array(z.string()) }),
    socket_mode_enabled: z.boolean(),
  }),
});

const loadManifest = (): unknown => parse(readFileSync(MANIFEST_PATH, 'utf8'));

describe('manifest.yml', () => {
  let validate: ValidateFunction;

  beforeAll(() => {
    const schema = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
    // The schema is draft-07, which the default Ajv class speaks.
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    // strict: false for the schema's own keywords (regex, _note, requires); its one format, uri,
    // is checked here rather than by adding ajv-formats.
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('uri', (value: string) => URL.canParse(value));
    validate = ajv.compile(schema);
  });

  function errorsOf(manifest: unknown): string {
    return validate(manifest) ? '' : JSON.stringify(validate.errors, null, 2);
  }

  it("when validated against Slack's manifest schema, then it is valid", () => {
    expect(errorsOf(loadManifest())).toBe('');
  });

  it('when read, then it declares both commands, interactivity, the Home tab, the event and the scopes the code needs', () => {
    const manifest = manifestShape.parse(loadManifest());
    expect(manifest.display_information.name).toBe('cardops');
    expect(manifest.features.bot_user.display_name).toBe('cardops');
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/card', '/card-audit']);
    for (const command of manifest.features.slash_commands) {
      expect(command.should_escape).toBe(true);
      expect(command.url).toBe(EVENTS_URL);
    }
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: EVENTS_URL });
    expect(manifest.settings.event_subscriptions.request_url).toBe(EVENTS_URL);
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_home_opened');
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(REQUIRED_BOT_SCOPES));
    // The bot only posts where it was invited.
    expect(manifest.oauth_config.scopes.bot).not.toContain('chat:write.public');
  });

  it('when a field is broken, then the schema check fails, so the first test can fail', () => {
    /** The manifest with one edit, made through the YAML document so the rest stays as written. */
    const edited = (edit: (doc: Document) => void): unknown => {
      const doc = parseDocument(readFileSync(MANIFEST_PATH, 'utf8'));
      edit(doc);
      return doc.toJS();
    };
    expect(errorsOf(edited((doc) => doc.deleteIn(['features', 'slash_commands', 0, 'description'])))).toContain(
      "must have required property 'description'",
    );
    expect(errorsOf(edited((doc) => doc.setIn(['oauth_config', 'scopes', 'bot'], 'commands,chat:write')))).toContain(
      '/oauth_config/scopes/bot',
    );
    expect(errorsOf(edited((doc) => doc.setIn(['features', 'slash_commands', 0, 'command'], 'card')))).toContain(
      '/features/slash_commands/0/command',
    );
    expect(errorsOf(edited((doc) => doc.setIn(['display_information', 'description'], 'x'.repeat(141))))).toContain(
      '/display_information/description',
    );
  });
});
