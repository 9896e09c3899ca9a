import type { KnownBlock } from '@slack/types';
import { LATER_SUBCOMMANDS } from '../../src/domain/postmortem-command';
import { postmortemOwnerWanted } from '../../src/slack/blocks/postmortem';
import { messageBlocksTooLong, validateMessageBlocks } from '../kit/block-kit-limits';
import { BOT_USER_ID, type CommandResult } from '../kit/simulated-workspace';
import { blockActionsBody, viewSubmissionBody } from '../kit/slack-requests';
import { databaseKinds } from '../support/database';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';

/** The app's clock: the day after an incident that crossed midnight UTC. */
const NOW = new Date('2026-11-21T12:00:00Z');
const ROBOT = { id: 'UROBOT', name: 'deploybot', isBot: true };
const GONE = { id: 'UGONE', name: 'gone', deleted: true };

const { alice, bob, carol } = PEOPLE;

describe.each(databaseKinds())('/postmortem end to end (%s database)', (kind) => {
  let h: Harness;
  let channel: string;
  let incidentId: number;

  beforeAll(async () => {
    h = await startHarness(kind, NOW);
    h.slack.addUser(ROBOT);
    h.slack.addUser(GONE);
  });
  afterAll(async () => {
    expect(h.slack.internalErrors).toEqual([]);
    await h.stop();
  });

  /** The command's answer, wherever it went: the acknowledgement, or response_url after "working on it". */
  function answerOf(result: CommandResult): { text: string; response_type?: string; blocks?: KnownBlock[] } {
    const early = result.answer as { text?: string; response_type?: string; blocks?: KnownBlock[] };
    if (early.text?.startsWith(':hourglass')) {
      const late = h.slack.responsesAt(result.responseUrl).at(-1)?.body as typeof early | undefined;
      return { text: late?.text ?? '', ...late };
    }
    return { text: early.text ?? '', ...early };
  }

  const incident = (user: string, where: string, text: string) => h.command(user, where, text);
  const postmortem = async (user: string, where: string, text: string) =>
    answerOf(await h.command(user, where, text, '/postmortem'));

  const postmortemRow = () =>
    h.database.db.selectFrom('postmortems').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
  const audits = (id: number, action: string) =>
    h.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('incident_id', '=', id)
      .where('action', '=', action)
      .orderBy('id')
      .execute();

  /** Opens a section's modal with `/postmortem edit <section>` and returns its view id. */
  async function openSection(user: string, section: string, where = channel): Promise<string> {
    const before = h.slack.openedViews.length;
    const answer = await h.command(user, where, `edit ${section}`, '/postmortem');
    expect(answer.status).toBe(200);
    expect(answer.answer).toEqual({});
    expect(h.slack.openedViews.length).toBe(before + 1);
    return h.slack.openedViews.at(-1)!.viewId;
  }

  async function submit(user: string, viewId: string, values: Record<string, string | null>) {
    const response = await h.send(viewSubmissionBody(h.slack, { userId: user, viewId, values }));
    expect(response.status).toBe(200);
    return response.json as { response_action?: string; errors?: Record<string, string> } | undefined;
  }

  test('an incident across midnight, logged from three time zones, resolved', async () => {
    await incident(alice.id, GENERAL, 'start sev3 Checkout returns 500s');
    channel = h.slack.channelIdByName('inc-20261121-checkout-returns-500s')!;
    expect(channel).toBeDefined();
    h.slack.joinChannel(channel, bob.id);
    h.slack.joinChannel(channel, carol.id);
    const row = await h.database.db
      .selectFrom('incidents')
      .select('id')
      .where('channel_id', '=', channel)
      .executeTakeFirstOrThrow();
    incidentId = row.id;
    // Given out of order, from people in Los Angeles, Berlin and Kolkata; two in their own local time.
    const entries: [string, string][] = [
      [bob.id, 'timeline 2026-11-21 00:20 UTC <@UALICE|alice> rolled back config 1234 <!here>'],
      [alice.id, 'timeline 2026-11-20 23:50 UTC deployed config 1234 to checkout'],
      [carol.id, 'timeline 05:40 error rate back to normal per <!date^1795221600^{time}|00:40 UTC>'],
      [bob.id, 'timeline 01:15 paged the payments team'],
      [carol.id, 'timeline 2026-11-20 23:58 UTC checkout 5xx alert fired'],
    ];
    for (const [user, text] of entries) {
      const { answer } = await incident(user, channel, text);
      expect(answer.text).toMatch(/^Added to the timeline of #1/);
    }
    for (const [milestone, when] of [
      ['started', '2026-11-20 23:55 UTC'],
      ['detected', '2026-11-21 00:05 UTC'],
      ['acknowledged', '2026-11-21 00:08 UTC'],
      ['mitigated', '2026-11-21 00:40 UTC'],
    ]) {
      const { answer } = await incident(alice.id, channel, `milestone ${milestone} ${when}`);
      expect(answer.text).toMatch(/^Milestone/);
    }
    const resolved = await incident(alice.id, channel, 'resolve 2026-11-21 01:30 UTC rolled back the config');
    expect(resolved.answer.text).toMatch(/resolved at 2026-11-21 01:30 UTC/);
  });

  test('outside an incident channel, without #n, the answer says how', async () => {
    const answer = await postmortem(alice.id, GENERAL, 'show');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain("Run this in the incident's channel, or name the incident first");
    expect(answer.text).toContain('`/postmortem #42 show`');
    const unknown = await postmortem(alice.id, GENERAL, '#99 show');
    expect(unknown.text).toContain('There is no incident #99');
    const help = await postmortem(alice.id, GENERAL, '');
    expect(help.text).toContain('`/postmortem assign @alex due friday`');
    // Subcommands of features still to come say so honestly (the list shrinks as they arrive).
    for (const word of LATER_SUBCOMMANDS) {
      expect((await postmortem(alice.id, channel, `${word} within 3 days`)).text).toMatch(/is not available yet/);
    }
  });

  test('a bot, a deactivated account or a guest cannot own the postmortem', async () => {
    for (const who of [`<@${ROBOT.id}|deploybot>`, `<@${GONE.id}|gone>`, `<@${PEOPLE.guest.id}|guest>`]) {
      const answer = await postmortem(alice.id, channel, `assign ${who}`);
      expect(answer.text).toMatch(/must be a full member of the workspace/);
    }
    const row = await postmortemRow();
    expect(row.owner_id).toBeNull();
  });

  test('assign: the owner gets a checklist by DM and accepts it there', async () => {
    const answer = await postmortem(alice.id, channel, 'assign <@UBOB|bob> due 2026-12-04');
    expect(answer).toMatchObject({
      response_type: 'in_channel',
      text: ':memo: <@UALICE> asked <@UBOB> to own the postmortem of #1, due 2026-12-04. They have a checklist in their DMs.',
    });
    expect(await postmortemRow()).toMatchObject({ owner_id: bob.id, due_date: '2026-12-04', assigned_by: alice.id });
    // The checklist went out as one chat.postMessage to bob's user id, which Slack put in his DM.
    expect(h.slack.callsTo('conversations.open')).toEqual([]);
    const dm = h.slack.dmChannelWith(bob.id);
    const checklist = h.slack.messagesIn(dm).at(-1)!;
    expect(
      h.slack.callsTo('chat.postMessage').some((c) => c.args.channel === bob.id && c.response.channel === dm),
    ).toBe(true);
    expect(checklist.text).toContain('<@UALICE> asked you to own the postmortem of incident #1');
    expect(JSON.stringify(checklist.blocks)).toContain('postmortem_accept');

    await h.send(
      blockActionsBody(h.slack, {
        userId: bob.id,
        actionId: 'postmortem_accept',
        source: { channelId: dm, messageTs: checklist.ts },
      }),
    );
    expect(h.slack.messagesIn(dm).at(-1)?.text).toMatch(
      /^:white_check_mark: You accepted the postmortem of incident #1, due 2026-12-04/,
    );
    expect((await postmortemRow()).owner_accepted_at).not.toBeNull();
    expect(await audits(incidentId, 'postmortem.accepted')).toHaveLength(1);
  });

  test('publish is refused with what is missing', async () => {
    const answer = await postmortem(bob.id, channel, 'publish');
    expect(answer.text).toMatch(/is not complete yet\. Missing:/);
    expect(answer.text).toContain('• Impact, written by a person');
    expect(answer.text).toContain('• Summary written by a person');
    expect((await postmortemRow()).status).not.toBe('published');
  });

  test('sections are edited in their modals: prefilled, validated, errors under the right input', async () => {
    const summary = await openSection(carol.id, 'summary');
    const opened = h.slack.openedViews.at(-1)!.view as { callback_id: string; blocks: unknown[] };
    expect(opened.callback_id).toBe('postmortem_section_summary');
    // Debrief's draft is there to rewrite.
    expect(JSON.stringify(opened.blocks)).toContain('Checkout returns 500s: a sev3 incident declared');
    const tooLong = await submit(carol.id, summary, { summary: 'x'.repeat(3001) });
    expect(tooLong).toMatchObject({ response_action: 'errors', errors: { summary: expect.stringMatching(/3,000/) } });
    expect(
      await submit(carol.id, summary, {
        summary: 'A config change made checkout fail for 45 minutes; about 4% of orders failed <!channel>.',
      }),
    ).toBeUndefined();

    const impact = await openSection(bob.id, 'impact');
    const badImpact = await submit(bob.id, impact, { affected: 'lots', status_page: 'the status page' });
    expect(badImpact?.errors).toEqual({
      affected: expect.stringMatching(/a number \(1200\) or a percentage/),
      status_page: expect.stringMatching(/https/),
    });
    expect(
      await submit(bob.id, impact, {
        affected_services: 'checkout, payments-api',
        customer_visible: 'yes',
        affected: '4%',
        affected_of: 'orders',
        data_loss: 'none',
        support_tickets: '14',
        status_page: 'https://status.example.com/incidents/1',
        narrative: 'Customers saw an error page at payment.',
      }),
    ).toBeUndefined();

    const detection = await openSection(bob.id, 'detection');
    expect(
      await submit(bob.id, detection, {
        detected_by: 'alert',
        detected_detail: 'checkout-5xx https://alerts.example.com/rules/42',
        how_sooner: 'An alert on the config rollout itself.',
      }),
    ).toBeUndefined();

    const factors = await openSection(bob.id, 'contributing factors');
    const twoTriggers = await submit(bob.id, factors, { factors: 'trigger: a\ntrigger: b' });
    expect(twoTriggers?.errors?.factors).toMatch(/Mark one factor as the trigger/);
    expect(
      await submit(bob.id, factors, {
        factors: 'trigger: a config change set the payment timeout to 0\nno canary for config changes',
        five_whys: 'Why did checkout fail? The timeout was 0.',
      }),
    ).toBeUndefined();

    for (const [section, values] of [
      ['resolution', { mitigation: 'Rolled back the config.', permanent_fix: 'Validate timeouts at load time.' }],
      ['lessons', { went_well: 'Fast rollback.', went_wrong: 'Stale runbook.', got_lucky: 'Low traffic hour.' }],
      ['response', { slowed_us: 'The runbook link was stale.', helped: 'Feature flags.' }],
      ['action-items', { note: 'Tracked in OPS-12: validate config timeouts at load time.' }],
      ['links', { links: 'https://grafana.example.com/d/checkout Checkout errors\nhttps://jira.example.com/OPS-12' }],
    ] as const) {
      const view = await openSection(bob.id, section);
      expect(await submit(bob.id, view, values)).toBeUndefined();
    }
    const sections = JSON.parse((await postmortemRow()).sections);
    expect(sections.impact).toMatchObject({
      customerVisible: true,
      affected: { kind: 'percentage', value: 4, of: 'orders' },
      dataLoss: 'none',
      supportTickets: 14,
    });
    expect(sections.summary).toContain('&lt;!channel&gt;');
    expect(sections.contributingFactors.factors[0]).toEqual({
      text: 'a config change set the payment timeout to 0',
      isTrigger: true,
    });
    // Reopened, the modal shows what was saved, as typed.
    await openSection(bob.id, 'impact');
    expect(JSON.stringify(h.slack.openedViews.at(-1)!.view)).toContain('"initial_value":"4%"');
  });

  test('a concurrent edit is refused under the field, with the newer text', async () => {
    const first = await openSection(alice.id, 'summary');
    const second = await openSection(carol.id, 'summary');
    expect(
      await submit(alice.id, first, { summary: 'Checkout failed for 45 minutes after a config change.' }),
    ).toBeUndefined();
    const lost = await submit(carol.id, second, { summary: 'My version, written at the same time.' });
    expect(lost).toMatchObject({
      response_action: 'errors',
      errors: { summary: expect.stringContaining('Checkout failed for 45 minutes after a config change.') },
    });
    expect(JSON.parse((await postmortemRow()).sections).summary).toBe(
      'Checkout failed for 45 minutes after a config change.',
    );
  });

  test('show: completeness section by section, within Slack’s limits', async () => {
    const answer = await postmortem(carol.id, channel, 'show');
    expect(answer.response_type).toBe('ephemeral');
    const json = JSON.stringify(answer.blocks);
    expect(json).toContain(':white_check_mark: *Summary* — done');
    expect(json).toContain(':white_check_mark: *Impact* — done');
    expect(json).toContain('Ready to publish');
    expect(validateMessageBlocks(answer.blocks!)).toEqual([]);
  });

  test('the section picker opens the chosen section’s modal', async () => {
    const answer = await postmortem(carol.id, channel, 'edit');
    h.slack.addMessage(channel, { user: BOT_USER_ID, text: answer.text, blocks: answer.blocks! });
    const ts = h.slack.messagesIn(channel).at(-1)!.ts;
    await h.send(
      blockActionsBody(h.slack, {
        userId: carol.id,
        actionId: 'postmortem_section_pick',
        source: { channelId: channel, messageTs: ts },
        selected: 'resolution',
      }),
    );
    expect(h.slack.openedViews.at(-1)!.view).toMatchObject({ callback_id: 'postmortem_section_resolution' });
  });

  test('export uploads the Markdown document into the channel', async () => {
    const answer = await postmortem(alice.id, channel, 'export');
    expect(answer.text).toBe('Uploaded `postmortem-1.md` to this channel.');
    const file = h.slack.uploadedFiles.at(-1)!;
    expect(file).toMatchObject({ filename: 'postmortem-1.md', channelId: channel });
    const markdown = file.content;
    expect(markdown.split('\n')[0]).toBe('# Postmortem: Checkout returns 500s');
    // Every entry, in order, each beginning with its UTC minute; local times converted.
    const lines = markdown.split('\n').filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d /.test(l));
    const stamps = lines.map((l) => l.slice(0, 16));
    expect(stamps).toEqual([...stamps].sort());
    for (const [stamp, words] of [
      ['2026-11-20 23:50', 'deployed config 1234 to checkout'],
      ['2026-11-20 23:58', 'checkout 5xx alert fired'],
      ['2026-11-21 00:10', 'error rate back to normal per 00:40 UTC'],
      ['2026-11-21 00:15', 'paged the payments team'],
      ['2026-11-21 00:20', 'alice rolled back config 1234 here'],
    ] as const) {
      expect(lines.find((l) => l.startsWith(stamp) && l.includes(words))).toBeDefined();
    }
    expect(markdown).toMatch(/Impact: 45m/);
    expect(markdown).toMatch(/Response: 1h 25m/);
    const headings = markdown.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Summary',
      '## Impact',
      '## Detection',
      '## Response',
      '## Timeline',
      '## Contributing factors',
      '## Resolution',
      '## Lessons learned',
      '## Action items',
      '## Debrief',
      '## Supporting information',
    ]);
    expect(markdown).not.toMatch(/<@U|<!here>|<!channel>|<!date/);
    expect(markdown).not.toMatch(/UALICE|UBOB|UCAROL/);
    expect(markdown).toMatch(/bob/);
    expect(markdown).toContain('- **Trigger:** a config change set the payment timeout to 0');
    expect(markdown).toContain('- Orders affected: 4%');
  });

  test('export where Debrief is not a member says how to fix it', async () => {
    const elsewhere = h.slack.addChannel({ name: 'random', members: [alice.id] });
    const answer = await postmortem(alice.id, elsewhere, '#1 export');
    expect(answer.text).toContain('Invite it with `/invite @Debrief`');
  });

  test('a private incident’s postmortem is exported only into its own channel', async () => {
    await incident(alice.id, GENERAL, 'start --private sev3 Leaked API key');
    const secret = h.slack.channelIdByName('inc-20261121-leaked-api-key')!;
    const { number } = await h.database.db
      .selectFrom('incidents')
      .select('number')
      .where('channel_id', '=', secret)
      .executeTakeFirstOrThrow();
    const uploads = h.slack.uploadedFiles.length;
    const elsewhere = await postmortem(alice.id, GENERAL, `#${number} export`);
    expect(elsewhere.text).toMatch(/is private: run `\/postmortem export` in its own channel/);
    const outsider = await postmortem(bob.id, GENERAL, `#${number} show`);
    expect(outsider.text).toMatch(/There is no incident #\d+ you can see/);
    expect(h.slack.uploadedFiles.length).toBe(uploads);
    const inside = await postmortem(alice.id, secret, 'export');
    expect(inside.text).toBe(`Uploaded \`postmortem-${number}.md\` to this channel.`);
    expect(h.slack.uploadedFiles.at(-1)?.channelId).toBe(secret);
  });

  test('publish, once complete, is accepted for a sev3', async () => {
    const answer = await postmortem(bob.id, channel, 'publish');
    expect(answer.text).toMatch(/^:memo: Published the postmortem of #1/);
    expect(await postmortemRow()).toMatchObject({ status: 'published' });
    expect(await audits(incidentId, 'postmortem.published')).toHaveLength(1);
  });

  test('the channel’s owner prompt assigns whoever is picked; two assignments at once both land, in order', async () => {
    const war = h.slack.addChannel({ name: 'war-room', members: [alice.id, bob.id, carol.id, BOT_USER_ID] });
    await incident(alice.id, war, 'start --here sev4 Search is slow');
    await incident(alice.id, war, 'resolve search index rebuilt');
    const second = await h.database.db
      .selectFrom('incidents')
      .select(['id', 'number'])
      .where('channel_id', '=', war)
      .executeTakeFirstOrThrow();
    // The prompt as Debrief posts it after resolve, picked from.
    const prompt = postmortemOwnerWanted({
      kind: 'postmortem_owner_wanted',
      incidentId: second.id,
      incidentNumber: second.number,
      reason: 'optional',
      by: null,
    });
    const ts = h.slack.addMessage(war, { user: BOT_USER_ID, text: prompt.text, blocks: prompt.blocks! });
    await h.send(
      blockActionsBody(h.slack, {
        userId: alice.id,
        actionId: 'postmortem_owner_select',
        source: { channelId: war, messageTs: ts },
        selected: carol.id,
      }),
    );
    expect(h.slack.message(war, ts)?.text).toBe(
      `:memo: <@UALICE> asked <@UCAROL> to own the postmortem of #${second.number}, due 2026-12-04.`,
    );

    // Decision: the commander's two concurrent assignments are serialized under the row lock; both are
    // recorded, and the owner is the one the later one named.
    const bodies = [bob.id, carol.id].map((owner) => h.command(alice.id, war, `assign <@${owner}>`, '/postmortem'));
    const results = await Promise.all(bodies);
    for (const result of results) expect(answerOf(result).text).toContain(`to own the postmortem of #${second.number}`);
    const assigned = await audits(second.id, 'postmortem.assigned');
    expect(assigned).toHaveLength(3);
    const row = await h.database.db
      .selectFrom('postmortems')
      .selectAll()
      .where('incident_id', '=', second.id)
      .executeTakeFirstOrThrow();
    expect(row.owner_id).toBe((assigned.at(-1)!.detail as { ownerId: string }).ownerId);

    // Someone neither commander nor owner is refused.
    const refused = await postmortem(carol.id === row.owner_id ? bob.id : carol.id, war, `assign <@${alice.id}>`);
    expect(refused.text).toMatch(/Only the commander or the current postmortem owner can assign/);
  });

  test('a huge incident: 2,000 entries and a 3,000-character section; show fits, export is complete', async () => {
    const big = h.slack.addChannel({ name: 'big-one', members: [alice.id, bob.id, BOT_USER_ID] });
    await incident(alice.id, big, 'start --here sev2 Everything is slow');
    const row = await h.database.db
      .selectFrom('incidents')
      .select(['id', 'number'])
      .where('channel_id', '=', big)
      .executeTakeFirstOrThrow();
    const start = Date.parse('2026-11-19T00:00:00Z');
    const entries = Array.from({ length: 2_000 }, (_, i) => ({
      incident_id: row.id,
      source: 'command' as const,
      kind: 'note',
      author_id: i % 2 ? alice.id : bob.id,
      text: `step ${String(i).padStart(4, '0')}: <@UBOB> forgot to check shard ${i} ${'x'.repeat(i % 7 === 0 ? 900 : 40)}`,
      occurred_at: new Date(start + (2_000 - i) * 60_000),
      recorded_at: new Date(start),
      message_channel_id: null,
      message_ts: null,
      message_author_id: null,
    }));
    for (let i = 0; i < entries.length; i += 500) {
      await h.database.db
        .insertInto('timeline_entries')
        .values(entries.slice(i, i + 500))
        .execute();
    }
    await incident(alice.id, big, 'milestone started 2026-11-19 00:01 UTC');
    const summary = await openSection(alice.id, 'summary', big);
    expect(
      await submit(alice.id, summary, { summary: `Bob forgot the runbook. ${'s'.repeat(2_976)}` }),
    ).toBeUndefined();

    const answer = await postmortem(alice.id, big, 'show');
    const blocks = answer.blocks!;
    expect(validateMessageBlocks(blocks)).toEqual([]);
    expect(messageBlocksTooLong(blocks)).toBe(false);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(blocks)).toMatch(/… \d+ more not shown/);

    await postmortem(alice.id, big, 'export');
    const markdown = h.slack.uploadedFiles.at(-1)!.content;
    const steps = markdown
      .split('\n')
      .filter((l) => / step \d{4}: /.test(l))
      .map((l) => Number(/ step (\d{4}): /.exec(l)![1]));
    expect(steps).toHaveLength(2_000);
    // Chronological: the entries were numbered backwards in time.
    expect(steps).toEqual([...steps].sort((a, b) => b - a));
    expect(markdown).toContain('s'.repeat(2_976));
  });
});
