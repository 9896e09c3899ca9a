import type { DatabaseHandle } from '../../src/db/connect';
import {
  BOT_USER_ID,
  type SimulatedWorkspace,
  type SimulationOptions,
  startSimulatedWorkspace,
} from '../kit/simulated-workspace';
import { type DatabaseKind, openTestDatabase } from './database';

/** The people of the test workspace, in their own time zones. */
export const PEOPLE = {
  alice: { id: 'UALICE', name: 'alice', tz: 'America/Los_Angeles' },
  bob: { id: 'UBOB', name: 'bob', tz: 'Europe/Berlin' },
  carol: { id: 'UCAROL', name: 'carol', tz: 'Asia/Kolkata' },
  nozone: { id: 'UNOZONE', name: 'nozone', tz: null },
  guest: { id: 'UGUEST', name: 'guest', tz: 'UTC', isRestricted: true },
  partner: { id: 'UPARTNER', name: 'partner', tz: 'UTC', teamId: 'TOTHERORG' },
} as const;

export const GENERAL = 'CGENERAL';

export interface Harness extends SimulatedWorkspace {
  database: DatabaseHandle;
}

/**
 * The simulated workspace over a fresh database of `kind`, with the app's clock fixed at `now`;
 * `options` reach the simulation (a capturing logger, a log level, Slack's request deadlines).
 */
export async function startHarness(
  kind: DatabaseKind,
  now: Date,
  options: Pick<SimulationOptions, 'logger' | 'logLevel' | 'requests'> = {},
): Promise<Harness> {
  const database = await openTestDatabase(kind);
  const workspace = await startSimulatedWorkspace({
    database,
    people: Object.values(PEOPLE),
    clock: () => now,
    ...options,
  });
  workspace.slack.addChannel({
    id: GENERAL,
    name: 'general',
    members: [...Object.values(PEOPLE).map((p) => p.id), BOT_USER_ID],
  });
  return {
    ...workspace,
    database,
    async stop() {
      await workspace.stop();
      await database.close();
    },
  };
}
