/**
 * The app under test, in a process of its own (forked by bench/run.ts): the real Debrief
 * (startDebrief, as `npm start` runs it) alone, on 127.0.0.1 with a free port, over Postgres
 * (BENCH_DATABASE_URL) or the embedded database (BENCH_DATA_DIR). Slack is the stand-in of test/kit in a
 * child process of its own (bench/stand-in-client.ts), so this process's memory and CPU are Debrief's.
 * It declares an incident with a dedicated channel, then tells the parent where to send requests. The
 * parent asks it over IPC for the export measurement.
 */
import { constants, type PerformanceEntry, PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { sql } from 'kysely';
import { loadConfig } from '../src/config';
import { type DatabaseHandle, openEmbedded, openPostgres } from '../src/db/connect';
import { type RunningDebrief, startDebrief } from '../src/main';
import type { Scope } from '../src/services/context';
import { incidentInChannel } from '../src/services/incidents';
import { exportMarkdown } from '../src/services/postmortems';
import type { Collections, HeapBreakdown } from './ipc';
import type { Target } from './payloads';
import { type CommandAnswer, startStandInProcess } from './stand-in-client';

const TEAM_ID = 'T0SIMULATED';
const BOT_TOKEN = 'xoxb-simulated';
const BOT_USER_ID = 'UDEBRIEF';
const SIGNING_SECRET = 'bench-signing-secret';
const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'];
/** The people of the bench workspace; the first ten post in the incident channel. */
const PEOPLE = Array.from({ length: 50 }, (_, i) => {
  const id = `UP${String(i + 1).padStart(4, '0')}`;
  return { id, name: `person${i + 1}`, tz: ZONES[i % ZONES.length]! };
});
const POSTERS = PEOPLE.slice(0, 10).map((p) => p.id);
const GENERAL = 'CGENERAL';

async function openDatabase(): Promise<DatabaseHandle> {
  const url = process.env.BENCH_DATABASE_URL;
  if (url) return openPostgres(url);
  const dir = process.env.BENCH_DATA_DIR;
  if (!dir) throw new Error('set BENCH_DATABASE_URL or BENCH_DATA_DIR');
  return openEmbedded(dir);
}

/**
 * V8's collections in this process since the last ask: full (mark-compact) ones and scavenges, with
 * their pauses. The timeline run's tail follows the full ones (README, "What limits the missed ones").
 */
function countCollections(): () => Collections {
  const zero = (): Collections => ({ full: 0, fullPauseMs: 0, scavenges: 0, scavengePauseMs: 0 });
  let counts = zero();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // Node puts the kind of collection on `detail` (https://nodejs.org/api/perf_hooks.html#garbage-collection-gc-details).
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        counts.full += 1;
        counts.fullPauseMs += entry.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        counts.scavenges += 1;
        counts.scavengePauseMs += entry.duration;
      }
    }
  }).observe({ entryTypes: ['gc'] });
  return () => {
    const taken = counts;
    counts = zero();
    return {
      ...taken,
      fullPauseMs: Math.round(taken.fullPauseMs * 10) / 10,
      scavengePauseMs: Math.round(taken.scavengePauseMs * 10) / 10,
    };
  };
}

function heapBreakdown(): HeapBreakdown {
  const mb = (bytes: number) => Math.round(bytes / 1048576);
  const usage = process.memoryUsage();
  return {
    rssMb: mb(usage.rss),
    spacesMb: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_size)])),
    externalMb: mb(usage.external),
    arrayBuffersMb: mb(usage.arrayBuffers),
  };
}

