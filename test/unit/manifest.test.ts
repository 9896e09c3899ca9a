/**
 * Checks manifest.yml against what the code and SPEC.md §2 rely on. The project has no YAML parser,
 * so this reads the file line by line: it understands the block style manifest.yml is written in
 * (two-space indentation, `key: value`, `- item` lists, full-line comments) and nothing fancier.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOT_SCOPES } from '../../src/slack/scopes';

interface Line {
  indent: number;
  text: string; // trimmed
}

const raw = readFileSync(join(__dirname, '..', '..', 'manifest.yml'), 'utf8');

/** Non-blank, non-comment lines with their indentation. */
const lines: Line[] = raw
  .split(/\r?\n/)
  .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
  .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));

const unquote = (s: string): string => s.trim().replace(/^(['"])(.*)\1$/, '$2');

/** The lines nested under `key:` (a key at the block's outermost indentation). */
function child(block: Line[], key: string): Line[] {
  const top = Math.min(...block.map((l) => l.indent));
  const at = block.findIndex((l) => l.indent === top && l.text === `${key}:`);
  if (at < 0) throw new Error(`manifest.yml: no "${key}:" here`);
  const out: Line[] = [];
  for (const l of block.slice(at + 1)) {
    if (l.indent <= top) break;
    out.push(l);
  }
  return out;
}

const path = (...keys: string[]): Line[] => keys.reduce(child, lines);

/** A `- item` list of scalars. */
function scalarList(block: Line[]): string[] {
  return block.map((l) => {
    const m = /^- (.+)$/.exec(l.text);
    if (!m) throw new Error(`manifest.yml: expected "- item", got "${l.text}"`);
    return unquote(m[1]!);
  });
}

/** A `- key: value` list of flat mappings. */
function mappingList(block: Line[]): Record<string, string>[] {
  const top = Math.min(...block.map((l) => l.indent));
  const items: Record<string, string>[] = [];
  for (const l of block) {
    let text = l.text;
    if (l.indent === top) {
      if (!text.startsWith('- ')) throw new Error(`manifest.yml: expected "- key: value", got "${text}"`);
      items.push({});
      text = text.slice(2);
    }
    const m = /^([A-Za-z_]+):\s*(.*)$/.exec(text);
    if (!m || items.length === 0) throw new Error(`manifest.yml: cannot read "${l.text}"`);
    items[items.length - 1]![m[1]!] = unquote(m[2]!);
  }
  return items;
}

/** `key: value` scalars directly under a block. */
function scalars(block: Line[]): Record<string, string> {
  const top = Math.min(...block.map((l) => l.indent));
  const out: Record<string, string> = {};
  for (const l of block) {
    const m = /^([A-Za-z_]+):\s*(.+)$/.exec(l.text);
    if (l.indent === top && m) out[m[1]!] = unquote(m[2]!);
  }
  return out;
}

describe('manifest.yml', () => {
  it('uses spaces, not tabs, for indentation', () => {
    expect(raw).not.toMatch(/^\t/m);
  });

  it('declares /incident and /postmortem with should_escape: true', () => {
    const commands = mappingList(path('features', 'slash_commands'));
    expect(commands.map((c) => c.command).sort()).toEqual(['/incident', '/postmortem']);
    for (const c of commands) {
      expect(c).toMatchObject({ should_escape: 'true', url: 'https://debrief.example.com/slack/events' });
      expect(c.description).toBeTruthy();
      expect(c.usage_hint).toBeTruthy();
    }
  });

  it('has the "Add to incident timeline" message shortcut with callback_id add_to_timeline', () => {
    const shortcuts = mappingList(path('features', 'shortcuts'));
    expect(shortcuts).toContainEqual(
      expect.objectContaining({ name: 'Add to incident timeline', type: 'message', callback_id: 'add_to_timeline' }),
    );
    // Slack limits a shortcut name to 24 characters.
    for (const s of shortcuts) expect(s.name!.length).toBeLessThanOrEqual(24);
  });

  it('asks for exactly the bot scopes the code uses', () => {
    expect(scalarList(path('oauth_config', 'scopes', 'bot'))).toEqual([
      'commands',
      'chat:write',
      'channels:manage',
      'groups:write',
      'channels:read',
      'groups:read',
      'channels:history',
      'groups:history',
      'channels:join',
      'reactions:read',
      'users:read',
      'files:write',
      'im:write',
    ]);
  });

  it('asks for the same bot scopes as the OAuth install (/slack/install)', () => {
    expect(scalarList(path('oauth_config', 'scopes', 'bot'))).toEqual([...BOT_SCOPES]);
  });

  it('subscribes to the events the app handles', () => {
    const events = scalarList(path('settings', 'event_subscriptions', 'bot_events'));
    for (const e of [
      'message.channels',
      'message.groups',
      'reaction_added',
      'reaction_removed',
      'app_home_opened',
      'app_uninstalled',
      'tokens_revoked',
    ]) {
      expect(events).toContain(e);
    }
  });

  it('enables the App Home tab, interactivity, and HTTP (not Socket Mode) delivery', () => {
    expect(scalars(path('features', 'app_home'))).toMatchObject({ home_tab_enabled: 'true' });
    expect(scalars(path('settings', 'interactivity'))).toMatchObject({ is_enabled: 'true' });
    expect(scalars(path('settings'))).toMatchObject({
      org_deploy_enabled: 'false',
      socket_mode_enabled: 'false',
      token_rotation_enabled: 'false',
    });
  });

  it('points every URL at /slack/events or /slack/oauth_redirect over HTTPS', () => {
    const urls = lines.flatMap((l) => l.text.match(/https?:\/\/[^\s'"]+/g) ?? []);
    expect(urls.length).toBeGreaterThanOrEqual(5); // 2 commands, events, interactivity, OAuth redirect
    for (const url of urls) {
      expect(url).toMatch(/^https:\/\/[^/]+\/slack\/(events|oauth_redirect)$/);
    }
    expect(scalarList(path('oauth_config', 'redirect_urls'))).toEqual([
      'https://debrief.example.com/slack/oauth_redirect',
    ]);
  });
});
