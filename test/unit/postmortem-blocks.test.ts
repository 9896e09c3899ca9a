import type { InputBlock, KnownBlock } from '@slack/types';
import {
  checkCompleteness,
  checkPostmortemLanguage,
  emptySections,
  type PostmortemActionItem,
  type PostmortemDocument,
  type PostmortemTimelineEntry,
  SECTION_KEYS,
  type SectionKey,
} from '../../src/domain/postmortem';
import { unescapeEntities } from '../../src/slack/blocks/format';
import {
  postmortemOwnerWanted,
  postmortemSectionModal,
  postmortemShowMessage,
  SECTION_FIRST_FIELD,
  SECTION_TITLES,
  sectionPickMessage,
} from '../../src/slack/blocks/postmortem';
import {
  PostmortemFieldIds as F,
  IncidentBlockPrefixes,
  incidentIdInBlock,
  postmortemSectionCallbackId,
} from '../../src/slack/ids';
import { readSection } from '../../src/slack/listeners/views/postmortem-section';
import { messageBlocksTooLong, validateMessageBlocks, validateView } from '../kit/block-kit-limits';

const AT = new Date('2026-11-20T09:00:00Z');

function entry(minute: number, text: string, loggedBy = 'UBOB'): PostmortemTimelineEntry {
  return {
    at: new Date(AT.getTime() + minute * 60_000),
    text,
    loggedBy,
    saidBy: null,
    source: 'command',
    kind: 'note',
    erasedInSlack: false,
  };
}

function item(number: number, overrides: Partial<PostmortemActionItem> = {}): PostmortemActionItem {
  return {
    number,
    text: `Add an alert on checkout error rate ${number}`,
    type: 'detect',
    ownerId: 'UBOB',
    dueDate: '2026-12-18',
    priority: 'high',
    status: 'open',
    cancelReason: null,
    ticketUrl: null,
    ...overrides,
  };
}

function doc(overrides: Partial<PostmortemDocument> = {}): PostmortemDocument {
  return {
    incident: {
      number: 7,
      title: 'Checkout returns 500s <!here>',
      peakSeverity: 'sev2',
      declaredSeverity: 'sev3',
      status: 'resolved',
      channelName: 'inc-20261120-checkout',
      isPrivate: false,
      reopened: false,
    },
    status: 'drafting',
    ownerId: 'UALICE',
    dueDate: '2026-11-27',
    reviewers: [],
    relatedIncidents: [],
    roles: { commander: 'UBOB' },
    responders: [],
    names: { UALICE: 'Alice', UBOB: 'Bob' },
    milestones: { started: AT, detected: new Date(AT.getTime() + 600_000) },
    declaredAt: AT,
    mitigatedNotApplicable: null,
    laterImpactWindows: [],
    timeline: [entry(1, 'deployed config 1234')],
    sections: { ...emptySections(), summary: 'Drafted by Debrief.' },
    authorship: { summary: 'generated' },
    actionItems: [],
    debrief: null,
    ...overrides,
  };
}

function show(document: PostmortemDocument) {
  const completeness = checkCompleteness(document);
  const warnings = checkPostmortemLanguage(document);
  const openActionItems = document.actionItems.filter((i) => i.status === 'open');
  return postmortemShowMessage({ incidentId: 42, document, completeness, warnings, openActionItems });
}

function allText(blocks: KnownBlock[]): string {
  return JSON.stringify(blocks);
}

function expectWithinSlackLimits(blocks: KnownBlock[]) {
  expect(validateMessageBlocks(blocks)).toEqual([]);
  expect(messageBlocksTooLong(blocks)).toBe(false);
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const block of blocks) {
    if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
  }
}

