import type {
  ContextBlock,
  HeaderBlock,
  InputBlock,
  KnownBlock,
  PlainTextInput,
  RadioButtons,
  SectionBlock,
  StaticSelect,
} from '@slack/types';
import fc from 'fast-check';
import {
  displayText,
  escapeMrkdwn,
  isoUtc,
  mention,
  slackDate,
  TRUNCATION_NOTICE,
  truncate,
  unescapeEntities,
} from '../../src/slack/blocks/format';
import {
  confirmDeleteEntryModal,
  type EntryRevisionView,
  editTimelineEntryModal,
  incidentCard,
  START_WHERE,
  startIncidentModal,
} from '../../src/slack/blocks/incident';
import { MAX_SELECT_OPTIONS, pickIncidentModal } from '../../src/slack/blocks/pick-incident';
import { BlockIds, CallbackIds } from '../../src/slack/ids';
import { incidentSummary, timelineEntry } from '../support/fixtures';

const AT = new Date('2026-11-20T14:05:00Z');

const incident = incidentSummary({ declaredAt: AT });

const entry = timelineEntry(5, {
  source: 'reaction',
  text: 'rolled back &amp; paged <@U2|bob>',
  occurredAt: new Date('2026-11-20T09:05:00Z'),
  recordedAt: new Date('2026-11-20T09:06:00Z'),
  message: { channelId: 'C0INC', ts: '1795165500.000100', authorId: 'UAUTHOR' },
});

function allText(blocks: unknown): string {
  return JSON.stringify(blocks);
}

function inputBlock(blocks: KnownBlock[], blockId: string): InputBlock {
  const block = blocks.find((b) => b.type === 'input' && b.block_id === blockId);
  if (!block) throw new Error(`no input block ${blockId}`);
  return block as InputBlock;
}

describe('format', () => {
  it('writes ISO-8601 UTC', () => {
    expect(isoUtc(AT)).toBe('2026-11-20T14:05:00Z');
  });

  it('writes Slack date tokens with the UTC text as fallback', () => {
    expect(slackDate(AT)).toBe('<!date^1795183500^{date_short_pretty} {time}|2026-11-20 14:05 UTC>');
    expect(slackDate(AT, '{time}')).toBe('<!date^1795183500^{time}|2026-11-20 14:05 UTC>');
    expect(slackDate(new Date('x'))).toBe('invalid time');
  });

  it('mentions users', () => {
    expect(mention('U123')).toBe('<@U123>');
  });

  it('escapes &, < and > but keeps Slack tokens and existing entities', () => {
    expect(escapeMrkdwn('a < b > c & d')).toBe('a &lt; b &gt; c &amp; d');
    expect(
      escapeMrkdwn('<@U1> <@W2|bo b> <#C3|ops> <!subteam^S4|@sre> <https://x.io/a?b=1&c=2|logs> <mailto:a@b.c>'),
    ).toBe('<@U1> <@W2|bo b> <#C3|ops> <!subteam^S4|@sre> <https://x.io/a?b=1&c=2|logs> <mailto:a@b.c>');
    expect(escapeMrkdwn(slackDate(AT))).toBe(slackDate(AT));
    expect(escapeMrkdwn('&amp; &lt;x&gt;')).toBe('&amp; &lt;x&gt;');
  });

  it('neutralises broadcasts and made-up tokens', () => {
    expect(escapeMrkdwn('<!channel> <!here> <script>')).toBe('&lt;!channel&gt; &lt;!here&gt; &lt;script&gt;');
    expect(escapeMrkdwn('<javascript:alert(1)|x>')).toBe('&lt;javascript:alert(1)|x&gt;');
  });

  it('escapes idempotently, leaving no bare & < > outside tokens', () => {
    const pieces = fc.constantFrom('<', '>', '&', '&amp;', '<@U1>', '<https://a.b|c>', 'x', ' ', '🔥', '&lt');
    fc.assert(
      fc.property(
        fc.array(pieces).map((parts) => parts.join('')),
        fc.string(),
        (built, random) => {
          for (const text of [built, random]) {
            const once = escapeMrkdwn(text);
            expect(escapeMrkdwn(once)).toBe(once);
            const outsideTokens = once.replace(/<(@U1|https:\/\/a\.b\|c)>/g, '').replace(/&(amp|lt|gt);/g, '');
            expect(outsideTokens).not.toMatch(/[<>&]/);
          }
        },
      ),
    );
  });

  it('unescapes entities for plain-text inputs', () => {
    expect(unescapeEntities('a &lt; b &amp;&amp; c &gt; d')).toBe('a < b && c > d');
    expect(escapeMrkdwn(unescapeEntities('x &amp; <@U1|bob>'))).toBe('x &amp; <@U1|bob>');
  });

  it('truncates with a visible notice, never beyond max', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('a'.repeat(50), 20)).toBe(`${'a'.repeat(7)}${TRUNCATION_NOTICE}`);
    expect(truncate('a'.repeat(50), 20)).toHaveLength(20);
    // No room for the notice: an ellipsis is all that fits.
    expect(truncate('abcdef', 3)).toBe('…');
    expect(truncate('abcdef', 0)).toBe('');
  });

  it('does not cut surrogate pairs, entities or tokens in half', () => {
    expect(truncate(`${'a'.repeat(6)}🔥🔥`, 8, '…')).toBe('aaaaaa…');
    expect(truncate('ab &amp; cdefghijkl', 8, '…')).toBe('ab…');
    expect(truncate('hi <@U123456|bob> there', 12, '…')).toBe('hi…');
  });

  it('truncation respects max for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 0, max: 300 }), (text, max) => {
        expect(truncate(text, max).length).toBeLessThanOrEqual(Math.max(max, 0));
        expect(displayText(text, max).length).toBeLessThanOrEqual(Math.max(max, 0));
      }),
    );
  });

  it('displays huge text cheaply and with a notice', () => {
    const shown = displayText('<'.repeat(40_000), 1_000);
    expect(shown.length).toBeLessThanOrEqual(1_000);
    expect(shown.endsWith(TRUNCATION_NOTICE)).toBe(true);
  });
});

