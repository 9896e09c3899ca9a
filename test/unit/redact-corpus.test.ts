import fc from 'fast-check';
import { redactSecrets } from '../../src/domain/redact';
import { ORDINARY_TEXTS, SECRET_CASES } from '../fixtures/redaction/corpus';

/** Every 12-character window of a secret: a partial redaction that leaves most of a secret is a leak too. */
function windows(secret: string, size = 12): string[] {
  if (secret.length <= size) return [secret];
  return Array.from({ length: secret.length - size + 1 }, (_, i) => secret.slice(i, i + size));
}

describe('redaction corpus: credentials are removed', () => {
  test('the corpus has at least 40 secret forms and 40 ordinary sentences', () => {
    expect(SECRET_CASES.length).toBeGreaterThanOrEqual(40);
    expect(ORDINARY_TEXTS.length).toBeGreaterThanOrEqual(40);
  });

  test.each(SECRET_CASES.map((c) => [c.kind, c] as const))('%s', (_kind, { text, secrets }) => {
    const redacted = redactSecrets(text);
    expect(redacted).toContain('[redacted ');
    for (const secret of secrets) {
      for (const part of windows(secret)) expect(redacted).not.toContain(part);
    }
    expect(redactSecrets(redacted)).toBe(redacted);
  });
});