describe('postmortemShowMessage', () => {
  it('shows each check with its state, what publish needs, and the section picker', () => {
    const { text, blocks } = show(doc());
    const json = allText(blocks);
    expect(text).toMatch(/^Postmortem of #7 Checkout returns 500s &lt;!here&gt;: \d+ things missing/);
    expect(json).not.toContain('<!here>');
    expect(json).toContain(':pencil2: *Summary* — draft only');
    expect(json).toContain(':x: *Impact* — missing');
    expect(json).toContain(':white_check_mark: *Owner* — done');
    expect(json).toContain('*Missing before it can be published*');
    expect(json).toContain('the `mitigated` milestone');
    expect(json).toContain('Severity: sev2 (peak; declared sev3)');
    expect(json).toContain('Owner: <@UALICE>, due 2026-11-27');
    const picker = blocks.find((b) => b.type === 'actions');
    expect(picker).toMatchObject({ block_id: 'postmortem_section_pick_42' });
    expect(JSON.stringify(picker)).toContain('Summary · draft only');
    expectWithinSlackLimits(blocks);
  });

  it('shows blameless-language warnings with their suggestion, open items and suggestions', () => {
    const document = doc({
      sections: { ...emptySections(), summary: 'Bob forgot to renew the certificate.' },
      authorship: { summary: 'person' },
      actionItems: [
        item(1, { type: 'prevent' }),
        item(2, { text: 'Be more careful with deploys', type: null, ownerId: null }),
      ],
    });
    document.sections.detection.detectedBy = { kind: 'customer', detail: null };
    const json = allText(show(document).blocks);
    expect(json).toContain('*Blameless language*');
    expect(json).toMatch(/\*Summary\*: “Bob forgot to renew the certificate\.”/);
    expect(json).toContain('_Instead:_');
    expect(json).toContain('*Open action items* (2)');
    expect(json).toContain('#2 Be more careful with deploys — _no owner_, due 2026-12-18, _no type_, high');
    expect(json).toContain('*Suggestions*');
    expect(json).toContain('detected by a customer');
  });

  it('says when it is complete', () => {
    const sections = emptySections();
    sections.summary = 'x';
    const document = doc({ sections, authorship: { summary: 'person' } });
    const completeness = { ...checkCompleteness(document), complete: true, missing: [] };
    const { blocks } = postmortemShowMessage({
      incidentId: 1,
      document,
      completeness,
      warnings: [],
      openActionItems: [],
    });
    expect(allText(blocks)).toContain('Nothing is missing: `/postmortem publish` publishes it.');
  });

  it('stays within Slack’s limits for a huge document, and says what it left out', () => {
    const long = `Bob forgot the runbook again, ${'and the pager was silent '.repeat(200)}`;
    const sections = emptySections();
    sections.summary = 'a'.repeat(3000);
    sections.impact.narrative = long;
    sections.contributingFactors.factors = Array.from({ length: 40 }, (_, i) => ({
      text: `Bob failed to check factor ${i}. ${'x'.repeat(300)}`,
      isTrigger: i === 0,
    }));
    const document = doc({
      incident: { ...doc().incident, title: 'T'.repeat(150) },
      sections,
      authorship: { summary: 'person', impact: 'person', contributingFactors: 'person' },
      timeline: Array.from({ length: 2_000 }, (_, i) => entry(i, `<@UBOB> forgot step ${i}: ${'y'.repeat(100)}`)),
      actionItems: Array.from({ length: 60 }, (_, i) =>
        item(i + 1, { text: `Investigate ${'z'.repeat(2000)}`, ownerId: null, type: null, dueDate: null }),
      ),
    });
    const report = show(document);
    expectWithinSlackLimits(report.blocks);
    const json = allText(report.blocks);
    expect(json).toMatch(/… \d+ more not shown: reword the ones above/);
    // Every part shows at least its first line: the warnings do not crowd out the rest.
    expect(json).toContain('*Sections*');
    expect(json).toContain('action item 1: an owner, a due date and a type; action item 2');
    expect(json).toMatch(/and 5\d more/);
    expect(json).toContain('*Open action items* (60)\\n• #1 Investigate');
    expect(json).toMatch(/… 5\d more \(the export lists them all\)/);
    expect(json).toContain('*Suggestions*\\n• ');
    expect(report.blocks.at(-1)).toMatchObject({ type: 'context' });
    expect(report.blocks.at(-2)).toMatchObject({ type: 'actions' });
  });

  it('fits any report, however long its parts: every part keeps its title and first line', () => {
    const long = (what: string) => `${what} ${'q'.repeat(1_500)}`;
    const document = doc();
    const base = checkCompleteness(document);
    const completeness = {
      ...base,
      checks: base.checks.map((check) => ({
        ...check,
        status: 'incomplete' as const,
        missing: Array.from({ length: 5 }, (_, i) => long(`${check.title} part ${i}`)),
      })),
      missing: Array.from({ length: 40 }, (_, i) => long(`missing ${i}`)),
      suggestions: Array.from({ length: 30 }, (_, i) => ({
        kind: 'milestone_order' as const,
        message: long(`hint ${i}`),
      })),
    };
    const warnings = Array.from({ length: 500 }, (_, i) => ({
      kind: 'blame' as const,
      where: `Timeline ${i}`,
      sentence: long('Bob forgot'),
      index: 0,
      person: 'Bob',
      phrase: 'forgot',
      category: 'omission' as never,
      suggestion: long('Say what the process missed'),
    }));
    const openActionItems = Array.from({ length: 200 }, (_, i) => item(i + 1, { text: long('Investigate') }));
    const { blocks } = postmortemShowMessage({ incidentId: 3, document, completeness, warnings, openActionItems });
    expectWithinSlackLimits(blocks);
    const json = allText(blocks);
    for (const title of [
      '*Sections*',
      '*Missing before',
      '*Blameless language*',
      '*Open action items*',
      '*Suggestions*',
    ]) {
      expect(json).toContain(title);
    }
    expect(json).toContain('missing 0');
    expect(json).toContain('#1 Investigate');
    expect(json).toContain('hint 0');
    expect(json).toMatch(/… \d+ more \(the export lists them all\)/);
  });

  it('holds any mix of lengths within the limits', () => {
    for (const size of [0, 10, 100, 1_000, 2_999, 3_000]) {
      for (const count of [0, 1, 14, 15, 16, 100]) {
        const document = doc({
          timeline: Array.from({ length: count }, (_, i) => entry(i, `Bob forgot ${'w'.repeat(size)}`)),
          actionItems: Array.from({ length: count }, (_, i) =>
            item(i + 1, { text: `Investigate ${'v'.repeat(size)}` }),
          ),
        });
        expectWithinSlackLimits(show(document).blocks);
      }
    }
  });
});

describe('the owner prompt and the section picker', () => {
  it('the owner prompt carries the incident in its block id, read back by incidentIdInBlock', () => {
    const { blocks } = postmortemOwnerWanted({
      kind: 'postmortem_owner_wanted',
      incidentId: 42,
      incidentNumber: 7,
      reason: 'required',
      by: null,
    });
    const section = blocks!.find((b) => b.type === 'section')!;
    expect(section.block_id).toBe('postmortem_owner_42');
    expect(incidentIdInBlock(IncidentBlockPrefixes.postmortemOwner, section.block_id)).toBe(42);
    expect(incidentIdInBlock(IncidentBlockPrefixes.postmortemOwner, 'postmortem_owner_x')).toBeUndefined();
    expect(incidentIdInBlock(IncidentBlockPrefixes.postmortemOwner, 'other_42')).toBeUndefined();
    expect(validateMessageBlocks(blocks!)).toEqual([]);
  });

  it('the picker lists every section', () => {
    const { blocks } = sectionPickMessage({ id: 9, number: 3 });
    expect(validateMessageBlocks(blocks)).toEqual([]);
    const options = (blocks[1] as { elements: { options: { value: string }[] }[] }).elements[0]!.options;
    expect(options.map((o) => o.value)).toEqual([...SECTION_KEYS]);
  });
});

describe('postmortemSectionModal', () => {
  const full = () => {
    const sections = emptySections();
    sections.summary = 'Checkout failed &amp; recovered';
    sections.impact = {
      affectedServices: ['checkout', 'payments-api'],
      customerVisible: true,
      affected: { kind: 'percentage', value: 4, of: 'orders' },
      notMeasurableReason: null,
      dataLoss: 'recovered',
      sloBudgetSpent: '18%',
      supportTickets: 14,
      statusPageUrl: 'https://status.test/1',
      narrative: 'Customers saw errors &lt;500&gt;',
    };
    sections.detection = {
      detectedBy: { kind: 'alert', name: 'checkout-5xx', url: 'https://alerts.test/1' },
      howSooner: null,
      narrative: null,
    };
    sections.contributingFactors.factors = [
      { text: 'A config change', isTrigger: true },
      { text: 'No canary', isTrigger: false },
    ];
    sections.supportingLinks = [{ url: 'https://grafana.test/d/1', label: 'Dashboard' }];
    return sections;
  };
  const modal = (section: SectionKey, sections = full(), draftOnly = false) =>
    postmortemSectionModal({
      section,
      sections,
      incident: { number: 7, title: 'Checkout <!channel>' },
      draftOnly,
      privateMetadata: '{"incidentId":1}',
    });
  const inputs = (view: ReturnType<typeof modal>) => view.blocks.filter((b): b is InputBlock => b.type === 'input');
  const initial = (view: ReturnType<typeof modal>, id: string) => {
    const element = inputs(view).find((b) => b.block_id === id)?.element as {
      initial_value?: string;
      initial_option?: { value: string };
    };
    return element?.initial_value ?? element?.initial_option?.value;
  };

  it.each([...SECTION_KEYS])('%s: a valid modal with its own callback id, titled within 24 characters', (section) => {
    const view = modal(section);
    expect(validateView(view, ['modal'])).toEqual([]);
    expect(view.callback_id).toBe(postmortemSectionCallbackId(section));
    expect(view.title).toMatchObject({ text: SECTION_TITLES[section] });
    expect(inputs(view)[0]!.block_id).toBe(SECTION_FIRST_FIELD[section]);
    for (const block of inputs(view)) expect((block.element as { action_id: string }).action_id).toBe(block.block_id);
    expect(JSON.stringify(view)).not.toContain('<!channel>');
  });

  it('prefills what the document holds, as typed', () => {
    expect(initial(modal('summary'), F.summary)).toBe('Checkout failed & recovered');
    const impact = modal('impact');
    expect(initial(impact, F.affectedServices)).toBe('checkout, payments-api');
    expect(initial(impact, F.customerVisible)).toBe('yes');
    expect(initial(impact, F.affected)).toBe('4%');
    expect(initial(impact, F.affectedOf)).toBe('orders');
    expect(initial(impact, F.dataLoss)).toBe('recovered');
    expect(initial(impact, F.supportTickets)).toBe('14');
    expect(initial(impact, F.narrative)).toBe('Customers saw errors <500>');
    const detection = modal('detection');
    expect(initial(detection, F.detectedBy)).toBe('alert');
    expect(initial(detection, F.detectedDetail)).toBe('checkout-5xx https://alerts.test/1');
    expect(initial(modal('contributingFactors'), F.factors)).toBe('trigger: A config change\nNo canary');
    expect(initial(modal('supportingInformation'), F.links)).toBe('https://grafana.test/d/1 Dashboard');
  });

  it('asks a person to rewrite a draft, and cuts what does not fit in a field with a warning', () => {
    expect(JSON.stringify(modal('summary', full(), true))).toContain('Debrief drafted this');
    const sections = full();
    sections.summary = 's'.repeat(5000);
    const view = modal('summary', sections);
    expect(validateView(view, ['modal'])).toEqual([]);
    expect(initial(view, F.summary)).toHaveLength(3000);
    expect(JSON.stringify(view)).toContain('saving keeps only what is shown');
  });

  it('reads back what it shows: opening and saving unchanged keeps the section', () => {
    for (const section of SECTION_KEYS) {
      const view = modal(section);
      const values: Record<string, Record<string, unknown>> = {};
      for (const block of inputs(view)) {
        const element = block.element as {
          type: string;
          initial_value?: string;
          initial_option?: { value: string };
        };
        const value =
          element.type === 'plain_text_input'
            ? { type: element.type, value: element.initial_value ?? null }
            : { type: element.type, selected_option: element.initial_option ?? null };
        values[block.block_id!] = { [block.block_id!]: value };
      }
      const read = readSection(section, values as never);
      expect(read.success).toBe(true);
      if (!read.success) continue;
      const stored = full();
      const expected =
        section === 'actionItems'
          ? stored.actionItemsNote
          : section === 'supportingInformation'
            ? stored.supportingLinks
            : stored[section];
      expect(read.data).toEqual({ section, value: expected });
    }
  });
});

describe('readSection (the modal submissions)', () => {
  const text = (value: string | null) => ({ type: 'plain_text_input', value });
  const option = (value: string | null) => ({
    type: 'radio_buttons',
    selected_option: value === null ? null : { value },
  });
  const state = (fields: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(fields).map(([id, v]) => [id, { [id]: v }])) as never;
  const errorsOf = (section: SectionKey, fields: Record<string, unknown>) => {
    const read = readSection(section, state(fields));
    if (read.success) throw new Error('expected a refusal');
    return Object.fromEntries(read.error.issues.map((i) => [String(i.path[0]), i.message]));
  };

  it('stores text Slack-escaped, empty as null', () => {
    const read = readSection('summary', state({ [F.summary]: text('  a < b & <@U1> <!here> ') }));
    expect(read).toEqual({
      success: true,
      data: { section: 'summary', value: 'a &lt; b &amp; <@U1> &lt;!here&gt;' },
    });
    expect(unescapeEntities('a &lt; b')).toBe('a < b');
    expect(readSection('summary', state({ [F.summary]: text('   ') }))).toMatchObject({ data: { value: null } });
    expect(readSection('summary', state({}))).toMatchObject({ data: { value: null } });
  });

  it('refuses more than 3,000 characters under the field concerned', () => {
    expect(errorsOf('summary', { [F.summary]: text('x'.repeat(3001)) })[F.summary]).toMatch(/at most 3,000/);
    expect(readSection('summary', state({ [F.summary]: text('x'.repeat(3000)) })).success).toBe(true);
    expect(errorsOf('lessonsLearned', { [F.gotLucky]: text('x'.repeat(3001)) })).toHaveProperty(F.gotLucky);
  });

  it('reads the impact fields: figures, yes/no, tickets and links', () => {
    const read = readSection(
      'impact',
      state({
        [F.affectedServices]: text('checkout,  payments-api ,'),
        [F.customerVisible]: option('no'),
        [F.affected]: text('1,200'),
        [F.affectedOf]: text('requests'),
        [F.dataLoss]: option('unknown'),
        [F.supportTickets]: text('3'),
        [F.statusPage]: text('https://status.test/x?a=1&b=2'),
      }),
    );
    expect(read).toMatchObject({
      success: true,
      data: {
        value: {
          affectedServices: ['checkout', 'payments-api'],
          customerVisible: false,
          affected: { kind: 'count', value: 1200, of: 'requests' },
          dataLoss: 'unknown',
          supportTickets: 3,
          statusPageUrl: 'https://status.test/x?a=1&amp;b=2',
          notMeasurableReason: null,
        },
      },
    });
    expect(errorsOf('impact', { [F.affected]: text('lots'), [F.affectedOf]: text('x') })).toHaveProperty(F.affected);
    expect(errorsOf('impact', { [F.affected]: text('120%'), [F.affectedOf]: text('x') })).toHaveProperty(F.affected);
    expect(errorsOf('impact', { [F.affected]: text('12%') })).toHaveProperty(F.affectedOf);
    expect(errorsOf('impact', { [F.supportTickets]: text('many') })).toHaveProperty(F.supportTickets);
    expect(errorsOf('impact', { [F.statusPage]: text('status page') })).toHaveProperty(F.statusPage);
  });

  it('reads who detected it: an alert’s name and link apart', () => {
    const read = readSection(
      'detection',
      state({
        [F.detectedBy]: { type: 'static_select', selected_option: { value: 'alert' } },
        [F.detectedDetail]: text('https://alerts.test/9 Checkout 5xx'),
      }),
    );
    expect(read).toMatchObject({
      data: { value: { detectedBy: { kind: 'alert', name: 'Checkout 5xx', url: 'https://alerts.test/9' } } },
    });
    expect(errorsOf('detection', { [F.detectedDetail]: text('a customer') })).toHaveProperty(F.detectedBy);
  });

  it('reads one factor per line with the trigger marked, and refuses two triggers', () => {
    const read = readSection(
      'contributingFactors',
      state({ [F.factors]: text('- Trigger: config change\n\n* no canary\n2. alerts too slow') }),
    );
    expect(read).toMatchObject({
      data: {
        value: {
          factors: [
            { text: 'config change', isTrigger: true },
            { text: 'no canary', isTrigger: false },
            { text: 'alerts too slow', isTrigger: false },
          ],
          fiveWhys: null,
        },
      },
    });
    expect(errorsOf('contributingFactors', { [F.factors]: text('trigger: a\ntrigger: b') })[F.factors]).toMatch(
      /Mark one factor as the trigger/,
    );
    expect(errorsOf('contributingFactors', { [F.factors]: text('trigger:') })[F.factors]).toMatch(/nothing after/);
  });

  it('reads one link per line, the URL first, and names the line at fault', () => {
    const read = readSection(
      'supportingInformation',
      state({ [F.links]: text('https://grafana.test/d/1 Checkout errors\nhttps://jira.test/OPS-1') }),
    );
    expect(read).toMatchObject({
      data: {
        value: [
          { url: 'https://grafana.test/d/1', label: 'Checkout errors' },
          { url: 'https://jira.test/OPS-1', label: null },
        ],
      },
    });
    expect(
      errorsOf('supportingInformation', { [F.links]: text('https://a.test\nDashboard https://b.test') })[F.links],
    ).toMatch(/^Line 2: start with the link/);
  });
});
