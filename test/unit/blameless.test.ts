import { findBlame, findVagueActionItem } from '../../src/domain/blameless';

const names = ['Bob', 'Alice', 'Carol', 'Dana Smith'];

/** Sentences that pin the outcome on a person. */
const BLAMING = [
  'Bob forgot to update the config.',
  '<@U123> failed to run the migration before deploying.',
  "It was Alice's fault.",
  'The outage was caused by Carol.',
  '@dave should have checked the dashboard.',
  'Bob was careless with the rollout.',
  'Human error: the wrong flag was set.',
  "Alice didn't notice the disk filling up.",
  'He forgot to renew the certificate.',
  'Dana Smith neglected to follow the runbook.',
  "The incident was caused by <@U123|bob>'s typo.",
  'Carol simply ignored the alert.',
  "Bob really should've rolled back sooner.",
  'The on-call engineer missed the page.',
  'Someone fat-fingered the DNS record.',
  'Alice broke production with a bad query.',
  '<@U456> did not check the replica lag.',
  "This was Bob's mistake.",
  'Blame on Carol for skipping the review.',
  'Bob made a mistake in the config.',
  "She didn't follow the checklist.",
  'Operator error by Dana Smith.',
  'Alice is to blame.',
  'bob messed up the migration order.',
  'The root cause was that <@U999> forgot the feature flag.',
];

/** Sentences about people or failures that blame nobody. */
const NEUTRAL = [
  '@bob rolled back the deploy.',
  'The alert failed to fire.',
  'Bob paged the database team.',
  'Carol noticed the error rate climbing.',
  '<@U123> confirmed the fix in production.',
  "The health check didn't notice the stale cache.",
  'The runbook should have covered this case.',
  'Thanks to Alice we caught it early.',
  'Bob was on call.',
  '@bob noticed the alert failed to fire.',
  'The migration was caused by a schema change.',
  'Alice and Bob joined the bridge at 09:20.',
  'The config change caused the failures.',
  'Dana Smith wrote the fix and Carol reviewed it.',
  'The monitoring missed the slow leak.',
  'Nothing in the process checked the timeout value.',
  'The canary should have caught this, but it only covers 1% of traffic.',
  'We rolled back at 09:45 and errors stopped.',
  '<@U456|carol> restarted the pods.',
  'Bob asked whether the cache had expired.',
  "Alice's rollback fixed it.",
  'The on-call engineer acknowledged the page within 2 minutes.',
  "Bob's fault-injection test found the bug.",
  'The job failed to start because the disk was full.',
  'he restarted the service and the queue drained.',
  'Email bob@example.com failed to arrive.',
];

describe('findBlame', () => {
  test.each(BLAMING)('flags: %s', (sentence) => {
    const warnings = findBlame(sentence, { names });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.sentence).toBe(sentence);
    expect(warnings[0]!.suggestion.length).toBeGreaterThan(20);
  });

  test.each(NEUTRAL)('leaves alone: %s', (sentence) => {
    expect(findBlame(sentence, { names })).toEqual([]);
  });

  test('the corpus is big enough to mean something', () => {
    expect(BLAMING.length).toBeGreaterThanOrEqual(20);
    expect(NEUTRAL.length).toBeGreaterThanOrEqual(20);
  });

  test('says who, with which words, and suggests systemic wording', () => {
    const [warning] = findBlame('Bob forgot to update the config.', { names });
    expect(warning).toMatchObject({ person: 'Bob', phrase: 'forgot to', category: 'omission', index: 0 });
    expect(warning!.suggestion).toContain('"Nothing in the process made sure someone would update the config."');
    expect(findBlame('It was caused by <@U1>.', {})[0]).toMatchObject({ person: '<@U1>', category: 'attribution' });
  });

  test('finds each blaming sentence in a paragraph, with where it starts', () => {
    const text = 'The deploy went out at 09:00. Carol forgot to flip the flag! Then the alert fired.\nBob was careless';
    const warnings = findBlame(text, { names });
    expect(warnings.map((w) => [w.sentence, w.index])).toEqual([
      ['Carol forgot to flip the flag!', 30],
      ['Bob was careless', 83],
    ]);
  });

  test('names are matched as whole words, in any case, and only when given', () => {
    expect(findBlame('bobby forgot to renew it', { names })).toEqual([]);
    expect(findBlame('Jimbob forgot to renew it', { names })).toEqual([]);
    expect(findBlame('ALICE forgot to renew it', { names })).toHaveLength(1);
    expect(findBlame('Erin forgot to renew it', { names })).toEqual([]);
    expect(findBlame('Erin forgot to renew it', { names: ['Erin'] })).toHaveLength(1);
  });

  test('stays linear on long text', () => {
    const long = `${'Bob rolled back the deploy and the errors stopped. '.repeat(2000)}Bob forgot to renew it.`;
    expect(findBlame(long, { names })).toHaveLength(1);
  });
});

describe('findVagueActionItem', () => {
  test.each([
    ['Investigate the outage', 'investigate_without_question'],
    ['Look into the database', 'investigate_without_question'],
    ['Be more careful with configs', 'relies_on_vigilance'],
    ['Double-check deploys on Fridays', 'relies_on_vigilance'],
    ['Improve monitoring', 'unspecific_improvement'],
    ['We need better alerting.', 'unspecific_improvement'],
    ['Improve monitoring overall', 'unspecific_improvement'],
  ])('flags "%s" (%s)', (text, kind) => {
    expect(findVagueActionItem(text).map((w) => w.kind)).toEqual([kind]);
  });

  test.each([
    'Investigate why the connection pool did not recover after the failover',
    'Find out whether retries doubled the load?',
    'Improve monitoring of the payments queue depth',
    'Alert when checkout 5xx exceeds 2% for 5 minutes',
    'Add a config schema check to CI',
  ])('leaves alone "%s"', (text) => {
    expect(findVagueActionItem(text)).toEqual([]);
  });

  test('an investigate item must ask a question whatever its words', () => {
    expect(findVagueActionItem('Payments timeouts', 'investigate').map((w) => w.kind)).toEqual([
      'investigate_without_question',
    ]);
    expect(findVagueActionItem('Why do payments time out?', 'investigate')).toEqual([]);
  });
});
