import { listTimeline } from '../../src/db/timeline';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';

describe('local times in summer (Los Angeles on PDT, UTC−7)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('embedded', new Date('2026-07-10T20:00:00Z'));
  });
  afterAll(async () => h.stop());

  test('/incident timeline 09:05 from a Los Angeles user is stored at 16:05 UTC', async () => {
    await h.command(PEOPLE.alice.id, GENERAL, 'start sev3 Summer outage');
    const channelId = h.slack.channelIdByName('inc-20260710-summer-outage')!;
    const { answer } = await h.command(PEOPLE.alice.id, channelId, 'timeline 09:05 paged the database team');
    expect(answer.text).toMatch(/16:05 UTC — 09:05 your time/);
    const row = await h.database.db
      .selectFrom('incidents')
      .select('id')
      .where('channel_id', '=', channelId)
      .executeTakeFirstOrThrow();
    const note = (await listTimeline(h.database.db, row.id)).find((e) => e.source === 'command');
    expect(note?.occurredAt.toISOString()).toBe('2026-07-10T16:05:00.000Z');
  });
});
