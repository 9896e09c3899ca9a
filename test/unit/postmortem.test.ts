import { Temporal } from '@js-temporal/polyfill';
import fc from 'fast-check';
import {
  checkCompleteness,
  checkPostmortemLanguage,
  emptySections,
  type PostmortemActionItem,
  type PostmortemDocument,
  type PostmortemTimelineEntry,
  renderPostmortemMarkdown,
  SECTION_PROMPTS,
  timelineEntryForDocument,
} from '../../src/domain/postmortem';
import { timelineEntry } from '../support/fixtures';

const NAMES = { UALICE: 'Alice', UBOB: 'Bob', UCAROL: 'Carol', UDANA: 'Dana' };
const HEADINGS = [
  '## Summary',
  '## Impact',
  '## Detection',
  '## Response',
  '## Timeline',
  '## Contributing factors',
  '## Resolution',
  '## Lessons learned',
  '## Action items',
  '## Debrief',
  '## Supporting information',
];

const utc = (iso: string) => new Date(iso);
/** An instant from a wall-clock time in a zone, as someone there would have typed it. */
const local = (wall: string, zone: string) =>
  new Date(Temporal.PlainDateTime.from(wall).toZonedDateTime(zone).epochMilliseconds);

function entry(at: Date, text: string, loggedBy: string, extra: Partial<PostmortemTimelineEntry> = {}) {
  return { at, text, loggedBy, saidBy: null, source: 'command', kind: 'note', erasedInSlack: false, ...extra } as const;
}

function item(number: number, overrides: Partial<PostmortemActionItem> = {}): PostmortemActionItem {
  return {
    number,
    text: `Item ${number}`,
    type: 'prevent',
    ownerId: 'UBOB',
    dueDate: '2026-12-18',
    priority: 'high',
    status: 'open',
    cancelReason: null,
    ticketUrl: null,
    ...overrides,
  };
}

/**
 * A sev1 (declared sev3) incident that crosses midnight UTC, with entries logged from Los Angeles, Berlin and
 * Kolkata, and every section written by a person: complete.
 */
