import fc from 'fast-check';
import { applyEveryRule, redactSecrets, storableText } from '../../src/domain/redact';
import { ORDINARY_TEXTS, SECRET_CASES } from '../fixtures/redaction/corpus';

const PRIVATE_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('redactSecrets removes credentials', () => {
  test.each([
    ['Slack bot token', 'the bot uses xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp now', 'xoxb-1234567890'],
    ['Slack user token', 'pasted xoxp-11111111-22222222-abcdefabcdef by mistake', 'xoxp-11111111'],
    ['Slack app token', 'SLACK_APP_TOKEN=xapp-1-A0123456789-1234567890123-abcdef0123', 'xapp-1-A0123'],
    ['AWS access key', 'key id AKIAIOSFODNN7EXAMPLE in the logs', 'AKIAIOSFODNN7EXAMPLE'],
    ['password=', 'db login password=hunter2!x and retry', 'hunter2'],
    ['api_key: "…"', 'config api_key: "sk_live_abc 123" was wrong', 'sk_live_abc'],
    ['Bearer token', 'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig" …', 'eyJhbGciOiJIUzI1NiJ9'],
  ])('%s', (_kind, text, secret) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain('[redacted');
  });

  test('keeps the surrounding words and the kind of thing that was pasted', () => {
    expect(redactSecrets('db login password=hunter2 and retry')).toBe(
      'db login password=[redacted password] and retry',
    );
    expect(redactSecrets('Authorization: Bearer abcdefghijklmnop')).toBe(
      'Authorization: Bearer [redacted bearer token]',
    );
    expect(redactSecrets('token xoxb-1234567890-abcdef here')).toBe('token [redacted Slack token] here');
    expect(redactSecrets('id AKIAIOSFODNN7EXAMPLE.')).toBe('id [redacted AWS access key].');
  });

  test('keeps names, quotes, schemes, users and hosts around the removed value', () => {
    expect(redactSecrets('export DB_PASSWORD=hunter2!x and retry')).toBe(
      'export DB_PASSWORD=[redacted password] and retry',
    );
    expect(redactSecrets('PGPASSWORD=Tr0ub4dor&3 psql')).toBe('PGPASSWORD=[redacted password] psql');
    expect(redactSecrets('SLACK_SIGNING_SECRET=8f742231b10e8888')).toBe('SLACK_SIGNING_SECRET=[redacted secret]');
    expect(redactSecrets('  client_secret: GOCSPX-abc123')).toBe('  client_secret: [redacted secret]');
    expect(redactSecrets('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG')).toBe(
      'aws_secret_access_key = [redacted AWS secret key]',
    );
    expect(redactSecrets('{"password":"c0rrect horse","user":"app"}')).toBe(
      '{"password":"[redacted password]","user":"app"}',
    );
    expect(redactSecrets("apiKey: 'abc123def'")).toBe("apiKey: '[redacted API key]'");
    expect(redactSecrets('the password=Winter2024).')).toBe('the password=[redacted password]).');
    expect(redactSecrets('postgres://app:S3cr3t@db:5432/orders')).toBe(
      'postgres://app:[redacted password]@db:5432/orders',
    );
    expect(redactSecrets("-H 'Authorization: Basic YWRtaW46aHVudGVyMg=='")).toBe(
      "-H 'Authorization: Basic [redacted basic credentials]'",
    );
    expect(redactSecrets('retry with Bearer 8f14e45fceea167a5a36')).toBe('retry with Bearer [redacted bearer token]');
    expect(redactSecrets('temporary key ASIAY34FZKBOKMUTVV7A expired')).toBe(
      'temporary key [redacted AWS access key] expired',
    );
    expect(redactSecrets('cookie d=xoxd-Ab3%2BcDeFgHiJ%3D;')).toBe('cookie d=[redacted Slack token];');
    expect(redactSecrets('rotated to xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTA')).toBe('rotated to [redacted Slack token]');
  });

  test('a multi-line private key block is removed whole, text after it is kept', () => {
    const text = `here is the key\n${PRIVATE_KEY}\nplease rotate it`;
    const redacted = redactSecrets(text);
    expect(redacted).toBe('here is the key\n[redacted private key]\nplease rotate it');
    expect(redacted).not.toMatch(/MIIE|VTLw|BEGIN|END/);
  });

  test('a private key pasted without its END line is removed to the end of the text', () => {
    const truncated = PRIVATE_KEY.split('\n').slice(0, 3).join('\n');
    const redacted = redactSecrets(`oops ${truncated}`);
    expect(redacted).toBe('oops [redacted private key]');
  });

  test('several credentials in one message are all removed', () => {
    const text = `token xoxb-1234567890-abcdef, key AKIAIOSFODNN7EXAMPLE, password=hunter2\n${PRIVATE_KEY}`;
    const redacted = redactSecrets(text);
    for (const secret of ['xoxb-1234567890', 'AKIAIOSFODNN7EXAMPLE', 'hunter2', 'MIIE']) {
      expect(redacted).not.toContain(secret);
    }
  });
});