describe('incidentCard', () => {
  it('shows number, title, severity, status, roles, milestones and who declared it', () => {
    const card = incidentCard({
      ...incident,
      roles: { commander: 'UCMD', scribe: 'USCRIBE' },
      milestones: { detected: new Date('2026-11-20T14:00:00Z'), mitigated: AT },
    });
    const header = card.blocks[0] as HeaderBlock;
    expect(header).toMatchObject({ type: 'header', text: { type: 'plain_text', text: '#7 Checkout returns 500s' } });
    const text = allText(card.blocks);
    expect(text).toContain('SEV2');
    expect(text).toContain('Investigating');
    expect(text).toContain('<@UCMD>');
    expect(text).toContain('<@USCRIBE>');
    expect(text).toContain('_unassigned_');
    expect(text).toContain('<#C0INC>');
    expect(text).toContain('*Detected* <!date^');
    expect(text).toContain('*Mitigated* <!date^1795183500^');
    expect(text).not.toContain('*Resolved*');
    expect(text).toContain('Declared by <@U1>');
    expect(card.text).toBe('Incident #7 Checkout returns 500s · SEV2 · Investigating');
  });

  it('keeps milestones in their natural order and says when there are none', () => {
    const ordered = incidentCard({ ...incident, milestones: { resolved: AT, started: AT } });
    const milestones = (ordered.blocks[2] as SectionBlock).text!.text;
    expect(milestones.indexOf('Started')).toBeLessThan(milestones.indexOf('Resolved'));
    expect(allText(incidentCard(incident).blocks)).toContain('No milestones yet');
  });

  it('keeps the header within 150 characters and decodes entities there', () => {
    const card = incidentCard({ ...incident, number: 123456, title: `A &amp; B ${'x'.repeat(300)}` });
    const header = (card.blocks[0] as HeaderBlock).text.text;
    expect(header.length).toBeLessThanOrEqual(150);
    expect(header.startsWith('#123456 A & B x')).toBe(true);
    expect(header.endsWith('…')).toBe(true);
  });

  it('marks private incidents', () => {
    expect(allText(incidentCard({ ...incident, isPrivate: true }).blocks)).toContain(':lock:');
  });
});