async function main() {
  const collections = countCollections();
  const database = await openDatabase();
  const slack = await startStandInProcess(
    { teamId: TEAM_ID, botToken: BOT_TOKEN, rateLimits: true, signingSecret: SIGNING_SECRET },
    PEOPLE,
  );
  await slack.ask({
    type: 'channel',
    id: GENERAL,
    name: 'general',
    members: [...PEOPLE.map((p) => p.id), BOT_USER_ID],
  });
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
  });
  const debrief = await startDebrief(config, { database });
  /** A slash command as a person sends it (signed by the stand-in), once the work it started is done. */
  const command = async (userId: string, channelId: string, text: string) => {
    const answer = await slack.ask<CommandAnswer>({ type: 'command', appUrl: debrief.url, userId, channelId, text });
    await debrief.background.drain();
    return answer;
  };

  /** Declares an incident with its own channel through the app, as a person would; answers its channel. */
  const declare = async (title: string) => {
    // A title of its own per process: a restart over the same data must declare anew, not find the
    // earlier declaration (the same person and title within 10 minutes is taken as a retry).
    const answer = await command(POSTERS[0]!, GENERAL, `start sev2 ${title} (bench ${process.pid})`);
    if (answer.status !== 200) throw new Error(`/incident start answered ${answer.status}`);
    const row = await database.db
      .selectFrom('incidents')
      .select(['id', 'channel_id', 'channel_name'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    if (!row.channel_id || !row.channel_name) throw new Error('the incident got no channel');
    await slack.ask({ type: 'join', channelId: row.channel_id, userIds: POSTERS });
    return { incidentId: row.id, channelId: row.channel_id, channelName: row.channel_name };
  };

  // On a restart over existing data, a fresh stand-in hands out the same channel ids again: close
  // the earlier run's incidents so that their channels do not clash with the new ones.
  await database.db
    .updateTable('incidents')
    .set({ status: 'resolved', closed_at: new Date() })
    .where('status', '=', 'investigating')
    .execute();
  const incident = await declare('Checkout returns 500s');
  // Each poster runs a command once, so that users.info answers are cached as they would be in a
  // running app (the load is about the app, not about a cold cache racing Slack's rate limits).
  for (const person of POSTERS) {
    const answer = await command(person, incident.channelId, 'timeline 09:00 joined the investigation');
    if (!answer.text?.startsWith('Added to the timeline')) throw new Error(`warm-up: ${answer.text}`);
  }

  const target: Target = {
    url: debrief.url,
    signingSecret: SIGNING_SECRET,
    teamId: TEAM_ID,
    appId: slack.appId,
    verificationToken: slack.verificationToken,
    botUserId: BOT_USER_ID,
    channelId: incident.channelId,
    channelName: incident.channelName,
    userIds: POSTERS,
  };
  process.send?.({ type: 'ready', target, incidentId: incident.incidentId });

  process.on('message', (message: { type: string; entries?: number; items?: number }) => {
    const reply = (work: () => Promise<unknown>) =>
      work().then(
        (result) => process.send?.({ type: message.type, result }),
        (error: unknown) => process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) }),
      );
    if (message.type === 'collections') {
      void reply(async () => collections());
    } else if (message.type === 'heap') {
      void reply(async () => heapBreakdown());
    } else if (message.type === 'export') {
      void reply(() => measureExport(database, debrief, declare, message.entries ?? 10_000, message.items ?? 200));
    } else if (message.type === 'stop') {
      void debrief
        .stop()
        .then(() => slack.stop())
        .then(() => database.close())
        .then(() => process.exit(0));
    }
  });
}

/**
 * A second incident, filled straight in the database (server-side generate_series, so that the
 * app's memory holds only what the export itself reads) with `entries` timeline entries from 40
 * people and `items` action items, then exported to Markdown the way `/postmortem export` does.
 */
