import { openInMemory } from '../../src/db/connect';
import { findIncidentByNumber } from '../../src/db/incidents';
import { listTimeline } from '../../src/db/timeline';
import { formatUtc } from '../../src/domain/when';
import { digestAsText, planSweep } from '../../src/services/reminders';
import { slotUtc } from '../../src/slack/blocks/debrief';
import { ActionIds } from '../../src/slack/ids';
import { BOT_USER_ID, type SimulatedWorkspace, startSimulatedWorkspace } from '../kit/simulated-workspace';
import { blockActionsBody, viewSubmissionBody } from '../kit/slack-requests';

/** The demo's clock, moved along by the script: a Friday morning in UTC, afternoon in Kolkata, night in Los Angeles. */
class ScriptedClock {
  private current = new Date('2026-11-20T08:19:00Z');
  readonly now = () => this.current;
  at(iso: string): void {
    this.current = new Date(iso);
  }
}

const PEOPLE = [
  { id: 'UALICE', name: 'alice', realName: 'Alice Ng', tz: 'America/Los_Angeles' },
  { id: 'UBOB', name: 'bob', realName: 'Bob Weber', tz: 'Europe/Berlin' },
  { id: 'UCAROL', name: 'carol', realName: 'Carol Iyer', tz: 'Asia/Kolkata' },
  { id: 'UDANA', name: 'dana', realName: 'Dana Okafor', tz: 'Europe/London' },
];
const NAMES = new Map(PEOPLE.map((p) => [p.id, p.name]));

/**
 * `npm run demo`: a realistic incident, end to end and offline. Signed requests go into the real app
 * over HTTP, the app talks to the in-process Slack stand-in, and the embedded database keeps it all.
 */
export async function runDemo(_args: string[]): Promise<number> {
  const database = await openInMemory();
  const clock = new ScriptedClock();
  const workspace = await startSimulatedWorkspace({ database, people: PEOPLE, clock: clock.now });
  try {
    workspace.slack.addChannel({ id: 'CGENERAL', name: 'general', members: [...PEOPLE.map((p) => p.id), BOT_USER_ID] });
    const channel = await playIncident(workspace, clock);
    const incident = await findIncidentByNumber(database.db, (await workspaceIdOf(workspace)) ?? 0, 1);
    if (!incident) throw new Error('the demo incident was not recorded');
    const entries = await listTimeline(database.db, incident.id);
    console.log(`\nIncident #${incident.number} (${incident.severity}, ${incident.status}): ${incident.title}`);
    console.log(`Channel: #${incident.channel_name} (${channel})\n`);
    console.log('Timeline (UTC):');
    for (const entry of entries) {
      const marker = entry.kind.startsWith('milestone:')
        ? '★'
        : { command: '•', reaction: '📌', shortcut: '✂', system: '⚙' }[entry.source];
      const who = NAMES.get(entry.message?.authorId ?? entry.authorId) ?? entry.authorId;
      console.log(`  ${formatUtc(entry.occurredAt)}  ${marker} ${withNames(entry.text)}  — ${who}`);
    }
    await scheduleDebrief(workspace, clock, channel);
    await addActionItems(workspace, clock, channel);
    const markdown = await writePostmortem(workspace, clock, channel);
    console.log('\nThe postmortem, as `/postmortem export` uploaded it (postmortem-1.md):\n');
    console.log(markdown);
    await printMondayDigests(workspace);
    const posted = workspace.slack.messagesIn(channel).length;
    console.log(
      `\n${entries.length} timeline entries; Debrief made ${workspace.slack.calls.length} Slack API calls and posted ${posted} messages in the channel.`,
    );
    return 0;
  } finally {
    await workspace.stop();
    await database.close();
  }
}

/**
 * After the incident: the commander names an owner, who fills a few sections in their modals (the
 * rest keep Debrief's draft or a prompt), then exports. Returns the uploaded Markdown.
 */