function completeDoc(overrides: Partial<PostmortemDocument> = {}): PostmortemDocument {
  const sections = emptySections();
  sections.summary = 'Checkout returned 500s for 45 minutes after a config change; about 4% of orders failed.';
  sections.impact = {
    ...sections.impact,
    affectedServices: ['checkout', 'payments-api'],
    customerVisible: true,
    affected: { kind: 'percentage', value: 4, of: 'orders' },
    dataLoss: 'none',
    sloBudgetSpent: '18% of the monthly budget',
    supportTickets: 14,
    statusPageUrl: 'https://status.test/incidents/1',
    narrative: 'Customers saw an error page at payment.',
  };
  sections.detection = {
    detectedBy: { kind: 'alert', name: 'checkout-5xx', url: 'https://alerts.test/1' },
    howSooner: 'An alert on the config rollout itself.',
    narrative: null,
  };
  sections.response = { slowedUs: 'The runbook link was stale.', helped: 'Feature flags.', narrative: null };
  sections.contributingFactors = {
    factors: [
      { text: 'A config change to the payment timeout', isTrigger: true },
      { text: 'No canary for config changes', isTrigger: false },
    ],
    fiveWhys: 'Why did checkout fail? The timeout was 0.\nWhy was it 0? The default was missing.',
  };
  sections.resolution = { mitigation: 'Rolled back the config.', permanentFix: 'Validate timeouts at load time.' };
  sections.lessonsLearned = { wentWell: 'Fast rollback.', wentWrong: 'Stale runbook.', gotLucky: 'Low traffic hour.' };
  sections.supportingLinks = [{ url: 'https://grafana.test/d/checkout', label: 'Checkout dashboard' }];
  return {
    incident: {
      number: 42,
      title: 'Checkout returns 500s',
      peakSeverity: 'sev1',
      declaredSeverity: 'sev3',
      status: 'resolved',
      channelName: 'inc-20261120-checkout-returns-500s',
      isPrivate: false,
      reopened: false,
    },
    status: 'in_review',
    ownerId: 'UALICE',
    dueDate: '2026-11-27',
    reviewers: [{ userId: 'UCAROL', approvedAt: utc('2026-11-23T10:00:00Z') }],
    relatedIncidents: [{ number: 41, title: 'Payments latency' }],
    roles: { commander: 'UBOB', scribe: 'UDANA' },
    responders: [
      { userId: 'UBOB', joinedAt: utc('2026-11-20T23:53:00Z') },
      { userId: 'UALICE', joinedAt: utc('2026-11-21T00:03:00Z') },
      { userId: 'UCAROL', joinedAt: null },
    ],
    names: NAMES,
    milestones: {
      started: utc('2026-11-20T23:40:00Z'),
      detected: utc('2026-11-20T23:52:00Z'),
      acknowledged: utc('2026-11-20T23:55:00Z'),
      mitigated: utc('2026-11-21T00:25:00Z'),
      resolved: utc('2026-11-21T02:10:00Z'),
    },
    declaredAt: utc('2026-11-21T00:02:00Z'),
    mitigatedNotApplicable: null,
    laterImpactWindows: [],
    // Given out of order on purpose: the export sorts by time.
    timeline: [
      entry(local('2026-11-21T00:45', 'Europe/Berlin'), 'Error rate climbing on <#C1|checkout>', 'UDANA'), // 23:45Z
      entry(local('2026-11-20T15:30', 'America/Los_Angeles'), 'Deployed config change 1234', 'UBOB'), // 23:30Z
      entry(local('2026-11-21T05:22', 'Asia/Kolkata'), 'Alert checkout-5xx fired', 'UCAROL', {
        source: 'reaction',
        saidBy: 'UBOB',
      }), // 23:52Z
      entry(utc('2026-11-20T23:40:00Z'), 'Milestone: started', 'UBOB', { source: 'system', kind: 'milestone:started' }),
      entry(utc('2026-11-20T23:52:00Z'), 'Milestone: detected', 'UBOB', {
        source: 'system',
        kind: 'milestone:detected',
      }),
      entry(utc('2026-11-21T00:02:00Z'), 'Incident declared (sev3): Checkout returns 500s', 'UBOB', {
        source: 'system',
        kind: 'declared',
      }),
      entry(utc('2026-11-21T00:10:00Z'), '<@UALICE> rolled back the config <!here>', 'UALICE'),
      entry(utc('2026-11-21T00:25:00Z'), 'Milestone: mitigated', 'UALICE', {
        source: 'system',
        kind: 'milestone:mitigated',
      }),
      entry(utc('2026-11-21T02:10:00Z'), 'Milestone: resolved', 'UALICE', {
        source: 'system',
        kind: 'milestone:resolved',
      }),
    ],
    sections,
    authorship: {
      summary: 'person',
      impact: 'person',
      detection: 'person',
      response: 'person',
      contributingFactors: 'person',
      resolution: 'person',
      lessonsLearned: 'person',
    },
    actionItems: [
      item(1, { text: 'Validate config timeouts at load time', ticketUrl: 'https://jira.test/OPS-1' }),
      item(2, { text: 'Canary config changes | with 5% traffic\nfirst', type: 'mitigate', priority: 'medium' }),
      item(3, { text: 'Rewrite checkout in Rust', status: 'cancelled', cancelReason: 'Not worth it', ownerId: null }),
    ],
    debrief: {
      kind: 'held',
      at: utc('2026-11-24T15:00:00Z'),
      attendeeIds: ['UALICE', 'UBOB', 'UCAROL'],
      facilitatorId: 'UCAROL',
      recordingUrl: 'https://video.test/1',
      decisions: 'Adopt config canaries.',
    },
    ...overrides,
  };
}

/** A sev3 incident that has nothing but its facts: every section shows its prompt. */
function bareDoc(overrides: Partial<PostmortemDocument> = {}): PostmortemDocument {
  return completeDoc({
    incident: { ...completeDoc().incident, peakSeverity: 'sev3', declaredSeverity: 'sev3' },
    ownerId: null,
    reviewers: [],
    relatedIncidents: [],
    responders: [],
    milestones: {},
    timeline: [],
    sections: emptySections(),
    authorship: {},
    actionItems: [],
    debrief: null,
    ...overrides,
  });
}

function headingsOutsideCode(markdown: string): string[] {
  const found: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence !== null) {
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && m[2]!.trim() === '') fence = null;
    } else if (m && !(m[1]![0] === '`' && m[2]!.includes('`'))) fence = m[1]!;
    else if (/^ {0,3}#{1,6}(\s|$)/.test(line)) found.push(line);
  }
  return found;
}

function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start + 1, next < 0 ? undefined : next);
}