async function measureExport(
  database: DatabaseHandle,
  debrief: RunningDebrief,
  declare: (title: string) => Promise<{ incidentId: number; channelId: string }>,
  entries: number,
  items: number,
) {
  const { incidentId, channelId } = await declare('Payments queue backs up');
  const { db } = database;
  const seedStarted = performance.now();
  await sql`
    insert into timeline_entries
      (incident_id, source, kind, author_id, text, occurred_at, recorded_at, message_channel_id, message_ts, message_author_id)
    select ${incidentId},
      s.source,
      'note',
      'UP' || lpad(((g % 40) + 1)::text, 4, '0'),
      'Step ' || g || ': ' || (array['rolled back the 14:02 deploy', 'p99 latency on checkout climbed to 4 s',
        'replica lag back under 1 s', 'paged the payments on-call', 'queue depth 12k and falling',
        'error rate 0.4 % after the cache flush'])[1 + g % 6]
        || case when g % 25 = 0 then ' cc <@UP0003>' else '' end,
      now() - interval '3 hours' + g * interval '1 second',
      now() - interval '3 hours' + g * interval '1 second' + interval '20 seconds',
      case when s.source <> 'command' then ${channelId} end,
      case when s.source <> 'command' then (1600000000 + g)::text || '.000100' end,
      case when s.source <> 'command' then 'UP' || lpad(((g % 40) + 1)::text, 4, '0') end
    from generate_series(1, ${entries - 1}) g
    cross join lateral (select case when g % 10 < 6 then 'reaction' when g % 10 < 9 then 'command' else 'shortcut' end as source) s
  `.execute(db);
  await sql`
    insert into action_items
      (incident_id, number, text, owner_id, due_date, priority, type, status, cancel_reason, ticket_url, created_by, created_at)
    select ${incidentId}, g,
      'Follow-up ' || g || ': add an alert on queue depth above 10k for the payments consumer',
      'UP' || lpad(((g % 40) + 1)::text, 4, '0'),
      case when g % 7 = 0 then null else to_char(current_date + g, 'YYYY-MM-DD') end,
      case when g % 7 = 0 then 'low' when g % 3 = 0 then 'high' else 'medium' end,
      (array['prevent', 'detect', 'mitigate', 'repair', 'process', 'investigate'])[1 + g % 6],
      case when g % 10 = 0 then 'done' when g % 17 = 0 then 'cancelled' else 'open' end,
      case when g % 17 = 0 and g % 10 <> 0 then 'decided not to do: covered by #' || (g - 1) end,
      case when g % 4 = 0 then 'https://tracker.example.com/PAY-' || g end,
      'UP0001', now()
    from generate_series(1, ${items}) g
  `.execute(db);
  const seedMs = performance.now() - seedStarted;
  const workspaceRow = await db
    .selectFrom('workspaces')
    .select('id')
    .where('team_id', '=', TEAM_ID)
    .executeTakeFirstOrThrow();
  const scope = (): Scope => ({
    db,
    slack: debrief.slack,
    workspace: { teamId: TEAM_ID, enterpriseId: null, isEnterpriseInstall: false },
    workspaceId: workspaceRow.id,
    now: new Date(),
  });
  const once = async () => {
    const started = performance.now();
    const incident = await incidentInChannel(scope(), channelId, { includeClosed: true, example: '' });
    const { markdown } = await exportMarkdown(scope(), incident);
    return { ms: performance.now() - started, bytes: Buffer.byteLength(markdown), lines: markdown.split('\n').length };
  };
  // The first export also creates the draft and asks Slack (the stand-in) for the names of 40 people.
  const first = await once();
  const warm: number[] = [];
  let last = first;
  for (let i = 0; i < 5; i++) {
    last = await once();
    warm.push(last.ms);
  }
  warm.sort((a, b) => a - b);
  return {
    entries,
    items,
    seedMs: Math.round(seedMs),
    firstMs: Math.round(first.ms),
    warmMedianMs: Math.round(warm[Math.floor(warm.length / 2)]!),
    warmMaxMs: Math.round(warm[warm.length - 1]!),
    markdownBytes: last.bytes,
    markdownLines: last.lines,
  };
}

main().catch((error: unknown) => {
  process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) });
  process.exit(1);
});
