/**
 * The floor under (4), in a process of its own (forked by bench/run.ts): the statement that stores an
 * `/incident timeline` note (insertNoteInChannel, through Debrief's own pool, Kysely and prepared
 * statement) paced at the same rate for the same time, with no HTTP, no Bolt and no app in between.
 * Every note commits on its own (synchronous_commit as the server has it), so its tail is what the
 * server's commits cost on this machine: no app can answer faster than the statement it waits for.
 * Latency is measured from when each note was due, as bench/load.ts measures the app's.
 */
import { performance } from 'node:perf_hooks';
import { openPostgres } from '../src/db/connect';
import { insertNoteInChannel } from '../src/db/timeline';
import { latencySummary } from './latency';
import { paceEvenly } from './pacing';

async function main() {
  const url = process.env.BENCH_DATABASE_URL;
  const teamId = process.env.BENCH_TEAM_ID;
  const channelId = process.env.BENCH_CHANNEL_ID;
  const rate = Number(process.env.BENCH_RATE);
  const seconds = Number(process.env.BENCH_SECONDS);
  if (!url || !teamId || !channelId || !(rate > 0) || !(seconds > 0))
    throw new Error('timeline floor: missing settings');
  const database = openPostgres(url);
  try {
    const { id: workspaceId } = await database.db
      .selectFrom('workspaces')
      .select('id')
      .where('team_id', '=', teamId)
      .executeTakeFirstOrThrow();
    let n = 0;
    const note = async () => {
      const now = new Date();
      const stored = await insertNoteInChannel(
        database.db,
        { workspaceId, channelId },
        { authorId: 'UP0001', text: `graph moved again (floor ${n++})`, occurredAt: now, recordedAt: now },
      );
      if (!stored) throw new Error(`timeline floor: no incident in ${channelId}`);
    };
    const paced = async (forSeconds: number) => {
      const latencies = new Float64Array(Math.round(forSeconds * rate));
      const pending: Promise<void>[] = [];
      await paceEvenly(rate, latencies.length, (index, due) => {
        pending.push(
          note().then(() => {
            latencies[index] = performance.now() - due;
          }),
        );
      });
      await Promise.all(pending);
      return latencies.sort();
    };
    await paced(2);
    const sorted = await paced(seconds);
    return {
      rate,
      seconds,
      notes: sorted.length,
      latencyMs: latencySummary(sorted),
    };
  } finally {
    await database.close();
  }
}

main().then(
  (result) => process.send?.({ type: 'result', result }, () => process.exit(0)),
  (error: unknown) =>
    process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
);