const datedLines = (text: string) => text.split('\n').filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d /.test(l));

describe('renderPostmortemMarkdown', () => {
  const markdown = renderPostmortemMarkdown(completeDoc());

  test('has the title, then every section in SPEC order', () => {
    expect(markdown.startsWith('# Postmortem: Checkout returns 500s\n\n- Incident: #42')).toBe(true);
    expect(headingsOutsideCode(markdown)).toEqual(['# Postmortem: Checkout returns 500s', ...HEADINGS]);
  });

  test('the metadata lists incident, severity, status, people, milestones and durations', () => {
    const meta = markdown.slice(0, markdown.indexOf('\n## '));
    expect(meta).toContain('- Incident: #42, channel #inc-20261120-checkout-returns-500s\n');
    expect(meta).toContain('- Severity: sev1 (peak; declared sev3)\n');
    expect(meta).toContain('- Status: incident resolved; postmortem in review, due 2026-11-27\n');
    expect(meta).toContain('- Postmortem owner: Alice\n');
    expect(meta).toContain('- Commander: Bob; Scribe: Dana\n');
    expect(meta).toContain('- Responders: Bob, Alice, Carol\n');
    expect(meta).toContain('- Reviewers: Carol (approved 2026-11-23 10:00 UTC)\n');
    expect(meta).toContain('- Related incidents: #41 Payments latency\n');
    expect(meta).toContain(
      [
        '- Impact began (started): 2026-11-20 23:40 UTC',
        '- Detected: 2026-11-20 23:52 UTC',
        '- Acknowledged: 2026-11-20 23:55 UTC',
        '- Declared: 2026-11-21 00:02 UTC',
        '- Mitigated: 2026-11-21 00:25 UTC',
        '- Resolved: 2026-11-21 02:10 UTC',
        '- Impact: 45m',
        '- Response: 2h 18m',
        '- TTD: 12m',
        '- TTA: 3m',
        '- TTM: 45m',
        '- TTR: 2h 30m',
      ].join('\n'),
    );
  });

  test('the timeline: milestone table, Mermaid block, then every entry in UTC and in time order', () => {
    const timeline = sectionOf(markdown, 'Timeline');
    expect(timeline).toContain(
      [
        '| Milestone | Time (UTC) | Since impact began |',
        '| --- | --- | --- |',
        '| Impact began (started) | 2026-11-20 23:40 UTC | 0m |',
        '| Detected | 2026-11-20 23:52 UTC | +12m |',
        '| Acknowledged | 2026-11-20 23:55 UTC | +15m |',
        '| Declared | 2026-11-21 00:02 UTC | +22m |',
        '| Mitigated | 2026-11-21 00:25 UTC | +45m |',
        '| Resolved | 2026-11-21 02:10 UTC | +2h 30m |',
      ].join('\n'),
    );
    expect(timeline).toContain(
      '```mermaid\ntimeline\n    title Incident 42 milestones (UTC)\n    Impact begins : 2026-11-20 23:40\n',
    );
    expect(timeline.indexOf('```mermaid')).toBeGreaterThan(timeline.indexOf('| Resolved |'));
    const lines = datedLines(timeline);
    expect(lines.map((l) => l.trimEnd())).toEqual([
      '2026-11-20 23:30 — Deployed config change 1234 (logged by Bob)',
      '2026-11-20 23:40 — **IMPACT BEGINS** — Milestone: started (logged by Bob)',
      '2026-11-20 23:45 — Error rate climbing on #checkout (logged by Dana)',
      '2026-11-20 23:52 — Alert checkout-5xx fired (said by Bob, logged by Carol)',
      '2026-11-20 23:52 — **DETECTED** — Milestone: detected (logged by Bob)',
      '2026-11-20 23:55 — **ACKNOWLEDGED** — milestone time (no timeline entry)',
      '2026-11-21 00:02 — **DECLARED** — Incident declared (sev3): Checkout returns 500s (logged by Bob)',
      '2026-11-21 00:10 — Alice rolled back the config here (logged by Alice)',
      '2026-11-21 00:25 — **MITIGATED** — Milestone: mitigated (logged by Alice)',
      '2026-11-21 02:10 — **RESOLVED** — Milestone: resolved (logged by Alice)',
    ]);
    // Each entry ends with a Markdown line break, so that rendered entries stay one per line.
    expect(lines.every((l) => l.endsWith('  '))).toBe(true);
  });

  test('a milestone entry recorded before a correction is not marked; the current time is', () => {
    const doc = completeDoc();
    // First in the list, so that a lookup by kind alone would find it before the current one.
    doc.timeline.unshift(
      entry(utc('2026-11-20T23:35:00Z'), 'Milestone: started', 'UBOB', { source: 'system', kind: 'milestone:started' }),
    );
    const lines = datedLines(sectionOf(renderPostmortemMarkdown(doc), 'Timeline'));
    expect(lines.filter((l) => l.includes('IMPACT BEGINS'))).toEqual([
      '2026-11-20 23:40 — **IMPACT BEGINS** — Milestone: started (logged by Bob)  ',
    ]);
    expect(lines).toContain('2026-11-20 23:35 — Milestone: started (logged by Bob)  ');
  });

  test('sections hold the fields and the words', () => {
    expect(sectionOf(markdown, 'Impact')).toBe(
      [
        '## Impact',
        '',
        '- Affected services: checkout, payments-api',
        '- Customer-visible: yes',
        '- Orders affected: 4%',
        '- Data loss: none',
        '- SLO budget spent: 18% of the monthly budget',
        '- Support tickets: 14',
        '- Status page: https://status.test/incidents/1',
        '',
        'Customers saw an error page at payment.',
        '',
      ].join('\n'),
    );
    expect(sectionOf(markdown, 'Detection')).toContain(
      '- Detected by: an alert "checkout-5xx" (https://alerts.test/1)\n- How we could have known sooner: An alert on the config rollout itself.',
    );
    expect(sectionOf(markdown, 'Response')).toContain(
      'Who joined when:\n\n- 2026-11-20 23:53 UTC: Bob joined\n- 2026-11-21 00:03 UTC: Alice joined',
    );
    expect(sectionOf(markdown, 'Contributing factors')).toContain(
      '- **Trigger:** A config change to the payment timeout\n- No canary for config changes\n\n**Five whys**',
    );
    expect(sectionOf(markdown, 'Resolution')).toContain('**Permanent fix**\n\nValidate timeouts at load time.');
    expect(sectionOf(markdown, 'Lessons learned')).toContain('**Where we got lucky**\n\nLow traffic hour.');
    expect(sectionOf(markdown, 'Debrief')).toContain('- Held: 2026-11-24 15:00 UTC\n- Facilitator: Carol');
    expect(sectionOf(markdown, 'Supporting information')).toBe(
      '## Supporting information\n\n- Checkout dashboard: https://grafana.test/d/checkout\n',
    );
  });

  test('action items are a table; cancelled ones say why; cells cannot break the table', () => {
    expect(sectionOf(markdown, 'Action items')).toBe(
      [
        '## Action items',
        '',
        '| # | Item | Type | Owner | Due | Priority | Status | Ticket |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        '| 1 | Validate config timeouts at load time | prevent | Bob | 2026-12-18 | high | open | https://jira.test/OPS-1 |',
        '| 2 | Canary config changes \\| with 5% traffic<br>first | mitigate | Bob | 2026-12-18 | medium | open | — |',
        '| 3 | Rewrite checkout in Rust | prevent | — | 2026-12-18 | high | decided not to do: Not worth it | — |',
        '',
      ].join('\n'),
    );
  });

  test('unfilled sections show their prompt in italics, never an empty heading; no links, no Supporting information', () => {
    const bare = renderPostmortemMarkdown(bareDoc());
    expect(headingsOutsideCode(bare)).toEqual(['# Postmortem: Checkout returns 500s', ...HEADINGS.slice(0, -1)]);
    for (const [heading, key] of [
      ['Summary', 'summary'],
      ['Impact', 'impact'],
      ['Detection', 'detection'],
      ['Response', 'response'],
      ['Contributing factors', 'contributingFactors'],
      ['Resolution', 'resolution'],
      ['Lessons learned', 'lessonsLearned'],
      ['Action items', 'actionItems'],
      ['Debrief', 'debrief'],
    ] as const) {
      expect(sectionOf(bare, heading)).toBe(`## ${heading}\n\n_${SECTION_PROMPTS[key]}_\n`);
    }
    expect(bare).not.toMatch(/^## .*\n\n## /m);
    expect(bare).toContain('- Postmortem owner: not assigned');
  });

  test('a section only Debrief drafted says so', () => {
    const doc = completeDoc({ authorship: { ...completeDoc().authorship, summary: 'generated' } });
    expect(sectionOf(renderPostmortemMarkdown(doc), 'Summary')).toContain(
      '_Drafted by Debrief; not yet written by a person._',
    );
    expect(sectionOf(markdown, 'Summary')).not.toContain('Drafted by Debrief');
  });

  test('without started: "impact start unknown", and no duration that would need it', () => {
    const { started: _, ...milestones } = completeDoc().milestones;
    const out = renderPostmortemMarkdown(completeDoc({ milestones }));
    expect(out).toContain('- Impact began (started): impact start unknown\n');
    expect(out).toContain('- Impact: impact start unknown\n');
    expect(out).toContain('- TTA: 3m');
    expect(out).not.toMatch(/- TT[DMR]:/);
    expect(out).toContain('| Impact began (started) | impact start unknown | — |');
    expect(out).toContain('| Detected | 2026-11-20 23:52 UTC | impact start unknown |');
  });

  test('missing milestones are said to be missing; mitigated may be n/a in words', () => {
    const out = renderPostmortemMarkdown(
      completeDoc({
        milestones: { started: utc('2026-11-20T23:40:00Z'), resolved: utc('2026-11-21T02:10:00Z') },
        mitigatedNotApplicable: 'impact ended only with the fix',
      }),
    );
    expect(out).toContain('- Detected: not recorded\n- Acknowledged: not recorded\n');
    expect(out).toContain('- Mitigated: n/a (impact ended only with the fix)\n');
    expect(out).toContain('- Impact: 2h 30m (until resolved; no mitigated time)\n');
    expect(out).not.toContain('- TTD:');
  });

  test('an incident spanning several days, reopened with a second impact window', () => {
    const out = renderPostmortemMarkdown(
      completeDoc({
        incident: { ...completeDoc().incident, reopened: true },
        milestones: {
          started: utc('2026-11-20T22:00:00Z'),
          detected: utc('2026-11-20T22:10:00Z'),
          mitigated: utc('2026-11-23T02:05:00Z'),
          resolved: utc('2026-11-23T04:00:00Z'),
        },
        declaredAt: utc('2026-11-20T22:15:00Z'),
        laterImpactWindows: [{ started: utc('2026-11-24T08:00:00Z'), ended: utc('2026-11-24T09:30:00Z') }],
      }),
    );
    expect(out).toContain('- Status: incident resolved (reopened)');
    expect(out).toContain(
      '- Impact: 2d 4h 5m\n- Impact after reopening: 1h 30m (2026-11-24 08:00 UTC → 2026-11-24 09:30 UTC)\n- Response: 2d 5h 50m',
    );
    expect(out).toContain('| Resolved | 2026-11-23 04:00 UTC | +2d 6h |');
  });

  test('out-of-order milestones are shown as they are', () => {
    const doc = completeDoc();
    doc.milestones = { ...doc.milestones, mitigated: utc('2026-11-20T23:50:00Z') }; // before detected
    const out = renderPostmortemMarkdown(doc);
    expect(out).toContain('| Mitigated | 2026-11-20 23:50 UTC | +10m |');
    expect(out).toContain('- TTM: 10m');
  });

  test('a private incident is marked; erased messages stay erased', () => {
    const doc = completeDoc({ incident: { ...completeDoc().incident, isPrivate: true } });
    doc.timeline.push(entry(utc('2026-11-21T00:30:00Z'), '', 'UBOB', { source: 'reaction', erasedInSlack: true }));
    const out = renderPostmortemMarkdown(doc);
    expect(out).toContain('- Incident: #42, channel #inc-20261120-checkout-returns-500s (private)');
    expect(out).toContain('2026-11-21 00:30 — _message deleted in Slack_ (logged by Bob)');
  });

  test('names come from a function too, and unknown people show as their id', () => {
    const out = renderPostmortemMarkdown(completeDoc({ names: (id) => (id === 'UBOB' ? 'Robert' : undefined) }));
    expect(out).toContain('- Commander: Robert; Scribe: @UDANA');
    expect(out).toContain('@UALICE rolled back the config here (logged by @UALICE)');
  });

  test('converts a timeline entry as the Slack surfaces read it', () => {
    const view = timelineEntry(1, {
      authorId: 'UPIN',
      source: 'reaction',
      message: { channelId: 'C1', ts: '1.2', authorId: 'USAID' },
    });
    expect(timelineEntryForDocument(view)).toEqual({
      at: view.occurredAt,
      text: 'entry 1',
      loggedBy: 'UPIN',
      saidBy: 'USAID',
      source: 'reaction',
      kind: 'note',
      erasedInSlack: false,
    });
    expect(timelineEntryForDocument(timelineEntry(2, { erasedInSlack: true, text: 'secret' })).text).toBe('');
  });

  test('whatever people write, no Slack markup survives and the outline and tables hold', () => {
    const slackish = fc.constantFrom(
      '<@UALICE>',
      '<@UNOBODY|nobody>',
      '<#C1|general>',
      '<!here>',
      '<!channel>',
      '<!subteam^S1|@sre>',
      '<!date^1763629500^{time}|09:05>',
      '<https://x.test|x>',
      '&lt;@U1&gt;',
      '&lt;!here&gt;',
      '<',
      '<@',
      '<!',
      '<#',
      '|',
      '\n',
      '\n## Injected\n',
      '\n```\n',
      '\n~~~\n',
      '\n---\n',
      '*',
      '_',
    );
    const text = fc.array(fc.oneof(slackish, fc.string({ maxLength: 8 })), { maxLength: 8 }).map((p) => p.join(''));
    const maybe = fc.option(text, { nil: null });
    fc.assert(
      fc.property(
        fc.record({
          title: text,
          entries: fc.array(fc.tuple(text, fc.integer({ min: 0, max: 10_000 })), { maxLength: 6 }),
          summary: maybe,
          narrative: maybe,
          factor: text,
          fiveWhys: maybe,
          wentWrong: maybe,
          note: maybe,
          itemText: text,
          cancelReason: text,
          link: fc.array(fc.tuple(text, text), { maxLength: 2 }),
          skip: text,
        }),
        (g) => {
          const sections = emptySections();
          sections.summary = g.summary;
          sections.impact.narrative = g.narrative;
          sections.contributingFactors = { factors: [{ text: g.factor, isTrigger: true }], fiveWhys: g.fiveWhys };
          sections.lessonsLearned.wentWrong = g.wentWrong;
          sections.actionItemsNote = g.note;
          sections.supportingLinks = g.link.map(([label, url]) => ({ label, url: `https://x.test/${url}` }));
          const doc = completeDoc({
            incident: { ...completeDoc().incident, title: g.title },
            timeline: g.entries.map(([t, minutes]) =>
              entry(new Date(Date.UTC(2026, 10, 20, 23, 0) + minutes * 60_000), t, 'UALICE'),
            ),
            sections,
            actionItems: [
              item(1, { text: g.itemText }),
              item(2, { status: 'cancelled', cancelReason: g.cancelReason }),
            ],
            debrief: { kind: 'skipped', reason: g.skip },
          });
          const out = renderPostmortemMarkdown(doc);
          expect(out).not.toContain('<@');
          expect(out).not.toContain('<!');
          expect(out).not.toContain('<#');
          const headings = headingsOutsideCode(out);
          expect(headings.slice(1)).toEqual(
            HEADINGS.filter((h) => h !== '## Supporting information' || sections.supportingLinks.length > 0),
          );
          expect(headings[0]!.startsWith('# Postmortem: ')).toBe(true);
          // Every row of the action-item table has its 8 cells: 9 unescaped pipes. The table is the run of
          // lines from its header; a person's note after it (a blank line apart) may hold pipes of its own.
          const lines = sectionOf(out, 'Action items').split('\n');
          const header = lines.indexOf('| # | Item | Type | Owner | Due | Priority | Status | Ticket |');
          const tableEnd = lines.findIndex((l, i) => i > header && !l.startsWith('|'));
          const rows = lines.slice(header, tableEnd === -1 ? lines.length : tableEnd);
          expect(header).toBeGreaterThanOrEqual(0);
          if (tableEnd !== -1) expect(lines[tableEnd]).toBe('');
          for (const row of rows) expect(row.match(/(?<!\\)\|/g)).toHaveLength(9);
          expect(rows).toHaveLength(4);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('checkCompleteness', () => {
  const missingOf = (doc: PostmortemDocument) => checkCompleteness(doc).missing;

  test('a complete sev1 postmortem is complete', () => {
    const report = checkCompleteness(completeDoc());
    expect(report.missing).toEqual([]);
    expect(report.complete).toBe(true);
    expect(report.checks.filter((c) => c.required).every((c) => c.status === 'complete')).toBe(true);
    expect(report.checks.find((c) => c.key === 'response')).toMatchObject({ required: false, status: 'complete' });
  });

  test('a bare draft lists everything, in checklist order', () => {
    const report = checkCompleteness(bareDoc());
    expect(report.complete).toBe(false);
    expect(report.missing).toEqual([
      'a postmortem owner (`/postmortem assign @someone`)',
      'the `started` milestone (when the impact began)',
      'the `detected` milestone',
      'the `mitigated` milestone (or why it does not apply, in words)',
      'the `resolved` milestone',
      'Summary, written by a person',
      'Impact, written by a person',
      'Detection, written by a person',
      'Contributing factors, written by a person',
      'Resolution, written by a person',
      'Lessons learned, written by a person',
      'at least one action item, or words in Action items saying why none is needed',
    ]);
    expect(report.checks.find((c) => c.key === 'approval')).toMatchObject({ required: false, status: 'optional' });
    expect(report.checks.find((c) => c.key === 'summary')?.status).toBe('missing');
  });

  test('a section holding only the generated draft is not written by a person', () => {
    const doc = completeDoc({ authorship: { ...completeDoc().authorship, resolution: 'generated' } });
    expect(missingOf(doc)).toEqual(["Resolution written by a person (it holds only Debrief's draft)"]);
    expect(checkCompleteness(doc).checks.find((c) => c.key === 'resolution')?.status).toBe('draft_only');
    const { resolution: _, ...noFlag } = completeDoc().authorship;
    expect(missingOf(completeDoc({ authorship: noFlag }))).toHaveLength(1);
  });

  test('Impact must answer customer-visible and data loss, and give a figure or say why none', () => {
    const doc = completeDoc();
    doc.sections.impact = { ...doc.sections.impact, customerVisible: null, dataLoss: null, affected: null };
    expect(missingOf(doc)).toEqual([
      'Impact: whether customers could see it (yes/no)',
      'Impact: data loss (none, recovered, permanent or unknown)',
      'Impact: how many customers or requests were affected, or why that cannot be measured',
    ]);
    doc.sections.impact = {
      ...doc.sections.impact,
      customerVisible: false,
      dataLoss: 'unknown',
      notMeasurableReason: 'no request logs for that service',
    };
    expect(missingOf(doc)).toEqual([]);
  });

  test('mitigated may be "n/a" in words', () => {
    const { mitigated: _, ...milestones } = completeDoc().milestones;
    expect(missingOf(completeDoc({ milestones }))).toEqual([
      'the `mitigated` milestone (or why it does not apply, in words)',
    ]);
    expect(missingOf(completeDoc({ milestones, mitigatedNotApplicable: 'the fix ended it' }))).toEqual([]);
    expect(missingOf(completeDoc({ milestones, mitigatedNotApplicable: '  ' }))).toHaveLength(1);
  });

  test('every action item needs an owner, a due date (unless low priority) and a type; cancelled ones nothing', () => {
    const doc = completeDoc({
      actionItems: [
        item(1, { ownerId: null, dueDate: null, type: null }),
        item(2, { priority: 'low', dueDate: null }),
        item(3, { status: 'cancelled', cancelReason: 'no', ownerId: null, type: null }),
      ],
    });
    expect(missingOf(doc)).toEqual(['action item 1: an owner, a due date and a type']);
  });

  test('no action item needs words saying why; a cancelled item is no action', () => {
    const cancelled = [item(1, { status: 'cancelled', cancelReason: 'duplicate' })];
    expect(missingOf(completeDoc({ actionItems: cancelled }))).toEqual([
      'at least one action item, or words in Action items saying why none is needed',
    ]);
    const doc = completeDoc({ actionItems: [] });
    doc.sections.actionItemsNote = 'The fix is already deployed; nothing else would have helped.';
    expect(missingOf(doc)).toEqual([]);
  });

  test('sev1–2: an approval from someone other than the owner, and the debrief held or skipped with a reason', () => {
    const selfApproved = completeDoc({ reviewers: [{ userId: 'UALICE', approvedAt: utc('2026-11-23T10:00:00Z') }] });
    expect(missingOf(selfApproved)).toEqual([
      'an approval from someone other than the owner (`/postmortem review @reviewer`)',
    ]);
    expect(missingOf(completeDoc({ reviewers: [{ userId: 'UCAROL', approvedAt: null }] }))).toHaveLength(1);
    expect(missingOf(completeDoc({ debrief: null }))).toEqual([
      'the debrief held, or skipped with a reason (`/postmortem debrief skip <reason>`)',
    ]);
    expect(missingOf(completeDoc({ debrief: { kind: 'scheduled', at: utc('2026-11-25T10:00:00Z') } }))).toEqual([
      'the debrief held (it is scheduled), or skipped with a reason',
    ]);
    expect(missingOf(completeDoc({ debrief: { kind: 'skipped', reason: ' ' } }))).toHaveLength(1);
    expect(missingOf(completeDoc({ debrief: { kind: 'skipped', reason: 'all discussed in channel' } }))).toEqual([]);
  });

  test('sev3–4 need neither approval nor debrief, by peak severity', () => {
    const sev3 = { ...completeDoc().incident, peakSeverity: 'sev3' as const };
    expect(missingOf(completeDoc({ incident: sev3, reviewers: [], debrief: null }))).toEqual([]);
    const downgraded = { ...completeDoc().incident, peakSeverity: 'sev2' as const, declaredSeverity: 'sev4' as const };
    expect(missingOf(completeDoc({ incident: downgraded, reviewers: [], debrief: null }))).toHaveLength(2);
  });

  describe("show's suggestions", () => {
    const kinds = (doc: PostmortemDocument) => checkCompleteness(doc).suggestions.map((s) => s.kind);

    test('none for a good postmortem', () => {
      expect(checkCompleteness(completeDoc()).suggestions).toEqual([]);
    });

    test('a detect action when detection was not an alert, until there is one', () => {
      const doc = completeDoc();
      doc.sections.detection.detectedBy = { kind: 'customer', detail: 'support ticket' };
      expect(kinds(doc)).toEqual(['detect_action']);
      expect(checkCompleteness(doc).suggestions[0]!.message).toContain('a customer');
      doc.actionItems.push(item(4, { type: 'detect' }));
      expect(kinds(doc)).toEqual([]);
    });

    test('lead-up entries when nothing precedes started', () => {
      const doc = completeDoc();
      doc.timeline = doc.timeline.filter((e) => e.at.getTime() >= utc('2026-11-20T23:40:00Z').getTime());
      expect(kinds(doc)).toEqual(['lead_up_entries']);
      expect(kinds(completeDoc({ milestones: {} }))).toEqual([]); // no started: the checklist asks for it instead
    });

    test('milestones out of order', () => {
      const doc = completeDoc();
      doc.milestones = { ...doc.milestones, mitigated: utc('2026-11-20T23:50:00Z') };
      const report = checkCompleteness(doc);
      expect(report.suggestions.map((s) => s.kind)).toEqual(['milestone_order', 'milestone_order']);
      expect(report.suggestions[0]!.message).toContain(
        'mitigated (2026-11-20 23:50 UTC) is before detected (2026-11-20 23:52 UTC)',
      );
      expect(report.complete).toBe(true); // flagged, not refused
    });
  });
});

describe('checkPostmortemLanguage', () => {
  test('finds blame in sections, timeline and action items, and vague items; nothing in a clean document', () => {
    expect(checkPostmortemLanguage(completeDoc())).toEqual([]);
    const doc = completeDoc();
    doc.sections.contributingFactors.factors.push({ text: 'Bob forgot to run the migration.', isTrigger: false });
    doc.timeline.push(entry(utc('2026-11-21T00:20:00Z'), "It was <@UDANA>'s fault", 'UCAROL'));
    doc.timeline.push(
      entry(utc('2026-11-21T00:21:00Z'), '<@UDANA> failed to notice', 'UCAROL', { source: 'system', kind: 'status' }),
    );
    doc.actionItems.push(item(4, { text: 'Be more careful with configs' }), item(5, { text: 'Improve monitoring' }));
    const warnings = checkPostmortemLanguage(doc);
    expect(warnings.map((w) => [w.kind, w.where])).toEqual([
      ['blame', 'Contributing factors'],
      ['blame', 'Timeline 2026-11-21 00:20'],
      ['vague_action_item', 'Action item 4'],
      ['vague_action_item', 'Action item 5'],
    ]);
    expect(warnings[0]).toMatchObject({ person: 'Bob', phrase: 'forgot to' });
  });
});
