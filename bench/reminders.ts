/**
 * The reminder sweep (SPEC 5), in a process of its own (forked by bench/run.ts): planning over
 * 100,000 open action items owned by 20,000 people across 50 time zones, with the domain planner
 * `planDigests` when it exists. Delivery needs the sweep service (claims in Postgres, digests sent
 * through the Slack port); while that is not built, the result says so instead of a number.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ITEMS = 100_000;
const PEOPLE = 20_000;
const ZONE_COUNT = 50;
/** A Tuesday, 14:00 UTC: Europe and Asia are past their reminder hour, the Americas partly not. */
const NOW = new Date('2026-11-24T14:00:00Z');

type Planner = (input: unknown, now: Date) => unknown[];

function loadPlanner(): Planner | undefined {
  try {
    // Resolved at run time: the planner is being built alongside this benchmark.
    const module = require('../src/domain/reminders') as { planDigests?: Planner };
    return typeof module.planDigests === 'function' ? module.planDigests : undefined;
  } catch {
    return undefined;
  }
}

/** 50 zones spread over the world's offsets, from the runtime's own list. */
function zones(): string[] {
  const all = Intl.supportedValuesOf('timeZone');
  const step = all.length / ZONE_COUNT;
  return Array.from({ length: ZONE_COUNT }, (_, i) => all[Math.floor(i * step)]!);
}

function isoDay(epochDay: number): string {
  return new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
}

function sweepInput() {
  const zoneList = zones();
  const people = Array.from({ length: PEOPLE }, (_, i) => ({
    userId: `U${i.toString(36).toUpperCase().padStart(6, '0')}`,
    timeZone: zoneList[i % ZONE_COUNT]!,
    deleted: i % 500 === 0,
  }));
  const today = Math.floor(NOW.getTime() / 86_400_000);
  const priorities = ['high', 'medium', 'medium', 'low'] as const;
  const items = Array.from({ length: ITEMS }, (_, i) => ({
    id: i + 1,
    number: (i % 20) + 1,
    incidentNumber: Math.floor(i / 20) + 1,
    ownerId: people[(i * 7919) % PEOPLE]!.userId,
    postmortemOwnerId: people[Math.floor(i / 20) % PEOPLE]!.userId,
    // Due dates from 60 days ago to 60 days ahead; a few backlog items without one.
    dueDate: i % 13 === 0 ? null : isoDay(today - 60 + (i % 121)),
    priority: priorities[i % priorities.length]!,
    status: 'open' as const,
    muted: i % 97 === 0,
    snoozeCount: i % 5 === 0 ? 2 : 0,
  }));
  const drafts = Array.from({ length: 5_000 }, (_, i) => ({
    id: i + 1,
    incidentNumber: i + 1,
    ownerId: people[i % PEOPLE]!.userId,
    dueDate: isoDay(today - 10 + (i % 30)),
    status: 'drafting' as const,
    required: i % 2 === 0,
    remindersSent: i % 3,
  }));
  const reviews = Array.from({ length: 2_000 }, (_, i) => ({
    postmortemId: i + 1,
    incidentNumber: i + 1,
    reviewerId: people[(i * 31) % PEOPLE]!.userId,
    requestedAt: new Date(NOW.getTime() - (i % 6) * 86_400_000),
    nudged: i % 4 === 0,
  }));
  return { people, items, drafts, reviews, claimed: new Set<string>() };
}

function measure() {
  // This file runs compiled (.js) beside the compiled app, or as .ts from the checkout.
  const sweepService = ['reminders', 'reminder-sweep', 'digests'].find((name) =>
    ['.js', '.ts'].some((extension) => existsSync(path.resolve(__dirname, '../src/services', name + extension))),
  );
  const delivery = sweepService
    ? `sweep service src/services/${sweepService} exists but this bench does not drive it yet`
    : 'not built yet (no sweep service in src/services)';
  const planDigests = loadPlanner();
  if (!planDigests) return { planning: 'not built yet (no planDigests in src/domain/reminders.ts)', delivery };
  const input = sweepInput();
  const runs: number[] = [];
  let digests = 0;
  let listed = 0;
  for (let i = 0; i < 4; i++) {
    const started = performance.now();
    const planned = planDigests(input, NOW) as { sections: Record<string, unknown[]> }[];
    runs.push(performance.now() - started);
    digests = planned.length;
    listed = planned.reduce((sum, d) => sum + Object.values(d.sections).reduce((s, list) => s + list.length, 0), 0);
  }
  const warm = runs.slice(1).sort((a, b) => a - b);
  return {
    items: ITEMS,
    people: PEOPLE,
    zones: ZONE_COUNT,
    drafts: input.drafts.length,
    reviews: input.reviews.length,
    now: NOW.toISOString(),
    firstPlanMs: Math.round(runs[0]!),
    warmPlanMedianMs: Math.round(warm[Math.floor(warm.length / 2)]!),
    digestsPlanned: digests,
    remindersListed: listed,
    note: 'planning only, over data in memory (loading it from Postgres belongs to the sweep service)',
    delivery,
  };
}

try {
  process.send?.({ type: 'result', result: measure() }, () => process.exit(0));
} catch (error) {
  process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) }, () => process.exit(1));
}
