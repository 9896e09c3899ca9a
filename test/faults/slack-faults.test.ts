/**
 * Faults on Slack's side (issue 16, SPEC 8 "Slack calls time out (10 s) and Slack's 429 and 5xx
 * answers are retried"): the Slack stand-in answers chat.postMessage with HTTP 500, or answers it only
 * after the app's 10 s timeout, while a real `debrief serve` process announces milestones in the
 * incident channel. Retries are bounded (counted from the stand-in's recorded calls), the process does
 * not crash, and once Slack recovers nothing has been posted twice.
 *
 * Needs the real Postgres (TEST_DATABASE_URL); works in a database of its own on that server.
 * LONG: about 35 s, most of it the app's own 10 s Slack timeout and its 1 s, 2 s, 4 s retry waits.
 */
import type { SlackStandIn } from '../kit/slack-stand-in';
import {
  type AppProcess,
  appEnvironment,
  type CompiledApp,
  compileApp,
  killStartedApps,
  logLines,
  settleAll,
  startApp,
} from './support/app-process';
import { type ScratchDatabase, scratchDatabase } from './support/postgres';
import {
  BOT_USER_ID,
  command,
  type DeclaredIncident,
  declareThroughApp,
  deliver,
  POSTERS,
  slackSettings,
  startSlackStandIn,
  waitFor,
} from './support/slack-side';

const alice = POSTERS[0]!;
/** The app's standard Web API client: 1 call and at most 3 retries (src/slack/workspace-clients.ts). */
const MAX_ATTEMPTS = 4;

(process.env.TEST_DATABASE_URL ? describe : describe.skip)('Slack answering 500 or timing out', () => {
  let compiled: CompiledApp;
  let database: ScratchDatabase;
  let slack: SlackStandIn;
  let app: AppProcess;
  let incident: DeclaredIncident;

  beforeAll(async () => {
    await settleAll([
      compileApp().then((c) => (compiled = c)),
      scratchDatabase().then((d) => (database = d)),
      startSlackStandIn().then((s) => (slack = s)),
    ]);
    app = await startApp(compiled, appEnvironment(slackSettings(slack, database.url)), { name: 'debrief' });
    incident = await declareThroughApp(slack, app.url, database.handle.db, 'Search is slow');
    // The declaration's own posts (the card in the new channel, the link where it was run) come first.
    await waitFor('the incident card and the link', async () =>
      slack.callsTo('chat.postMessage').filter((call) => call.status === 200).length >= 2 ? true : undefined,
    );
  }, 60_000);

  afterAll(async () => {
    await killStartedApps();
    await slack?.stop();
    await database?.drop();
    compiled?.remove();
  });

  /** chat.postMessage calls into the incident channel announcing `milestone` (or a severity), as the stand-in recorded them. */
  const postsOf = (milestone: string) =>
    slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === incident.channelId && String(call.args.text).includes(`*${milestone}*`));
  /** The bot's messages in the incident channel announcing `milestone`, as people see the channel. */
  const shown = (milestone: string) =>
    slack
      .messagesIn(incident.channelId)
      .filter((message) => message.user === BOT_USER_ID && message.text.includes(`*${milestone}*`));

  async function setMilestone(milestone: string) {
    const answer = await deliver(app.url, command(slack, alice.id, incident.channelId, `milestone ${milestone}`));
    expect({ status: answer.status, answer: answer.answer }).toEqual({
      status: 200,
      answer: expect.stringContaining(milestone),
    });
  }

  function expectHealthy() {
    if (!app.alive()) throw new Error(`the app process exited; its last output:\n${app.output().slice(-4000)}`);
  }

  test('HTTP 500 twice, then Slack answers: retried, posted exactly once', async () => {
    slack.failNext('chat.postMessage', { error: 'internal_error', status: 500, times: 2 });
    await setMilestone('detected');
    await waitFor('the announcement', async () => (shown('detected').length > 0 ? true : undefined));
    expect(postsOf('detected').map((call) => call.status)).toEqual([500, 500, 200]);
    expect(shown('detected')).toHaveLength(1);
    expectHealthy();
  });

  test('HTTP 500 on every attempt: bounded retries, then given up and logged; no crash, no late post', async () => {
    // Exactly as many failures as the app may attempt: a further attempt would succeed and show up.
    slack.failNext('chat.postMessage', { error: 'internal_error', status: 500, times: MAX_ATTEMPTS });
    await setMilestone('acknowledged');
    const given = await waitFor(
      'the app to give up announcing',
      async () =>
        logLines(app.output()).find(
          (line) => line.level === 'error' && /announce in incident channel/.test(String(line.msg)),
        ),
      30_000,
    );
    expect(String(given.msg)).not.toMatch(/xoxb-/);
    expect(postsOf('acknowledged').map((call) => call.status)).toEqual(Array(MAX_ATTEMPTS).fill(500));
    expect(shown('acknowledged')).toEqual([]);
    expectHealthy();
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  test('chat.postMessage answered after the app’s 10 s timeout: no crash, and the announcement is shown once', async () => {
    // Slack does the work but answers too late: the stand-in posts, and records the call, once the delay is over.
    const delayMs = 12_000;
    slack.delayNext('chat.postMessage', delayMs);
    const sentAt = slack.now();
    await setMilestone('mitigated');
    await waitFor(
      'the slow call to be answered',
      async () => (postsOf('mitigated').some((call) => call.at.getTime() >= sentAt + delayMs) ? true : undefined),
      40_000,
    );
    // Any retry started while the slow call was outstanding (10 s timeout, then 1 s) has been answered by now.
    expect(postsOf('mitigated').length).toBeLessThanOrEqual(MAX_ATTEMPTS);
    expect(shown('mitigated')).toHaveLength(1);
    expectHealthy();
  }, 60_000);

  test('Slack well again: the next announcement goes out once, and nothing earlier turns up late', async () => {
    const answer = await deliver(app.url, command(slack, alice.id, incident.channelId, 'severity sev1'));
    expect(answer.status).toBe(200);
    await waitFor('the recovery announcement', async () => (shown('sev1').length > 0 ? true : undefined));
    expect(postsOf('sev1').map((call) => call.status)).toEqual([200]);
    expect(shown('detected')).toHaveLength(1);
    expect(shown('acknowledged')).toEqual([]);
    expect(shown('mitigated')).toHaveLength(1);
    expect(shown('sev1')).toHaveLength(1);
    expectHealthy();
    await app.stop();
    expect(await app.exited).toBe(0);
  });
});
