import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DatabaseHandle } from '../../src/db/connect';
import { ensureWorkspace } from '../../src/db/workspaces';
import { parseActionCommand } from '../../src/domain/action-command';
import { addActionItem } from '../../src/services/action-items';
import type { ActionContext } from '../../src/services/context';
import { assignRole, declareIncident, incidentInChannel, resolveIncident } from '../../src/services/incidents';
import { assignOwner } from '../../src/services/postmortems';
import { SlackStandIn } from '../kit/slack-stand-in';
import { openTestDatabase } from '../support/database';
import { FakeSlackPort } from '../support/fake-slack-port';
import { PEOPLE } from '../support/harness';

/**
 * Three real processes — `debrief remind --now …`, the CLI as an operator or a cron job runs it — sweep
 * at the same instant against one real Postgres and one Slack stand-in: each person gets exactly one
 * digest. Only Postgres can show this (PGlite is one process's), so it runs when TEST_DATABASE_URL is set.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(ROOT, 'src/cli.ts');
const { alice, bob, carol } = PEOPLE;
/** Tuesday 2026-11-24 17:30 UTC: Tuesday morning in Los Angeles, evening in Berlin, night in Kolkata. */
const NOW = '2026-11-24T17:30:00Z';

(process.env.TEST_DATABASE_URL ? describe : describe.skip)('debrief remind in three processes at once', () => {
  let database: DatabaseHandle;
  let slack: SlackStandIn;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    slack = new SlackStandIn({
      teamId: 'T0PROCESSES',
      botToken: 'xoxb-processes',
      botUserId: 'UDEBRIEF',
      botId: 'BDEBRIEF',
      reportScopes: true,
    });
    await slack.start();
    for (const person of [alice, bob, carol]) slack.addUser(person);
    await seed();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${(await database.db.selectNoFrom((eb) => eb.fn<string>('current_database').as('name')).executeTakeFirstOrThrow()).name}`;
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: url.toString(),
      SLACK_BOT_TOKEN: 'xoxb-processes',
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: 'error',
    };
  });
  afterAll(async () => {
    await slack?.stop();
    await database?.close();
  });

  /** One incident whose postmortem bob owns, with an item due on Tuesday for each of the three. */
  async function seed() {
    const fake = new FakeSlackPort();
    for (const person of [alice, bob, carol]) fake.users.set(person.id, { timeZone: person.tz });
    fake.members.set('CINC', new Set([alice.id, bob.id, carol.id]));
    const workspaceId = await ensureWorkspace(database.db, { teamId: 'T0PROCESSES' });
    const as = (userId: string): ActionContext => ({
      db: database.db,
      slack: fake,
      workspace: { teamId: 'T0PROCESSES', enterpriseId: null, isEnterpriseInstall: false },
      workspaceId,
      now: new Date('2026-11-19T12:00:00Z'),
      actor: { userId, isGuest: false, isExternal: false, timeZone: null },
    });
    await declareIncident(as(alice.id), {
      title: 'Checkout',
      severity: 'sev2',
      isPrivate: false,
      channelId: 'CINC',
      here: true,
    });
    let incident = await incidentInChannel(as(alice.id), 'CINC', { example: 'x' });
    await assignRole(as(alice.id), incident, 'commander', alice.id);
    incident = await incidentInChannel(as(alice.id), 'CINC', { example: 'x' });
    await resolveIncident(as(alice.id), incident, { occurredAt: new Date('2026-11-19T12:00:00Z'), summary: 'fixed' });
    incident = await incidentInChannel(as(alice.id), 'CINC', { example: 'x', includeClosed: true });
    await assignOwner(as(alice.id), incident, { ownerId: bob.id, dueText: '2026-12-31' });
    for (const person of [alice, bob, carol]) {
      const parsed = parseActionCommand(`Fix it for ${person.name} <@${person.id}> due 2026-11-24`);
      if (!parsed.ok) throw new Error(parsed.message);
      await addActionItem(as(alice.id), incident, parsed);
    }
  }

  const remind = (...args: string[]) => run(TSX, [CLI, 'remind', ...args], { cwd: ROOT, env, timeout: 60_000 });

  test('the dry run prints the digests and claims nothing', async () => {
    const { stdout } = await remind('--now', NOW, '--dry-run');
    expect(stdout).toContain(`Reminder digests due at 2026-11-24T17:30:00.000Z (dry run: nothing claimed or sent): 3`);
    for (const person of [alice, bob, carol]) {
      expect(stdout).toContain(`Digest for ${person.id} on 2026-11-24 (${person.tz})`);
      expect(stdout).toContain(`Fix it for ${person.name}`);
    }
    expect(await database.db.selectFrom('reminder_digests').selectAll().execute()).toEqual([]);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });

  test('three processes sweeping at once send exactly one digest per person', async () => {
    const results = await Promise.all([remind('--now', NOW), remind('--now', NOW), remind('--now', NOW)]);
    const summaries = results.map((r) => r.stdout);
    const sent = summaries.map((s) => Number(/(\d+) sent/.exec(s)?.[1]));
    expect(sent.reduce((a, b) => a + b, 0)).toBe(3);
    const posted = slack.callsTo('chat.postMessage').filter((c) => c.status === 200 && c.response.ok === true);
    const recipients = posted.map((c) => {
      const channel = String(c.response.channel);
      return [alice, bob, carol].find((p) => slack.dmChannelWith(p.id) === channel)?.id;
    });
    expect(recipients.sort()).toEqual([alice.id, bob.id, carol.id]);
    const claims = await database.db
      .selectFrom('reminder_digests')
      .select(['user_id', 'state'])
      .orderBy('user_id')
      .execute();
    expect(claims).toEqual([
      { user_id: alice.id, state: 'sent' },
      { user_id: bob.id, state: 'sent' },
      { user_id: carol.id, state: 'sent' },
    ]);
    // And again, later the same day: nothing new.
    await Promise.all([remind('--now', '2026-11-24T19:00:00Z'), remind('--now', '2026-11-24T19:00:00Z')]);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(posted.length);
  });
});
