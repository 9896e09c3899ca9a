/**
 * The incident's times as a postmortem states them (SPEC 4): Impact and Response durations, TTD/TTA/TTM/TTR,
 * later impact windows after a reopening, and the milestones that are out of order. Durations are never
 * guessed: a missing milestone gives no duration rather than a fallback to another time.
 */
import { MILESTONE_KINDS, type MilestoneKind } from './types';

export type Milestones = Partial<Record<MilestoneKind, Date>>;

/** An impact window after a reopening: from when the impact began again to when it ended (null when not known). */
export interface ImpactWindowInput {
  started: Date | null;
  ended: Date | null;
}

/** A window with its duration; `durationMs` is null when either end is missing. */
export interface ImpactWindow extends ImpactWindowInput {
  durationMs: number | null;
}

/** Two milestones whose order contradicts the order they describe (e.g. mitigated before detected). */
export interface MilestoneOrderProblem {
  earlier: MilestoneKind;
  later: MilestoneKind;
  /** A sentence for `show`: "mitigated (2026-11-20 09:10 UTC) is before detected (2026-11-20 09:30 UTC)". */
  message: string;
}

/** Everything the metadata list says about time. */
export interface IncidentFacts {
  milestones: Milestones;
  declaredAt: Date;
  /** The first impact window: started → mitigated, or resolved when there is no mitigated. */
  impact: ImpactWindow;
  /** Whether the first impact window ended at `mitigated` or (without one) at `resolved`. */
  impactEndedAt: 'mitigated' | 'resolved' | null;
  /** Windows after reopenings, in the order given. */
  laterImpactWindows: ImpactWindow[];
  /** The earlier of detected and declared → resolved. */
  responseMs: number | null;
  ttdMs: number | null;
  ttaMs: number | null;
  ttmMs: number | null;
  ttrMs: number | null;
  /** True without `started`: the document then says "impact start unknown". */
  impactStartUnknown: boolean;
  outOfOrder: MilestoneOrderProblem[];
}

/** Computes the durations, windows and order problems from the milestones, the declaration time and later windows. */
export function incidentFacts(input: {
  milestones: Milestones;
  declaredAt: Date;
  laterImpactWindows?: readonly ImpactWindowInput[];
}): IncidentFacts {
  const m = input.milestones;
  const impactEnd = m.mitigated ?? m.resolved ?? null;
  const responseStart = earlier(m.detected, input.declaredAt);
  return {
    milestones: m,
    declaredAt: input.declaredAt,
    impact: window(m.started ?? null, impactEnd),
    impactEndedAt: m.mitigated ? 'mitigated' : m.resolved ? 'resolved' : null,
    laterImpactWindows: (input.laterImpactWindows ?? []).map((w) => window(w.started, w.ended)),
    responseMs: between(responseStart, m.resolved),
    ttdMs: between(m.started, m.detected),
    ttaMs: between(m.detected, m.acknowledged),
    ttmMs: between(m.started, m.mitigated),
    ttrMs: between(m.started, m.resolved),
    impactStartUnknown: m.started === undefined,
    outOfOrder: milestoneOrderProblems(m),
  };
}

/** Every pair of milestones that is out of order: each kind should come no earlier than the kinds listed before it. */
export function milestoneOrderProblems(milestones: Milestones): MilestoneOrderProblem[] {
  const problems: MilestoneOrderProblem[] = [];
  MILESTONE_KINDS.forEach((earlierKind, i) => {
    const a = milestones[earlierKind];
    if (!a) return;
    for (const laterKind of MILESTONE_KINDS.slice(i + 1)) {
      const b = milestones[laterKind];
      if (b && b.getTime() < a.getTime()) {
        problems.push({
          earlier: earlierKind,
          later: laterKind,
          message: `${laterKind} (${utcMinute(b)} UTC) is before ${earlierKind} (${utcMinute(a)} UTC)`,
        });
      }
    }
  });
  return problems;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Writes a duration like `45m`, `3h 12m`, `2d 4h 5m`: whole minutes, rounded down (a minute is not over
 * until it is); zero units are left out (`3h`, `2d 5m`); `0m` for nothing, `<1m` for under a minute;
 * days are 24 hours. A negative duration (milestones out of order) keeps its sign: `-20m`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0m';
  if (ms < MINUTE) return '<1m';
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  const parts: string[] = [];
  if (days > 0) parts.push(`${days}d`);
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  return parts.join(' ');
}

/** `2026-11-20 09:05`: an instant to the minute in UTC (without the zone name), fast enough for long timelines. */
export function utcMinute(at: Date): string {
  const ms = at.getTime();
  if (Number.isNaN(ms)) return 'invalid time';
  const iso = at.toISOString();
  // Years beyond 9999 make toISOString longer (`+010000-…`); cut at the `T` rather than at a fixed index.
  const t = iso.indexOf('T');
  return `${iso.slice(0, t)} ${iso.slice(t + 1, t + 6)}`;
}

function window(started: Date | null, ended: Date | null): ImpactWindow {
  return { started, ended, durationMs: between(started, ended) };
}

function between(from: Date | null | undefined, to: Date | null | undefined): number | null {
  return from && to ? to.getTime() - from.getTime() : null;
}

function earlier(a: Date | undefined, b: Date): Date {
  return a && a.getTime() < b.getTime() ? a : b;
}
