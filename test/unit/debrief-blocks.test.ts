import type { AgendaInput } from '../../src/domain/debrief';
import type { DebriefNotice, DebriefPreRead } from '../../src/services/debriefs';
import {
  debriefPickBlockId,
  instantOfValue,
  parseDebriefPickBlockId,
  renderDebriefNotice,
  slotUtc,
} from '../../src/slack/blocks/debrief';
import { formatViolations, messageBlocksTooLong, validateMessageBlocks } from '../kit/block-kit-limits';

const start = new Date('2026-11-20T09:00:00Z');
const end = new Date('2026-11-20T10:00:00Z');
const long = (n: number) => `${'word '.repeat(n)}<!channel> <!subteam^S1|@oncall>`;
const people = Array.from({ length: 40 }, (_, i) => `U${String(i).padStart(8, '0')}`);

const agenda: AgendaInput = {
  severity: 'sev1',
  minutes: 240,
  contributingFactors: Array.from({ length: 60 }, () => long(80)),
  helped: [long(600)],
  hindered: [long(600)],
  actionItems: Array.from({ length: 80 }, (_, i) => ({
    number: i + 1,
    text: long(50),
    ownerId: people[i % people.length]!,
    priority: 'high',
    due: '2026-12-18',
  })),
};
const preRead: DebriefPreRead = {
  summary: long(2000),
  contributingFactors: Array.from({ length: 30 }, () => long(100)),
  openActionItems: 80,
  channelId: 'C1',
  link: 'https://slack.com/app_redirect?channel=C1&team=T1',
};

const notices: DebriefNotice[] = [
  {
    kind: 'debrief_proposals',
    incidentId: 7,
    incidentNumber: 3,
    round: 2,
    minutes: 60,
    proposals: [0, 1, 2].map((i) => ({
      start: new Date(start.getTime() + i * 7_200_000),
      end: new Date(end.getTime() + i * 7_200_000),
      covered: people.slice(0, 20),
      outside: people.slice(20).map((userId) => ({
        userId,
        timeZone: 'Australia/Sydney',
        localTime: '20:00',
        localWeekday: 'Fri',
        label: '',
      })),
    })),
    note: long(300),
    participants: people.map((userId, i) => ({ userId, required: i < 30 })),
    facilitatorId: people[3]!,
    suggestions: [long(50)],
    withoutZone: people.slice(0, 30),
    leftOut: people.slice(0, 10),
    by: people[0]!,
    scheduledStart: start,
  },
  {
    kind: 'debrief_scheduled',
    incidentId: 7,
    incidentNumber: 3,
    start,
    end,
    agenda,
    participants: people.map((userId) => ({ userId, required: true })),
    facilitatorId: null,
    by: people[0]!,
    previousStart: new Date('2026-11-19T09:00:00Z'),
    filename: 'debrief-3.ics',
  },
  {
    kind: 'debrief_invitation',
    incidentNumber: 3,
    title: long(100),
    start,
    end,
    required: false,
    facilitatorId: people[1]!,
    agenda,
    preRead,
    previousStart: null,
    by: people[0]!,
  },
  { kind: 'debrief_cancelled', incidentNumber: 3, title: long(10), start, by: people[0]!, skipReason: long(100) },
  { kind: 'debrief_pre_read', incidentNumber: 3, title: null, start, preRead },
  { kind: 'debrief_reminder', incidentNumber: 3, title: long(10), start, end, channelId: 'C1' },
];

describe('debrief blocks', () => {
  it.each(notices.map((n) => [n.kind, n] as const))(
    '%s stays within Block Kit limits and pings nobody',
    (_, notice) => {
      const message = renderDebriefNotice(notice);
      const blocks = message.blocks ?? [];
      expect(formatViolations(validateMessageBlocks(blocks))).toEqual([]);
      expect(messageBlocksTooLong(blocks)).toBe(false);
      const everything = `${message.text} ${JSON.stringify(blocks)}`;
      expect(everything).not.toMatch(/<!channel>|<!subteam/);
    },
  );

  it('proposal buttons carry the slot start in ISO-8601 UTC, their block the incident and round', () => {
    const message = renderDebriefNotice(notices[0]!);
    const buttons = (message.blocks ?? []).flatMap((b) =>
      'accessory' in b && b.accessory?.type === 'button' ? [{ block: b.block_id, button: b.accessory }] : [],
    );
    expect(buttons.map((b) => [b.block, b.button.action_id, b.button.value])).toEqual([
      ['debrief_pick_7_2_0', 'debrief_pick', '2026-11-20T09:00:00Z'],
      ['debrief_pick_7_2_1', 'debrief_pick', '2026-11-20T11:00:00Z'],
      ['debrief_pick_7_2_2', 'debrief_pick', '2026-11-20T13:00:00Z'],
    ]);
    expect(parseDebriefPickBlockId(debriefPickBlockId(7, 2, 1))).toEqual({ incidentId: 7, round: 2 });
    for (const bad of [undefined, '', 'debrief_pick_0_1_0', 'debrief_pick_7_x_0', 'debrief_cancel_7']) {
      expect(parseDebriefPickBlockId(bad)).toBeUndefined();
    }
    expect(instantOfValue('2026-11-20T09:00:00Z')).toEqual(start);
    for (const bad of [undefined, 'friday', '2026-11-20 09:00', '2026-13-45T99:00:00Z']) {
      expect(instantOfValue(bad)).toBeUndefined();
    }
  });

  it('writes a slot in UTC with its weekday', () => {
    expect(slotUtc(start, end)).toBe('Fri 2026-11-20 09:00–10:00 UTC');
  });
});
