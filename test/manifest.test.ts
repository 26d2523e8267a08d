import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Slack's official v1 manifest schema (slackapi/manifest-schema @ c50cfa8, MIT), kept beside the tests.
const schema = JSON.parse(readFileSync('test/fixtures/slack/manifest.schema.1.0.0.json', 'utf8'));
const manifest = parse(readFileSync('manifest.yml', 'utf8'));

describe('manifest.yml', () => {
  it("is valid against Slack's official schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(manifest), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('declares /finetune with a usage hint, interactivity, Socket Mode and the Home tab', () => {
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({ command: '/finetune', usage_hint: expect.stringContaining('advise') }),
    ]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
  });

  it('asks only for the scopes the features use, each with its reason in the README', () => {
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    expect(scopes).toEqual([
      'commands',
      'chat:write',
      'chat:write.public',
      'files:read',
      'files:write',
      'channels:history',
      'channels:join',
      'groups:history',
      'im:history',
      'im:write',
    ]);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
    const readme = readFileSync('README.md', 'utf8');
    const scopeRows = readme.split('\n').filter((line) => line.startsWith('| `'));
    for (const scope of scopes) {
      const row = scopeRows.find((line) => line.startsWith(`| \`${scope}\` `));
      expect(row, `README explains the ${scope} scope`).toMatch(/\|\s+\S.{20,}\|$/);
    }
  });
});