describe('startIncidentModal', () => {
  const modal = startIncidentModal({ channelId: 'C0GENERAL', privateMetadata: '{"channelId":"C0GENERAL"}' });

  it('has the callback id, metadata and titles within limits', () => {
    expect(modal.callback_id).toBe(CallbackIds.incidentStart);
    expect(modal.private_metadata).toBe('{"channelId":"C0GENERAL"}');
    for (const text of [modal.title, modal.submit!, modal.close!]) expect(text.text.length).toBeLessThanOrEqual(24);
  });

  it('asks for a title of at most 150 characters', () => {
    const title = inputBlock(modal.blocks as KnownBlock[], BlockIds.title);
    expect(title.element).toMatchObject({ type: 'plain_text_input', action_id: BlockIds.title, max_length: 150 });
  });

  it('offers sev1-4 with sev3 selected', () => {
    const select = inputBlock(modal.blocks as KnownBlock[], BlockIds.severity).element as StaticSelect;
    expect(select.action_id).toBe(BlockIds.severity);
    expect(select.options!.map((option) => option.value)).toEqual(['sev1', 'sev2', 'sev3', 'sev4']);
    expect(select.initial_option!.value).toBe('sev3');
  });

  it('offers a new channel, a private one or this one, new by default', () => {
    const where = inputBlock(modal.blocks as KnownBlock[], BlockIds.where).element as RadioButtons;
    expect(where.options.map((option) => [option.value, option.text.text])).toEqual([
      ['new', 'Create a new channel'],
      ['private', 'Create a new private channel'],
      ['here', 'Use this channel'],
    ]);
    expect(where.initial_option!.value).toBe('new');
    expect(START_WHERE).toEqual(['new', 'private', 'here']);
  });

  it('does not offer "Use this channel" in a DM', () => {
    const dm = startIncidentModal({ channelId: 'D0DM', privateMetadata: '' });
    const where = inputBlock(dm.blocks as KnownBlock[], BlockIds.where).element as RadioButtons;
    expect(where.options.map((option) => option.value)).toEqual(['new', 'private']);
  });
});

describe('editTimelineEntryModal', () => {
  function revision(i: number): EntryRevisionView {
    return {
      text: `version ${i}`,
      occurredAt: new Date(Date.parse('2026-11-20T09:00:00Z') + i * 60_000),
      change: i % 2 ? 'edited' : 'edited_in_slack',
      changedBy: 'UAUTHOR',
      changedAt: new Date(Date.parse('2026-11-20T10:00:00Z') + i * 60_000),
    };
  }

  it('edits text and time, with the current values filled in', () => {
    const modal = editTimelineEntryModal({ entry, history: [], privateMetadata: '{"entryId":5}' });
    expect(modal.callback_id).toBe(CallbackIds.timelineEntryEdit);
    expect(modal.private_metadata).toBe('{"entryId":5}');
    const blocks = modal.blocks as KnownBlock[];
    const text = inputBlock(blocks, BlockIds.text).element as PlainTextInput;
    expect(text).toMatchObject({ action_id: BlockIds.text, multiline: true, max_length: 3000 });
    expect(text.initial_value).toBe('rolled back & paged <@U2|bob>');
    const when = inputBlock(blocks, BlockIds.when);
    expect(when.element).toMatchObject({
      type: 'plain_text_input',
      action_id: BlockIds.when,
      initial_value: '2026-11-20T09:05:00Z',
    });
    expect(when.hint!.text).toMatch(/09:05 UTC/);
    expect(when.hint!.text).toMatch(/ago/);
  });

  it('cuts text longer than the box to 3,000 characters and warns', () => {
    const modal = editTimelineEntryModal({
      entry: { ...entry, text: 'z'.repeat(5_000) },
      history: [],
      privateMetadata: '',
    });
    const blocks = modal.blocks as KnownBlock[];
    expect((inputBlock(blocks, BlockIds.text).element as PlainTextInput).initial_value).toHaveLength(3_000);
    expect(allText(blocks)).toContain('5,000 characters');
  });

  it('lists history newest first', () => {
    const modal = editTimelineEntryModal({
      entry,
      history: [revision(1), revision(3), revision(2)],
      privateMetadata: '',
    });
    const text = allText(modal.blocks);
    expect(text).toContain('*History*');
    expect(text.indexOf('version 3')).toBeLessThan(text.indexOf('version 2'));
    expect(text.indexOf('version 2')).toBeLessThan(text.indexOf('version 1'));
    expect(text).toContain('*Edited in Slack* by <@UAUTHOR>');
    expect(text).not.toContain('older version');
  });

  it('lists at most 30 versions within 100 blocks, saying how many older ones are left out', () => {
    const history = Array.from({ length: 250 }, (_, i) => revision(i));
    const modal = editTimelineEntryModal({
      entry: { ...entry, text: 'q'.repeat(4_000) },
      history,
      privateMetadata: '',
    });
    expect(modal.blocks.length).toBeLessThanOrEqual(100);
    const last = modal.blocks.at(-1) as ContextBlock;
    const hidden = Number(/… (\d+) older versions/.exec(allText(last))![1]);
    const shown = modal.blocks.filter((block) => allText(block).includes('Before:')).length;
    expect(shown).toBe(30);
    expect(shown + hidden).toBe(250);
    expect(allText(modal.blocks)).toContain('version 249');
  });

  it('shows an unknown change word as is', () => {
    const modal = editTimelineEntryModal({
      entry,
      history: [{ ...revision(1), change: 'constructor' }],
      privateMetadata: '',
    });
    expect(allText(modal.blocks)).toContain('*constructor* by');
  });

  it('truncates long old versions', () => {
    const modal = editTimelineEntryModal({
      entry,
      history: [{ ...revision(1), text: 'w'.repeat(10_000) }],
      privateMetadata: '',
    });
    expect(allText(modal.blocks)).toContain(TRUNCATION_NOTICE);
    expect(allText(modal.blocks).length).toBeLessThan(3_000);
  });

  it('leaves the text box empty for a tombstone', () => {
    const modal = editTimelineEntryModal({
      entry: { ...entry, text: '', erasedInSlack: true },
      history: [],
      privateMetadata: '',
    });
    const text = inputBlock(modal.blocks as KnownBlock[], BlockIds.text).element as PlainTextInput;
    expect(text.initial_value).toBeUndefined();
  });
});

