/**
 * Ceiling 1: the framework alone. The same Bolt HTTPReceiver Debrief uses (same endpoint, signature
 * check, processBeforeResponse, unhandled-request timeout) with a message listener that does nothing.
 * Whatever Debrief does per event comes on top of this.
 *
 * Given a database and an incident channel (BENCH_DATABASE_URL, BENCH_TEAM_ID, BENCH_CHANNEL_ID), it
 * also answers `/incident` by storing the note with Debrief's own statement (insertNoteInChannel,
 * through Debrief's pool) and nothing else: the floor under `/incident timeline` for any Bolt app that
 * commits the note before it answers.
 */
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { openPostgres } from '../src/db/connect';
import { insertNoteInChannel } from '../src/db/timeline';

async function main() {
  const signingSecret = process.env.BENCH_SIGNING_SECRET ?? '';
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: '/slack/events',
    processBeforeResponse: true,
    unhandledRequestTimeoutMillis: 3_001,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: 'xoxb-noop',
    botId: 'BDEBRIEF',
    botUserId: 'UDEBRIEF',
    tokenVerificationEnabled: false,
    receiver,
    logLevel: LogLevel.ERROR,
  });
  app.event('message', async () => undefined);
  const { BENCH_DATABASE_URL: url, BENCH_TEAM_ID: teamId, BENCH_CHANNEL_ID: channelId } = process.env;
  const database = url ? openPostgres(url) : undefined;
  if (database && teamId && channelId) {
    const { id: workspaceId } = await database.db
      .selectFrom('workspaces')
      .select('id')
      .where('team_id', '=', teamId)
      .executeTakeFirstOrThrow();
    app.command('/incident', async ({ command, ack }) => {
      const now = new Date();
      const stored = await insertNoteInChannel(
        database.db,
        { workspaceId, channelId },
        { authorId: command.user_id, text: command.text, occurredAt: now, recordedAt: now },
      );
      await ack(stored ? `Added to the timeline of #${stored.incidentNumber}` : 'No incident here');
    });
  }
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as { address(): AddressInfo };
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${server.address().port}` });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void Promise.all([app.stop(), database?.close()]).then(() => process.exit(0));
  });
}

void main();