describe('redaction corpus: incident talk comes through unchanged', () => {
  test.each(ORDINARY_TEXTS.map((text) => [text]))('%j', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});

const chars = (alphabet: string, minLength: number, maxLength = minLength) =>
  fc.array(fc.constantFrom(...alphabet), { minLength, maxLength }).map((cs) => cs.join(''));
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = `${UPPER_DIGITS}abcdefghijklmnopqrstuvwxyz`;
const BASE64URL = `${ALNUM}_-`;
const BASE64 = `${ALNUM}+/`;

/** A pasted credential: the text as pasted, and the part that must never be stored. */
interface Pasted {
  text: string;
  secret: string;
}
const pasted = (text: string, secret = text): Pasted => ({ text, secret });

/** One generator per class of the SPEC, with random bodies in the real shapes. */
const CREDENTIALS: Record<string, fc.Arbitrary<Pasted>> = {
  'Slack token': fc
    .tuple(
      fc.constantFrom('xoxb', 'xoxp', 'xoxa', 'xoxr', 'xoxs', 'xoxc', 'xoxd', 'xoxe', 'xapp'),
      chars(ALNUM, 10, 60),
    )
    .map(([prefix, body]) => pasted(`${prefix}-${body}`)),
  'AWS access key id': fc
    .tuple(fc.constantFrom('AKIA', 'ASIA'), chars(UPPER_DIGITS, 16))
    .map(([prefix, body]) => pasted(prefix + body)),
  'Google API key': chars(BASE64URL, 35).map((body) => pasted(`AIza${body}`)),
  'GitHub token': fc.oneof(
    fc
      .tuple(fc.constantFrom('ghp', 'gho', 'ghs', 'ghu', 'ghr'), chars(ALNUM, 36))
      .map(([prefix, body]) => pasted(`${prefix}_${body}`)),
    chars(`${ALNUM}_`, 82).map((body) => pasted(`github_pat_${body}`)),
  ),
  'Stripe key': fc
    .tuple(fc.constantFrom('sk_live_', 'rk_live_'), chars(ALNUM, 24, 99))
    .map(([prefix, body]) => pasted(prefix + body)),
  'npm token': chars(ALNUM, 36).map((body) => pasted(`npm_${body}`)),
  // A JWT is only recognised where a word starts, so it is pasted after a space.
  JWT: fc
    .tuple(chars(BASE64URL, 10, 40), chars(BASE64URL, 10, 80), chars(BASE64URL, 20, 43))
    .map(([header, payload, signature]) =>
      pasted(` eyJ${header}.eyJ${payload}.${signature}`, `${payload}.${signature}`),
    ),
  'private key': fc
    .tuple(fc.constantFrom('RSA ', 'EC ', 'OPENSSH ', ''), fc.array(chars(BASE64, 64), { minLength: 1, maxLength: 4 }))
    .map(([type, lines]) =>
      pasted(
        `-----BEGIN ${type}PRIVATE KEY-----\n${lines.join('\n')}\n-----END ${type}PRIVATE KEY-----`,
        lines.join('\n'),
      ),
    ),
  'Authorization header': fc
    .tuple(fc.constantFrom('Bearer', 'Basic', 'bearer'), chars(`${BASE64}=.`, 16, 60))
    .map(([scheme, value]) => pasted(`Authorization: ${scheme} ${value}`, value)),
  'URL with a password': fc
    .tuple(
      fc.constantFrom('postgres', 'redis', 'amqps', 'mongodb+srv', 'https'),
      chars(ALNUM, 0, 8),
      chars(`${ALNUM}!%*-_~`, 10, 30),
    )
    .map(([scheme, user, password]) => pasted(`${scheme}://${user}:${password}@db.internal:5432/app`, password)),
  'NAME=value': fc
    .tuple(
      fc.constantFrom(
        'DB_PASSWORD',
        'PGPASSWORD',
        'MYSQL_ROOT_PASSWD',
        'SLACK_SIGNING_SECRET',
        'client_secret',
        'aws_secret_access_key',
        'GITHUB_TOKEN',
        'x-api-key',
        'openaiApiKey',
        'SSH_PRIVATE_KEY',
      ),
      fc.constantFrom(
        '{N}={V}',
        '{N} = {V}',
        '{N}: {V}',
        '"{N}":"{V}"',
        '"{N}": "{V}"',
        "{N}='{V}'",
        'export {N}="{V}"',
        '--{N}={V}',
      ),
      chars(`${ALNUM}!@#$%^&*+/=_-`, 10, 30),
    )
    .map(([name, form, value]) =>
      pasted(
        form.replace('{V}', () => value).replace('{N}', () => name),
        value,
      ),
    ),
};

describe('redaction properties over the credential classes', () => {
  for (const [kind, credential] of Object.entries(CREDENTIALS)) {
    test(`arbitrary text around a ${kind} never lets it through`, () => {
      fc.assert(
        fc.property(
          fc.string({ maxLength: 40 }),
          credential,
          fc.string({ maxLength: 40 }),
          (before, { text, secret }, after) => {
            fc.pre(!before.includes(secret) && !after.includes(secret));
            expect(redactSecrets(`${before}${text}${after}`)).not.toContain(secret);
          },
        ),
        { numRuns: 500 },
      );
    });
  }

  /** Incident talk: the corpus sentences mixed with ids, hashes, addresses and times, as in a real channel. */
  const incidentWord = fc.oneof(
    fc.constantFrom(...ORDINARY_TEXTS),
    fc.uuid(),
    fc.ipV4(),
    fc.domain(),
    chars('0123456789abcdef', 7, 40),
    chars('0123456789abcdef', 32),
    fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc.constantFrom('HTTP 503', 'ERR_CONNECTION_RESET', 'token bucket', 'exit code 137', 'sev1'),
    chars('abcdefghijklmnopqrstuvwxyz', 1, 12),
    fc.integer().map(String),
  );
  const incidentText = fc
    .array(fc.tuple(incidentWord, fc.constantFrom(' ', ', ', '\n', '; ', ' (', ') ')), { maxLength: 12 })
    .map((parts) => parts.map(([word, separator]) => word + separator).join(''));

  test('redaction never lengthens (nor changes) ordinary incident text', () => {
    fc.assert(
      fc.property(incidentText, (text) => {
        const redacted = redactSecrets(text);
        expect(redacted.length).toBeLessThanOrEqual(text.length);
        expect(redacted).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  test('redaction is idempotent on text around any credential class', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.oneof(...Object.values(CREDENTIALS)),
        fc.string({ maxLength: 30 }),
        (before, { text }, after) => {
          const once = redactSecrets(`${before}${text}${after}`);
          expect(redactSecrets(once)).toBe(once);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