describe('confirmDeleteEntryModal', () => {
  it('shows the entry and asks for confirmation', () => {
    const modal = confirmDeleteEntryModal({ entry, privateMetadata: '{"entryId":5}' });
    expect(modal.callback_id).toBe(CallbackIds.timelineEntryDelete);
    expect(modal.submit!.text).toBe('Delete');
    expect(modal.private_metadata).toBe('{"entryId":5}');
    expect(allText(modal.blocks)).toContain('rolled back &amp; paged <@U2|bob>');
    for (const text of [modal.title, modal.submit!, modal.close!]) expect(text.text.length).toBeLessThanOrEqual(24);
  });
});

describe('pickIncidentModal', () => {
  const incidents = Array.from({ length: 3 }, (_, i) => ({ id: 100 + i, number: i + 1, title: `Incident ${i + 1}` }));

  it('asks which incident, with the incident id as the option value', () => {
    const modal = pickIncidentModal({
      incidents,
      messagePreview: 'db is on fire <@U1>',
      privateMetadata: '{"ts":"1"}',
    });
    expect(modal.callback_id).toBe(CallbackIds.addToTimelinePick);
    expect(modal.private_metadata).toBe('{"ts":"1"}');
    expect(modal.submit!.text).toBe('Add');
    const select = inputBlock(modal.blocks as KnownBlock[], BlockIds.incident).element as StaticSelect;
    expect(select.action_id).toBe(BlockIds.incident);
    expect(select.options!.map((option) => [option.value, option.text.text])).toEqual([
      ['100', '#1 Incident 1'],
      ['101', '#2 Incident 2'],
      ['102', '#3 Incident 3'],
    ]);
    expect(select.initial_option).toBeUndefined();
    expect(allText(modal.blocks)).toContain('>db is on fire <@U1>');
  });

  it('pre-selects a single incident', () => {
    const modal = pickIncidentModal({ incidents: incidents.slice(0, 1), messagePreview: 'x', privateMetadata: '' });
    const select = inputBlock(modal.blocks as KnownBlock[], BlockIds.incident).element as StaticSelect;
    expect(select.initial_option!.value).toBe('100');
  });

  it('caps options at 100 and their text at 75 characters', () => {
    const many = Array.from({ length: 130 }, (_, i) => ({ id: i, number: i, title: 't'.repeat(200) }));
    const modal = pickIncidentModal({ incidents: many, messagePreview: 'x'.repeat(10_000), privateMetadata: '' });
    const select = inputBlock(modal.blocks as KnownBlock[], BlockIds.incident).element as StaticSelect;
    expect(select.options).toHaveLength(MAX_SELECT_OPTIONS);
    for (const option of select.options!) expect(option.text.text.length).toBeLessThanOrEqual(75);
    expect(allText(modal.blocks)).toContain('Showing 100 of 130');
    expect(((modal.blocks[0] as SectionBlock).text!.text as string).length).toBeLessThanOrEqual(3_000);
  });

  it('explains when there is no incident to pick, without a submit button', () => {
    const modal = pickIncidentModal({ incidents: [], messagePreview: 'x', privateMetadata: '' });
    expect(modal.submit).toBeUndefined();
    expect(modal.blocks.some((block) => block.type === 'input')).toBe(false);
    expect(allText(modal.blocks)).toContain('/incident start');
  });
});
