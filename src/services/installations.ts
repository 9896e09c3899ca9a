import {
  deleteInstallation,
  findInstallation,
  type InstallationLookup,
  type InstallationToSave,
  saveInstallation,
} from '../db/installations';
import type { Scope } from './context';

export type { InstallationLookup, InstallationToSave };

/**
 * The OAuth installations as Slack's adapter needs them. Tokens arrive and leave already
 * encrypted (slack/installation-store seals them): this layer never sees one in the clear.
 */
export async function storeSealedInstallation(db: Scope['db'], installation: InstallationToSave, now: Date) {
  await saveInstallation(db, installation, now);
}

/** The sealed installation and the key it is bound to, or undefined when none serves the lookup. */
export async function findSealedInstallation(db: Scope['db'], lookup: InstallationLookup) {
  const row = await findInstallation(db, lookup);
  return row && { sealed: row.installation_encrypted, teamId: row.team_id, enterpriseId: row.enterprise_id };
}

export async function forgetInstallation(db: Scope['db'], lookup: InstallationLookup): Promise<number> {
  return deleteInstallation(db, lookup);
}
