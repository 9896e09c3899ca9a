/**
 * The manifest promises only what the code keeps (SPEC 2): every slash command, shortcut and
 * subscribed event has a registered listener, and the bot scopes are the ones the OAuth install asks
 * for. (That the code uses every one of them is checked across the suite by the Slack stand-in.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import { parse } from 'yaml';
import type { SlackDeps } from '../../src/slack/deps';
import type { SlackInstallationStore } from '../../src/slack/installation-store';
import { registerListeners } from '../../src/slack/listeners';
import { BOT_SCOPES } from '../../src/slack/scopes';

interface Manifest {
  features: {
    app_home?: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean; messages_tab_read_only_enabled?: boolean };
    slash_commands: { command: string; url: string; should_escape: boolean; description: string; usage_hint: string }[];
    shortcuts: { name: string; type: string; callback_id: string }[];
  };
  oauth_config: { redirect_urls: string[]; scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
    org_deploy_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

const manifest = parse(readFileSync(join(__dirname, '..', '..', 'manifest.yml'), 'utf8')) as Manifest;

/**
 * What the app answers: the routes registerListeners mounts (every request goes through them), read
 * with an App that only records. Bolt itself is given no listener.
 */
function registered() {
  const middleware: Middleware<AnyMiddlewareArgs>[] = [];
  const noBoltListeners = () => {
    throw new Error('Debrief routes requests itself (src/slack/routes.ts); it registers no Bolt listener');
  };
  const recorder = {
    command: noBoltListeners,
    event: noBoltListeners,
    message: noBoltListeners,
    shortcut: noBoltListeners,
    action: noBoltListeners,
    view: noBoltListeners,
    options: noBoltListeners,
    use: (m: Middleware<AnyMiddlewareArgs>) => middleware.push(m),
  } as unknown as App;
  const routes = registerListeners(recorder, {} as SlackDeps, {} as SlackInstallationStore);
  const { commands, events, messageShortcuts } = routes.registered();
  expect(middleware).toHaveLength(1);
  return { commands, events, shortcuts: messageShortcuts };
}

/** `message.channels` and `message.groups` are both delivered as the `message` event. */
function eventName(subscription: string): string {
  return subscription.split('.')[0]!;
}

describe('manifest.yml', () => {
  const listeners = registered();

  it('declares exactly the slash commands the app handles, with should_escape: true', () => {
    const commands = manifest.features.slash_commands;
    expect(commands.map((c) => c.command).sort()).toEqual([...listeners.commands].sort());
    for (const c of commands) {
      expect(c).toMatchObject({ should_escape: true, url: 'https://debrief.example.com/slack/events' });
      expect(c.description).toBeTruthy();
      expect(c.usage_hint).toBeTruthy();
    }
  });

  it('declares only shortcuts the app handles, named within Slack’s 24 characters', () => {
    const shortcuts = manifest.features.shortcuts;
    expect(shortcuts.map((s) => s.callback_id).sort()).toEqual([...listeners.shortcuts].sort());
    expect(shortcuts).toContainEqual(
      expect.objectContaining({ name: 'Add to incident timeline', type: 'message', callback_id: 'add_to_timeline' }),
    );
    for (const s of shortcuts) expect(s.name.length).toBeLessThanOrEqual(24);
  });

  it('subscribes only to events the app has a listener for, and to every one it listens for', () => {
    const subscribed = new Set(manifest.settings.event_subscriptions.bot_events.map(eventName));
    expect([...subscribed].sort()).toEqual([...listeners.events].sort());
  });

  it('asks for the same bot scopes as the OAuth install (/slack/install)', () => {
    expect(manifest.oauth_config.scopes.bot).toEqual([...BOT_SCOPES]);
  });

  it('enables the Home tab, which app_home_opened publishes, and a read-only Messages tab for the digest DMs', () => {
    expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
    // The bot's DMs live in the Messages tab; nothing handles message.im, so people cannot write there.
    expect(manifest.features.app_home).toMatchObject({
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: true,
    });
    expect(manifest.settings.event_subscriptions.bot_events).not.toContain('message.im');
    expect(listeners.events).toContain('app_home_opened');
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_home_opened');
  });

  it('enables interactivity and HTTP (not Socket Mode) delivery', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings).toMatchObject({
      org_deploy_enabled: false,
      socket_mode_enabled: false,
      token_rotation_enabled: false,
    });
  });

  it('points every URL at /slack/events or /slack/oauth_redirect over HTTPS', () => {
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.oauth_config.redirect_urls,
    ];
    for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/(events|oauth_redirect)$/);
    expect(manifest.oauth_config.redirect_urls).toEqual(['https://debrief.example.com/slack/oauth_redirect']);
  });
});
