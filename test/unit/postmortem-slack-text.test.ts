import fc from 'fast-check';
import { markdownBlock, markdownCell, markdownInline, slackTextToPlain } from '../../src/domain/postmortem/slack-text';

const names = { U123: 'Alice Jones', UBOB: 'bob' };

describe('slackTextToPlain', () => {
  test.each([
    ['<@U123> rolled back', 'Alice Jones rolled back'],
    ['<@U123|alice> rolled back', 'Alice Jones rolled back'], // the current name wins over the token's
    ['<@UGONE|carol> paged', 'carol paged'], // unknown to the map: the token's label
    ['<@UGONE> paged', '@UGONE paged'], // neither: the id's fallback
    ['<@W999> joined', '@W999 joined'],
    ['see <#C123|inc-42-db>', 'see #inc-42-db'],
    ['see <#C123>', 'see #C123'],
    ['see <#C123|>', 'see #C123'],
    ['<!here> db down', 'here db down'],
    ['<!channel> <!everyone>', 'channel everyone'],
    ['<!here|here> ok', 'here ok'],
    ['ping <!subteam^S123|@sre-team>', 'ping @sre-team'],
    ['ping <!subteam^S123>', 'ping @S123'],
    ['at <!date^1763629500^{date_short_pretty} {time}|2025-11-20 09:05 UTC>', 'at 2025-11-20 09:05 UTC'],
    ['at <!date^1763629500^{time}^https://x.test>', 'at 2025-11-20 09:05 UTC'],
    ['<https://grafana.test/d/1|the dashboard>', '[the dashboard](https://grafana.test/d/1)'],
    ['<https://grafana.test/d/1>', 'https://grafana.test/d/1'],
    ['<https://x.test/a?b=1&amp;c=2|q &amp; a>', '[q & a](https://x.test/a?b=1&c=2)'],
    ['<https://x.test/(x)|[x]>', '[\\[x\\]](https://x.test/%28x%29)'],
    ['<mailto:a@b.test|a@b.test>', '[a@b.test](mailto:a@b.test)'],
    ['5 &lt; 6 &amp;&amp; 7 &gt; 6', '5 < 6 && 7 > 6'],
    ['plain text, nothing to do', 'plain text, nothing to do'],
  ])('%s → %s', (input, expected) => {
    expect(slackTextToPlain(input, names)).toBe(expected);
  });

  test('takes a name function as well as a map', () => {
    expect(slackTextToPlain('<@U1> and <@U2>', (id) => (id === 'U1' ? 'Dana' : undefined))).toBe('Dana and @U2');
  });

  test('leaves no Slack token behind, whatever surrounds it', () => {
    const token = fc.constantFrom(
      '<@U123>',
      '<@U9|x y>',
      '<#C1|general>',
      '<#C2>',
      '<!here>',
      '<!channel>',
      '<!everyone>',
      '<!subteam^S1|@t>',
      '<!date^1^{date}|Jan 1>',
      '<https://a.test|a>',
    );
    // Around the tokens, any text without `<` (a `<` typed in text stays text here; Markdown escapes it later).
    const text = fc.string().map((s) => s.replace(/</g, ''));
    fc.assert(
      fc.property(fc.array(fc.oneof(token, text), { maxLength: 12 }), (pieces) => {
        const out = slackTextToPlain(pieces.join(' '), names);
        // A real token always contains an id or a word after its sigil.
        expect(out).not.toMatch(/<[@#!][A-Za-z0-9]/);
      }),
    );
  });
});

describe('Markdown escaping', () => {
  test('a cell escapes pipes and keeps the row on one line', () => {
    expect(markdownCell('a | b\nc', names)).toBe('a \\| b<br>c');
    expect(markdownCell('<@U123> | x', names)).toBe('Alice Jones \\| x');
  });

  test('an inline text joins its lines', () => {
    expect(markdownInline('first\n\n second \r\nthird', names)).toBe('first / second / third');
  });

  test('text a person typed cannot bring Slack tokens or HTML back', () => {
    // Slack escapes a typed `<@U1>` as `&lt;@U1&gt;`; decoded, it must not become a mention-looking token.
    for (const out of [
      markdownInline('typed &lt;@U123&gt; and &lt;!here&gt; and <script>', names),
      markdownCell('&lt;#C1|x&gt;', names),
      markdownBlock('&lt;!channel&gt;', names),
    ]) {
      expect(out).not.toMatch(/<[@!#]/);
      expect(out).not.toContain('<script');
    }
    expect(markdownInline('a &lt; b', names)).toBe('a &lt; b'); // renders as "a < b"
  });

  test("a person's paragraphs cannot add headings or leave a code fence open", () => {
    expect(markdownBlock('# Not a heading\ntext\n---\n===', names)).toBe('\\# Not a heading\ntext\n\\---\n\\===');
    expect(markdownBlock('```\ncode\n# comment in code', names)).toBe('```\ncode\n# comment in code\n```');
    expect(markdownBlock('```\na\n```\nafter', names)).toBe('```\na\n```\nafter');
    expect(markdownBlock('- a list\n- stays', names)).toBe('- a list\n- stays');
    // Only a fence of the same kind, at least as long, closes one.
    expect(markdownBlock('~~~~\n```\n~~~\n# in code', names)).toBe('~~~~\n```\n~~~\n# in code\n~~~~');
    expect(markdownBlock('``` a`b\n# heading', names)).toBe('``` a`b\n\\# heading');
  });
});
