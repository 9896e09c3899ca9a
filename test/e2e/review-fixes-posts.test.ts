/**
 * Issue 12, what the bot posts: user text never pings a crowd (`<!channel>`, `<!here>`, `<!everyone>`,
 * user groups), and a private incident's title never appears where it was declared from.
 */

import type { CommandResult } from '../kit/simulated-workspace';
import { viewSubmissionBody } from '../kit/slack-requests';
import { databaseKinds } from '../support/database';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';

const NOW = new Date('2026-11-20T20:00:00Z');

/** Slack's broadcast and user-group tokens, as Slack parses them in a message's text and blocks. */
const CROWD_PING = /<!(?:channel|here|everyone)(?:\|[^>]*)?>|<!subteam\^[^>]*>/;
const PINGS = '<!channel> <!here> <!everyone> <!subteam^S123|@oncall>';

/**
 * What Slack parses for mentions in blocks: mrkdwn text objects (and rich text's broadcast and user
 * group elements). plain_text (headers, labels) is shown literally and never notifies.
 */
function parsedBlockText(blocks: unknown): string {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const object = node as Record<string, unknown>;
    if (object.type === 'mrkdwn' && typeof object.text === 'string') found.push(object.text);
    if (object.type === 'broadcast' || object.type === 'usergroup')
      found.push(`<!${String(object.range ?? 'subteam^')}>`);
    for (const value of Object.values(object)) walk(value);
  };
  walk(blocks);
  return found.join('\n');
}

interface Post {
  via: string;
  channel?: string;
  text: string;
  blocks: string;
  responseType?: string;
}

/** Every message the bot sent since `from` (calls and response URLs), and the given command answers. */
function postsSince(h: Harness, from: { calls: number; responses: number }, answers: CommandResult[] = []): Post[] {
  const calls = h.slack.calls
    .slice(from.calls)
    .filter((call) => call.method.startsWith('chat.'))
    .map((call) => ({
      via: call.method,
      channel: String(call.args.channel ?? ''),
      text: String(call.args.text ?? ''),
      blocks: parsedBlockText(call.args.blocks ?? []),
    }));
  const responses = h.slack.responses.slice(from.responses).map((post) => {
    const body = (post.body ?? {}) as { text?: string; blocks?: unknown; response_type?: string };
    return {
      via: 'response_url',
      text: String(body.text ?? ''),
      blocks: parsedBlockText(body.blocks ?? []),
      ...(body.response_type !== undefined && { responseType: body.response_type }),
    };
  });
  const acks = answers.map((answer) => ({
    via: 'command answer',
    text: String(answer.answer.text ?? ''),
    blocks: parsedBlockText(answer.answer.blocks ?? []),
    ...(answer.answer.response_type !== undefined && { responseType: answer.answer.response_type }),
  }));
  return [...calls, ...responses, ...acks];
}

const mark = (h: Harness) => ({ calls: h.slack.calls.length, responses: h.slack.responses.length });

