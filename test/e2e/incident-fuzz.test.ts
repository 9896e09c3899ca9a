import fc from 'fast-check';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';

const NOW = new Date('2026-11-20T20:00:00Z');

const SUBCOMMANDS = [
  '',
  'start ',
  'start --here ',
  'start --private ',
  'timeline ',
  'milestone ',
  'resolve ',
  'resolve --duplicate-of ',
  'reopen ',
  'severity ',
  'role ',
  'status ',
  'help ',
  'TIMELINE ',
  'Role commander ',
];

/** Text as people type it, and as Slack escapes it: words, times, mentions, emoji, noise, and very long runs. */
const commandText = fc
  .tuple(
    fc.constantFrom(...SUBCOMMANDS),
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(
        '09:05 rolled back',
        '25:99 nope',
        '2026-13-01 x',
        '10m ago fixed',
        'sev2 Checkout 500s',
        'sev9',
        '<@UBOB|bob>',
        '<@UNOBODY>',
        '#12',
        '🔥🔥🔥',
        '-- --here',
        '&lt;script&gt;',
        'NUL \u0000 byte',
      ),
      fc.string({ minLength: 3000, maxLength: 6000 }),
    ),
  )
  .map(([subcommand, rest]) => `${subcommand}${rest}`);

describe('any /incident text gets a helpful answer through the real app', () => {
  let h: Harness;
  let incidentChannel: string;
  beforeAll(async () => {
    h = await startHarness('embedded', NOW);
    await h.command(PEOPLE.alice.id, GENERAL, 'start sev3 Fuzzing target');
    incidentChannel = h.slack.channelIdByName('inc-20261120-fuzzing-target')!;
    h.slack.joinChannel(incidentChannel, PEOPLE.bob.id);
  });
  afterAll(async () => h.stop());

  test('a NUL character (which Postgres text cannot hold) is dropped, not a failure', async () => {
    const { answer } = await h.command(
      PEOPLE.bob.id,
      incidentChannel,
      'timeline 2026-11-20T09:00:00Z db\u0000 restarted',
    );
    expect(answer.text).toMatch(/Added to the timeline/);
    const stored = await h.database.db
      .selectFrom('timeline_entries')
      .select('text')
      .where('text', '=', 'db restarted')
      .execute();
    expect(stored).toHaveLength(1);
  });

  test('never a 500, never silence', async () => {
    await fc.assert(
      fc.asyncProperty(commandText, fc.constantFrom(GENERAL, 'incident'), async (text, where) => {
        const channel = where === 'incident' ? incidentChannel : GENERAL;
        const { status, answer } = await h.command(PEOPLE.bob.id, channel, text);
        expect(status).toBe(200);
        const opensModal = text.trim().toLowerCase() === 'start';
        if (!opensModal) {
          expect(typeof answer.text).toBe('string');
          expect(answer.text!.trim().length).toBeGreaterThan(0);
          expect(answer.text).not.toMatch(/Something went wrong/);
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