describe('redactSecrets leaves incident talk alone', () => {
  test.each([
    '500s on /checkout',
    'sev2',
    'error rate 12%',
    'see https://grafana.example.com/d/abc123/checkout?orgId=1&from=now-1h',
    '<@U123|bob> is looking at the load balancer',
    'rolled back deploy 4f2c9e1 at 10:42 UTC',
    'p99 latency 2300ms, 3 pods in CrashLoopBackOff',
    '',
  ])('%j', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactSecrets properties', () => {
  test('never throws on arbitrary strings and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const once = redactSecrets(text);
        expect(redactSecrets(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  /** Text made of incident talk and credential-looking fragments, so the property meets the patterns. */
  const fragment = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom(
      ' ',
      '\n',
      'password=',
      'api_key: ',
      'secret=',
      'Bearer ',
      'Authorization: Bearer abcdefghijkl',
      'xoxb-1234567890ab',
      'xapp-1-ABCDEFGHIJ',
      'AKIAIOSFODNN7EXAMPLE',
      '"quoted value"',
      '-----BEGIN PRIVATE KEY-----',
      '-----END PRIVATE KEY-----',
      '[redacted password]',
      'DB_PASSWORD=',
      '"client_secret": "',
      'x-api-key: ',
      'postgres://app:',
      '@db:5432',
      'Authorization: Basic ',
      'xoxc-1234567890-abc',
      'ASIAY34FZKBOKMUTVV7A',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx.sig',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'DB_PWD=',
      'private-key: ',
      'https://hooks.slack.com/services/T0/B0/abc',
      'glpat-abcdefghijklmnopqrst',
      'sk_live_abcdefghijkl',
      'AIzaSyA1234567890abcdefghijklmnopqrstu',
      '\\"',
      ')',
      '.',
    ),
  );
  const credentialLikeText = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));

  test('is idempotent on text full of credential-looking fragments', () => {
    fc.assert(
      fc.property(credentialLikeText, (text) => {
        const once = redactSecrets(text);
        expect(redactSecrets(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  test('is idempotent on a redacted password (an entry edited after capture is redacted again)', () => {
    for (const text of [
      'password=hunter2',
      'api_key: "abc def"',
      'secret=xoxb-1234567890',
      // found by fast-check: a value ending in the backslash of an escaped quote
      '"client_secret": "DB_PASSWORD=\\"',
      '"k_token": "a DB_PASSWORD=foo\\"',
    ]) {
      const once = redactSecrets(text);
      expect(redactSecrets(once)).toBe(once);
    }
  });

  /** The same text with each letter's case flipped or not: the cues are compared ignoring case. */
  const anyCase = (text: string) =>
    fc
      .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
      .map((flips) => [...text].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

  // redactSecrets skips the patterns when no rule's cue is in the text: a rule whose match can lack
  // every cue of its own would let that credential through, and these tests catch it.
  test('answers what every rule run in turn answers, on credential-looking text in any case', () => {
    fc.assert(
      fc.property(credentialLikeText.chain(anyCase), (text) => {
        expect(redactSecrets(text)).toBe(applyEveryRule(text));
      }),
      { numRuns: 1000 },
    );
  });

  test('answers what every rule run in turn answers, on the redaction corpus', () => {
    for (const text of [...SECRET_CASES.map((c) => c.text), ...ORDINARY_TEXTS]) {
      expect(redactSecrets(text)).toBe(applyEveryRule(text));
      expect(redactSecrets(text.toUpperCase())).toBe(applyEveryRule(text.toUpperCase()));
    }
  });

  test('gives back text without a cue as it is', () => {
    const talk = 'rolled back the deploy; checkout latency p99 back to 180 ms on the primary';
    expect(redactSecrets(talk)).toBe(talk);
    expect(redactSecrets('')).toBe('');
  });

  const alnum = fc
    .array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), {
      minLength: 10,
      maxLength: 40,
    })
    .map((chars) => chars.join(''));
  /** Text before a token ends at a word boundary, as a pasted token does (after a space, `=`, a quote…). */
  const before = fc.oneof(
    fc.constant(''),
    fc
      .tuple(fc.string({ maxLength: 30 }), fc.constantFrom(' ', '\n', '=', ':', '"', "'", '(', '`', ','))
      .map(([text, separator]) => text + separator),
  );

  test('a generated xoxb- token embedded in random text never survives', () => {
    fc.assert(
      fc.property(before, alnum, fc.string({ maxLength: 30 }), (prefix, body, suffix) => {
        const token = `xoxb-${body}`;
        expect(redactSecrets(`${prefix}${token}${suffix}`)).not.toContain(token);
      }),
      { numRuns: 500 },
    );
  });
});

describe('storableText', () => {
  test('removes NUL characters, which Postgres text cannot hold, and redacts', () => {
    expect(storableText('rolled\u0000 back xoxb-1234567890-abc')).toBe('rolled back [redacted Slack token]');
  });
});
