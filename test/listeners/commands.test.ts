import type { DatabaseHandle } from '../../src/db/connect';
import { findIncidentById } from '../../src/db/incidents';
import { listTimeline } from '../../src/db/timeline';
import { INCIDENT_HELP } from '../../src/domain/incident-command';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackWeb } from './support/fake-slack-web';
import { buildListenerApp, type ListenerApp } from './support/listener-app';
import { slashCommand } from './support/payloads';

const ALICE = 'UALICE';
const GUEST = 'UGUEST';

/** A promise the test settles: lets a port call hang until the test has seen what it wants. */
function gate<T>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Whether `promise` has settled once pending callbacks have run (setImmediate is not faked). */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.finally(() => {
    settled = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe.each(databaseKinds())('/incident through the app on the %s database', (kind) => {
  let database: DatabaseHandle;
  const web = new FakeSlackWeb();
  let t: ListenerApp;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    web.install();
  });
  afterAll(async () => {
    web.uninstall();
    await database.close();
  });
  beforeEach(() => {
    t = buildListenerApp(database.db);
    t.slack.users.set(ALICE, { timeZone: 'Europe/Berlin' });
    t.slack.users.set(GUEST, { isGuest: true });
  });
  afterEach(() => jest.useRealTimers());

  test('`help` is answered in the acknowledgement, to the caller only, without asking Slack who they are', async () => {
    const lookups = jest.spyOn(t.slack, 'lookupUser');
    const delivery = await t.send(slashCommand({ userId: ALICE, channelId: 'CHELP', text: 'help' }));
    expect(delivery.status).toBe(200);
    expect(delivery.acks).toEqual([{ response_type: 'ephemeral', text: INCIDENT_HELP }]);
    expect(lookups).not.toHaveBeenCalled();
    expect(t.slack.calls).toEqual([]);
  });

  test('`timeline 09:05 …` in an incident channel stores the entry at 09:05 in the caller’s zone and echoes it', async () => {
    const incidentId = await t.declareHere('CTIMELINE');
    const delivery = await t.send(
      slashCommand({ userId: ALICE, channelId: 'CTIMELINE', text: 'timeline 09:05 rolled back the deploy' }),
    );
    // Alice is in Berlin: 09:05 there is 08:05 UTC on the day of NOW.
    const entries = await listTimeline(database.db, incidentId);
    const added = entries.find((e) => e.source === 'command');
    expect(added).toMatchObject({
      text: 'rolled back the deploy',
      authorId: ALICE,
      occurredAt: new Date('2026-11-20T08:05:00Z'),
    });
    expect(delivery.acks).toHaveLength(1);
    expect(delivery.answer).toMatchObject({ response_type: 'ephemeral' });
    expect(delivery.answer?.text).toMatch(/^Added to the timeline of #\d+ at .*09:05.*: rolled back the deploy$/);
  });

  test('an unknown subcommand is explained with an example, and nothing is looked up or stored', async () => {
    const lookups = jest.spyOn(t.slack, 'lookupUser');
    const delivery = await t.send(
      slashCommand({ userId: ALICE, channelId: 'CINVALID', text: 'note 09:05 db failover' }),
    );
    expect(delivery.answer).toMatchObject({ response_type: 'ephemeral' });
    expect(delivery.answer?.text).toContain('Unknown subcommand');
    // The example is the command they meant, with their own words in it.
    expect(delivery.answer?.text).toContain('`/incident timeline 09:05 db failover`');
    expect(lookups).not.toHaveBeenCalled();
  });

  test('a subcommand with a wrong argument says what is allowed, with an example', async () => {
    await t.declareHere('CBADSEV');
    const delivery = await t.send(slashCommand({ userId: ALICE, channelId: 'CBADSEV', text: 'severity sev9' }));
    expect(delivery.answer?.text).toMatch(/^Severity must be .*sev1.*e\.g\. `\/incident severity sev\d`/);
  });

  test('a guest changing the incident is refused in the acknowledgement and nothing changes', async () => {
    const incidentId = await t.declareHere('CGUEST');
    const workspaceId = await t.deps.workspaces.idOf({
      teamId: 'T0LISTEN',
      enterpriseId: null,
      isEnterpriseInstall: false,
    });
    const delivery = await t.send(slashCommand({ userId: GUEST, channelId: 'CGUEST', text: 'severity sev1' }));
    expect(delivery.answer).toEqual({
      response_type: 'ephemeral',
      text: 'Guests can read the incident but not change it. Ask a full member of the workspace to do it.',
    });
    expect((await findIncidentById(database.db, workspaceId, incidentId))?.severity).toBe('sev2');
    expect(t.slack.calls.filter((c) => c.method === 'post')).toEqual([]);
  });

  test('an unexpected failure answers "Something went wrong (ref …)" and logs the reference without the person’s words', async () => {
    await t.declareHere('CBUG');
    jest
      .spyOn(t.slack, 'lookupUser')
      .mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'profile')"));
    const words = 'rolled back after Jane Roe pasted hunter2';
    const delivery = await t.send(slashCommand({ userId: ALICE, channelId: 'CBUG', text: `timeline 09:05 ${words}` }));

    expect(delivery.status).toBe(200);
    const text = String(delivery.answer?.text);
    const ref = /^Something went wrong \(ref ([0-9a-f]{8})\)\. Try again/.exec(text)?.[1];
    expect(ref).toBeDefined();
    const logged = t.logger.errors().filter((line) => line.includes(`ref ${ref}`));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('TypeError');
    for (const line of t.logger.lines.map((l) => l.text)) {
      for (const word of ['Jane', 'hunter2', 'rolled back']) expect(line).not.toContain(word);
    }
  });

  test('work still running at the 2.5 s deadline is acknowledged "Working on it…" and answered through response_url', async () => {
    await t.declareHere('CSLOW');
    // Slack takes its time answering users.info: the handler is stuck until the test opens the gate.
    const slackAnswers = gate<void>();
    const asked = gate<void>();
    const lookup = t.slack.lookupUser.bind(t.slack);
    jest.spyOn(t.slack, 'lookupUser').mockImplementation(async (workspace, userId) => {
      asked.open();
      await slackAnswers.opened;
      return lookup(workspace, userId);
    });
    // Only the deadline's timer is faked; the database and Bolt keep real ticks.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'Date'] });

    const body = slashCommand({ userId: ALICE, channelId: 'CSLOW', text: 'timeline 09:05 failover started' });
    const sent = t.receiver.send(body);
    await asked.opened;
    await jest.advanceTimersByTimeAsync(2_499);
    expect(await settledYet(sent)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settledYet(sent)).toBe(true);
    const delivery = await sent;
    expect(delivery.acks).toEqual([
      { response_type: 'ephemeral', text: ':hourglass_flowing_sand: Working on it… the answer follows here.' },
    ]);
    expect(web.responses.filter((r) => r.url === body.response_url)).toEqual([]);

    slackAnswers.open();
    await t.deps.background.drain();
    const followUps = web.responses.filter((r) => r.url === body.response_url);
    expect(followUps).toHaveLength(1);
    expect(followUps[0]?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(followUps[0]?.body.text)).toMatch(/^Added to the timeline of #\d+ at .*: failover started$/);
  });

  test('a slow command that fails after "Working on it…" gets its failure through response_url', async () => {
    await t.declareHere('CSLOWFAIL');
    const slackAnswers = gate<void>();
    const asked = gate<void>();
    jest.spyOn(t.slack, 'lookupUser').mockImplementation(async () => {
      asked.open();
      await slackAnswers.opened;
      throw new RangeError('Invalid time zone specified: Mars/Olympus');
    });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'Date'] });

    const body = slashCommand({ userId: ALICE, channelId: 'CSLOWFAIL', text: 'timeline 09:05 failover started' });
    const sent = t.receiver.send(body);
    await asked.opened;
    await jest.advanceTimersByTimeAsync(2_500);
    expect(await settledYet(sent)).toBe(true);
    expect((await sent).answer?.text).toContain('Working on it');
    slackAnswers.open();
    await t.deps.background.drain();
    const followUps = web.responses.filter((r) => r.url === body.response_url);
    expect(followUps.map((r) => r.body.text)).toEqual([
      expect.stringMatching(/^Something went wrong \(ref [0-9a-f]{8}\)/),
    ]);
  });
});