async function writePostmortem(w: SimulatedWorkspace, clock: ScriptedClock, channel: string): Promise<string> {
  const postmortem = async (at: string, who: string, text: string) => {
    clock.at(at);
    const result = await w.command(who, channel, text, '/postmortem');
    const late = w.slack.responsesAt(result.responseUrl).at(-1)?.body as { text?: string } | undefined;
    const answer = (result.answer as { text?: string }).text || late?.text || '(a modal opened)';
    console.log(
      `${at.slice(11, 16)}Z ${NAMES.get(who)}: /postmortem ${text}\n         → ${withNames(answer.replace(/\n+/g, ' '))}`,
    );
  };
  const fill = async (at: string, who: string, section: string, values: Record<string, string>) => {
    await postmortem(at, who, `edit ${section}`);
    const viewId = w.slack.openedViews.at(-1)?.viewId;
    if (!viewId) throw new Error(`the ${section} modal did not open`);
    const response = await w.send(viewSubmissionBody(w.slack, { userId: who, viewId, values }));
    if (response.json)
      throw new Error(`the ${section} modal refused the demo's answers: ${JSON.stringify(response.json)}`);
  };
  console.log('\nWriting the postmortem…\n');
  await fill('2026-11-20T13:00:00Z', 'UBOB', 'summary', {
    summary:
      'Deploy 2026.11.20-3 of checkout-api exhausted the payments-db connection pool; about 12% of checkouts failed for 70 minutes until the deploy was rolled back.',
  });
  await fill('2026-11-20T13:10:00Z', 'UBOB', 'impact', {
    affected_services: 'checkout-api, payments-db',
    customer_visible: 'yes',
    affected: '12%',
    affected_of: 'checkout requests',
    data_loss: 'none',
    support_tickets: '38',
    narrative: 'Customers saw "payment failed"; no double charges (confirmed with the payments team).',
  });
  await fill('2026-11-20T13:20:00Z', 'UCAROL', 'contributing factors', {
    factors:
      'trigger: deploy 2026.11.20-3 opened a connection per request\nthe pool limit (50) had no alert before exhaustion\nload tests run against a mocked payments-db',
  });
  await fill('2026-11-20T13:30:00Z', 'UBOB', 'resolution', {
    mitigation: 'Rolled back checkout-api to 2026.11.20-2.',
    permanent_fix: 'Reuse pooled connections in the payment client; alert at 80% pool use.',
  });
  await postmortem('2026-11-20T13:40:00Z', 'UBOB', 'show');
  const uploads = w.slack.uploadedFiles.length;
  await postmortem('2026-11-20T13:45:00Z', 'UBOB', 'export');
  const file = w.slack.uploadedFiles.at(uploads);
  if (!file) throw new Error('the export uploaded no file');
  return file.content;
}

/**
 * The owner asks for debrief slots (participants in four zones), picks the first with the button,
 * and the demo prints the chosen slot and the agenda the calendar file carries.
 */
async function scheduleDebrief(w: SimulatedWorkspace, clock: ScriptedClock, channel: string): Promise<void> {
  clock.at('2026-11-20T10:10:00Z');
  await w.command('UDANA', channel, 'assign <@UBOB|bob> due 2026-11-27', '/postmortem');
  clock.at('2026-11-20T10:15:00Z');
  await w.command('UBOB', channel, 'debrief', '/postmortem');
  const proposal = w.slack
    .messagesIn(channel)
    .filter((m) => JSON.stringify(m.blocks ?? []).includes(ActionIds.debriefPick))
    .at(-1);
  if (!proposal) throw new Error('no debrief proposals were posted');
  console.log(`\n10:15Z bob: /postmortem debrief\n         → ${withNames(proposal.text.replace(/\n+/g, ' '))}`);
  clock.at('2026-11-20T10:20:00Z');
  await w.send(
    blockActionsBody(w.slack, {
      userId: 'UBOB',
      actionId: ActionIds.debriefPick,
      source: { channelId: channel, messageTs: proposal.ts },
    }),
  );
  await w.settle();
  const meeting = await w.debrief.database.db
    .selectFrom('debriefs')
    .select(['starts_at', 'ends_at'])
    .executeTakeFirstOrThrow();
  if (!meeting.starts_at || !meeting.ends_at) throw new Error('the picked debrief has no time');
  console.log(`10:20Z bob picks the first slot → debrief on ${slotUtc(meeting.starts_at, meeting.ends_at)}`);
  const ics = w.slack.uploadedFiles.find((f) => f.filename.startsWith('debrief-'));
  const description = ics?.content.replace(/\r\n[ \t]/g, '').match(/^DESCRIPTION:(.*)$/m)?.[1] ?? '';
  console.log(
    `\nAgenda (from ${ics?.filename ?? 'the calendar file'}):\n${description.replace(/\\n/g, '\n').replace(/\\([,;\\])/g, '$1')}`,
  );
}

/** Follow-up work, each item with an owner, a due date in the owner's zone, a priority and a type. */
async function addActionItems(w: SimulatedWorkspace, clock: ScriptedClock, channel: string): Promise<void> {
  const items: [string, string, string][] = [
    [
      '2026-11-20T10:30:00Z',
      'UBOB',
      'Reuse pooled connections in the payment client <@UALICE|alice> due 2026-11-23 priority high type prevent',
    ],
    ['2026-11-20T10:31:00Z', 'UBOB', 'Alert at 80% of the payments-db pool <@UCAROL|carol> due 2026-11-24 type detect'],
    [
      '2026-11-20T10:32:00Z',
      'UDANA',
      'Load test checkout against a real payments-db <@UBOB|bob> priority low type investigate',
    ],
  ];
  console.log('');
  for (const [at, who, text] of items) {
    clock.at(at);
    const result = await w.command(who, channel, `action ${text}`, '/postmortem');
    const answer = (result.answer as { text?: string }).text ?? '';
    console.log(
      `${at.slice(11, 16)}Z ${NAMES.get(who)}: /postmortem action ${withNames(text)}\n         → ${withNames(answer.replace(/\n+/g, ' '))}`,
    );
  }
}