describe.each(databaseKinds())('issue 12: what the bot posts (%s database)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, NOW);
  });
  afterAll(async () => h.stop());

  test('broadcasts and user-group mentions typed in a title, a status and a resolve summary never reach a bot post raw', async () => {
    const from = mark(h);
    const answers: CommandResult[] = [];
    answers.push(await h.command(PEOPLE.alice.id, GENERAL, `start sev2 Ledger down ${PINGS}`));
    const channelId = h.slack.channelIdByName('inc-20261120-ledger-down-channel-here-everyone-subteam-s123-oncall');
    expect(channelId).toBeDefined();
    answers.push(await h.command(PEOPLE.alice.id, channelId!, `status rollback at 40% ${PINGS}`));
    answers.push(await h.command(PEOPLE.alice.id, channelId!, `resolve rolled back ${PINGS}`));
    // `--here` answers with the card in the channel itself.
    const ops = h.slack.addChannel({ name: 'ops', members: [PEOPLE.alice.id, PEOPLE.bob.id] });
    answers.push(await h.command(PEOPLE.alice.id, ops, `start --here sev3 Queue stuck ${PINGS}`));
    answers.push(await h.command(PEOPLE.bob.id, ops, `status draining ${PINGS}`));
    answers.push(await h.command(PEOPLE.bob.id, ops, `resolve --false-alarm ${PINGS}`));

    const posts = postsSince(h, from, answers);
    // The user text did reach these posts, in words.
    const all = posts.map((p) => `${p.text} ${p.blocks}`).join('\n');
    for (const words of ['Ledger down', 'rollback at 40%', 'rolled back', 'Queue stuck', 'draining', 'oncall']) {
      expect(all).toContain(words);
    }
    expect(posts.filter((p) => p.via === 'chat.postMessage').length).toBeGreaterThanOrEqual(4);
    const raw = posts.filter((p) => CROWD_PING.test(p.text) || CROWD_PING.test(p.blocks));
    expect(raw).toEqual([]);
    // Nothing in the channels either (what readers see, response URLs' in_channel posts included).
    for (const channel of [GENERAL, channelId!, ops]) {
      const seen = h.slack
        .messagesIn(channel)
        .filter((m) => CROWD_PING.test(`${m.text} ${parsedBlockText(m.blocks ?? [])}`));
      expect(seen).toEqual([]);
    }
  });

  test('a --private incident’s title never appears in the channel it was declared from; the caller is told privately', async () => {
    const from = mark(h);
    const started = await h.command(PEOPLE.alice.id, GENERAL, 'start --private sev1 Zephyr acquisition leaked');
    expect(started.answer.response_type).toBe('ephemeral');
    const channelId = h.slack.channelIdByName('inc-20261120-zephyr-acquisition-leaked');
    expect(h.slack.channel(channelId!)).toMatchObject({ is_private: true });
    // It is where it belongs …
    expect(h.slack.messagesIn(channelId!).some((m) => JSON.stringify(m).includes('Zephyr'))).toBe(true);
    // … and told to the caller privately …
    expect(h.slack.ephemeralsTo(PEOPLE.alice.id).at(-1)?.text).toContain(`<#${channelId}>`);

    // … and nowhere in the channel it came from.
    const posts = postsSince(h, from, [started]);
    expect(posts.filter((p) => p.responseType === 'in_channel')).toEqual([]);
    expect(posts.filter((p) => p.channel === GENERAL && `${p.text}${p.blocks}`.includes('Zephyr'))).toEqual([]);
    expect(h.slack.messagesIn(GENERAL).filter((m) => JSON.stringify(m).includes('Zephyr'))).toEqual([]);
  });

  test('a private incident declared through the modal keeps its title out of the channel it was opened from', async () => {
    const from = mark(h);
    await h.command(PEOPLE.bob.id, GENERAL, 'start');
    const modal = h.slack.openedViews.at(-1)!;
    expect(modal.view).toMatchObject({ callback_id: 'incident_start' });
    const submitted = await h.send(
      viewSubmissionBody(h.slack, {
        userId: PEOPLE.bob.id,
        viewId: modal.viewId,
        values: { title: 'Payroll file exposed', severity: 'sev2', where: 'private' },
      }),
    );
    expect(submitted.status).toBe(200);
    const channelId = h.slack.channelIdByName('inc-20261120-payroll-file-exposed');
    expect(h.slack.channel(channelId!)).toMatchObject({ is_private: true });
    expect(h.slack.ephemeralsTo(PEOPLE.bob.id).at(-1)?.text).toContain(`<#${channelId}>`);
    const posts = postsSince(h, from);
    expect(posts.filter((p) => p.channel === GENERAL && p.via === 'chat.postMessage')).toEqual([]);
    expect(h.slack.messagesIn(GENERAL).filter((m) => JSON.stringify(m).includes('Payroll'))).toEqual([]);
  });
});
