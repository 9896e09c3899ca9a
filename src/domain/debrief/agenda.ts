/**
 * The debrief's time-boxed agenda (SPEC §6), built from the postmortem draft as structured data: rendering it
 * to Slack blocks or to the calendar file's description is the caller's business.
 */
import type { Severity } from '../types';

/** One time-boxed part of the meeting. */
export interface AgendaPart {
  key: 'ground_rules' | 'recap' | 'how_we_got_here' | 'response' | 'action_items' | 'customer_communication';
  title: string;
  minutes: number;
  points: string[];
}

/** The agenda; the parts' minutes add up to `minutes`. */
export interface DebriefAgenda {
  minutes: number;
  parts: AgendaPart[];
}

/** An action item as the agenda lists it. */
export interface AgendaActionItem {
  number: number;
  text: string;
  ownerId: string | null;
  priority: string | null;
  /** Due date as `YYYY-MM-DD`, or null. */
  due: string | null;
}

/** What the agenda is built from. */
export interface AgendaInput {
  severity: Severity;
  minutes: number;
  /** The draft's contributing factors, one per item (the trigger marked by the caller if it wishes). */
  contributingFactors: readonly string[];
  /** From the draft's Response or Lessons learned, when written. */
  helped?: readonly string[];
  hindered?: readonly string[];
  actionItems: readonly AgendaActionItem[];
  /** Turns a user id into a display name; the identity by default (Slack rendering may pass `<@id>`). */
  nameOf?: (userId: string) => string;
}

/** The recap is read beforehand and takes five minutes in the room (SPEC §6). */
export const RECAP_MINUTES = 5;
/** Shorter than this, the parts cannot each have a minute after the rules and the recap. */
export const MIN_AGENDA_MINUTES = 12;

/**
 * Builds the time-boxed agenda from the draft: ground rules, a 5-minute recap, contributing factors, the
 * response, action items and (sev1–2) customer communication, with minutes adding up to the meeting length.
 */
export function debriefAgenda(input: AgendaInput): DebriefAgenda {
  const total = input.minutes;
  if (!Number.isInteger(total) || total < MIN_AGENDA_MINUTES) {
    throw new RangeError(`an agenda needs a whole number of minutes ≥ ${MIN_AGENDA_MINUTES}: ${total}`);
  }
  const name = input.nameOf ?? ((id: string) => id);
  const customer = input.severity === 'sev1' || input.severity === 'sev2';

  const groundRules: AgendaPart = {
    key: 'ground_rules',
    title: 'Ground rules',
    minutes: total <= 30 ? 2 : 3,
    points: [
      'Blameless: we look at systems, signals and decisions, never at who is at fault.',
      'Facts, not fault: what happened, and why it made sense to the people there at the time.',
    ],
  };
  const recap: AgendaPart = {
    key: 'recap',
    title: 'Recap (read the draft beforehand)',
    minutes: RECAP_MINUTES,
    points: ['The owner sums up the draft: what happened, how long, who was affected.'],
  };
  const factors = input.contributingFactors.map((f) => f.trim()).filter((f) => f !== '');
  const weighted: { part: Omit<AgendaPart, 'minutes'>; weight: number }[] = [
    {
      weight: 35,
      part: {
        key: 'how_we_got_here',
        title: 'How we got here: the contributing factors',
        points: factors.length > 0 ? factors : ['No contributing factors written yet: list them together.'],
      },
    },
    {
      weight: 25,
      part: {
        key: 'response',
        title: 'The response: what helped, what hindered',
        points: [
          ...labelled('Helped', input.helped),
          ...labelled('Hindered', input.hindered),
          'How we noticed, how we got the right people, what slowed us down.',
        ],
      },
    },
    {
      weight: 30,
      part: {
        key: 'action_items',
        title: 'Action items: agree owner, priority and due date',
        points: [
          ...input.actionItems.map((item) => describeItem(item, name)),
          'Record the items we decide against, and why.',
        ],
      },
    },
  ];
  if (customer) {
    weighted.push({
      weight: 10,
      part: {
        key: 'customer_communication',
        title: 'Customer communication',
        points: ['What customers were told, when and where; what they should have heard sooner.'],
      },
    });
  }
  const shares = allocate(
    total - groundRules.minutes - recap.minutes,
    weighted.map((w) => w.weight),
  );
  return {
    minutes: total,
    parts: [groundRules, recap, ...weighted.map((w, i) => ({ ...w.part, minutes: shares[i]! }))],
  };
}

function labelled(label: string, items: readonly string[] | undefined): string[] {
  return (items ?? [])
    .map((i) => i.trim())
    .filter((i) => i !== '')
    .map((i) => `${label}: ${i}`);
}

function describeItem(item: AgendaActionItem, name: (id: string) => string): string {
  const details = [
    item.ownerId ? `owner ${name(item.ownerId)}` : 'no owner yet',
    item.priority ? `priority ${item.priority}` : 'no priority yet',
    item.due ? `due ${item.due}` : 'no due date yet',
  ];
  return `#${item.number} ${item.text.trim()} (${details.join(', ')})`;
}

/** Splits `total` minutes by weight, at least one each, with largest remainders so the sum is exact. */
function allocate(total: number, weights: number[]): number[] {
  const spare = total - weights.length;
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (spare * w) / sum);
  const shares = exact.map((e) => 1 + Math.floor(e));
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, rest: e - Math.floor(e) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]! += 1;
    left -= 1;
  }
  return shares;
}