/** What the reminder sweep would send on the first weekday after the incident, in each owner's morning. */
async function printMondayDigests(w: SimulatedWorkspace): Promise<void> {
  const now = new Date('2026-11-23T17:30:00Z'); // Monday: 09:30 in Los Angeles, later everywhere else
  const plans = await planSweep({ db: w.debrief.database.db, slack: w.debrief.slack, now, reminderHour: 9 });
  console.log(`\nReminder digests a sweep at ${now.toISOString()} would send (one per person and local day):`);
  for (const digest of plans.flatMap((plan) => plan.digests)) {
    console.log(digestAsText(digest).replace(/\bU[A-Z0-9]+\b/g, (id) => NAMES.get(id) ?? id));
  }
}

/** Slack renders `<@U…>` as a name; so does the demo's printout. */
function withNames(text: string): string {
  return text.replace(/<@(U[A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${NAMES.get(id) ?? id}`);
}

async function workspaceIdOf(workspace: SimulatedWorkspace): Promise<number | undefined> {
  const row = await workspace.debrief.database.db
    .selectFrom('workspaces')
    .select('id')
    .where('team_id', '=', workspace.slack.teamId)
    .executeTakeFirst();
  return row?.id;
}

/** The script: who says and does what, when, in their own time zones. */
async function playIncident(w: SimulatedWorkspace, clock: ScriptedClock): Promise<string> {
  const step = async (at: string, who: string, where: string, text: string) => {
    clock.at(at);
    const { answer } = await w.command(who, where, text);
    console.log(
      `${at.slice(11, 16)}Z ${NAMES.get(who)}: /incident ${text}\n         → ${withNames((answer.text ?? '').replace(/\n+/g, ' '))}`,
    );
  };
  const say = async (at: string, who: string, channelId: string, text: string) => {
    clock.at(at);
    console.log(`${at.slice(11, 16)}Z ${NAMES.get(who)}: ${text}`);
    return (await w.event({ kind: 'message', channelId, userId: who, text })).ts;
  };
  const pin = async (at: string, who: string, channelId: string, ts: string) => {
    clock.at(at);
    console.log(`${at.slice(11, 16)}Z ${NAMES.get(who)} reacts :pushpin:`);
    await w.event({ kind: 'reaction_added', channelId, ts, userId: who, reaction: 'pushpin' });
  };
  console.log('Simulating an incident in a Slack workspace (offline; times are UTC)…\n');
  await step('2026-11-20T08:19:00Z', 'UDANA', 'CGENERAL', 'start sev2 Checkout returns 500s');
  const channel = w.slack.channelIdByName('inc-20261120-checkout-returns-500s');
  if (!channel) throw new Error('the incident channel was not created');
  for (const person of ['UBOB', 'UCAROL', 'UALICE']) w.slack.joinChannel(channel, person);

  await step('2026-11-20T08:20:00Z', 'UDANA', channel, 'role commander <@UDANA|dana>');
  const alert = await say(
    '2026-11-20T08:20:30Z',
    'UCAROL',
    channel,
    'PagerDuty: checkout-api 5xx rate 12% (SLO burn 14x)',
  );
  await pin('2026-11-20T08:21:00Z', 'UDANA', channel, alert);
  await step('2026-11-20T08:22:00Z', 'UBOB', channel, 'milestone started 09:12'); // Berlin
  await step('2026-11-20T08:23:00Z', 'UCAROL', channel, 'milestone detected 13:48'); // Kolkata
  await step('2026-11-20T08:24:00Z', 'UDANA', channel, 'milestone acknowledged 08:21'); // London
  await step('2026-11-20T08:29:00Z', 'UBOB', channel, 'timeline 09:26 deploy 2026.11.20-3 of checkout-api finished');
  await step(
    '2026-11-20T08:34:00Z',
    'UCAROL',
    channel,
    'timeline 14:02 connection pool to payments-db exhausted (max 50)',
  );
  await step('2026-11-20T08:36:00Z', 'UDANA', channel, 'severity sev1');
  await step('2026-11-20T08:37:00Z', 'UDANA', channel, 'role scribe <@UALICE|alice>');
  await say('2026-11-20T08:40:00Z', 'UBOB', channel, 'rolling back checkout-api to 2026.11.20-2');
  await step(
    '2026-11-20T08:42:00Z',
    'UBOB',
    channel,
    'timeline 10m ago decided to roll back rather than raise the pool size',
  );
  await step(
    '2026-11-20T08:47:00Z',
    'UDANA',
    channel,
    'status Rollback in progress; checkout error rate falling (12% → 4%)',
  );
  const fixed = await say('2026-11-20T08:52:00Z', 'UBOB', channel, 'rollback complete, 5xx back under 0.1%');
  await pin('2026-11-20T08:53:00Z', 'UALICE', channel, fixed);
  await step('2026-11-20T08:54:00Z', 'UCAROL', channel, 'milestone mitigated 14:22');
  await step(
    '2026-11-20T09:31:00Z',
    'UALICE',
    channel,
    'timeline 01:30 confirmed with payments team: no double charges',
  ); // Los Angeles
  await step(
    '2026-11-20T09:56:00Z',
    'UDANA',
    channel,
    'resolve 09:55 rolled back checkout-api; pool size fix to follow',
  );
  return channel;
}

// `npm run demo` runs this file directly with tsx.
if (require.main === module) {
  runDemo(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
