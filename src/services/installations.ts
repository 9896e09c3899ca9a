import {
  deleteInstallation,
  findInstallation,
  findSealedInstallationById,
  type InstallationLookup,
  type InstallationToSave,
  listSealedInstallations,
  replaceSealedInstallation,
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
  return (
    row && { id: row.id, sealed: row.installation_encrypted, teamId: row.team_id, enterpriseId: row.enterprise_id }
  );
}

/** A stored installation, still sealed, with what it is bound to. */
export interface SealedInstallation {
  id: number;
  sealed: string;
  teamId: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
}

/** Every stored installation, sealed, in the order they were first installed. */
export async function listAllSealedInstallations(db: Scope['db']): Promise<SealedInstallation[]> {
  const rows = await listSealedInstallations(db);
  return rows.map((row) => ({
    id: row.id,
    sealed: row.installation_encrypted,
    teamId: row.team_id,
    enterpriseId: row.enterprise_id,
    isEnterpriseInstall: row.is_enterprise_install,
  }));
}

/** The sealed value an installation holds now (after a lost race), or undefined once it is uninstalled. */
export async function currentSealedValue(db: Scope['db'], id: number): Promise<string | undefined> {
  return findSealedInstallationById(db, id);
}

/**
 * Stores the same installation sealed again (with the current key), only if the row still holds what
 * was read: a reinstall or another replica's re-seal in between is never overwritten.
 */
export async function resealInstallation(db: Scope['db'], id: number, from: string, to: string): Promise<boolean> {
  return replaceSealedInstallation(db, id, from, to);
}

export async function forgetInstallation(db: Scope['db'], lookup: InstallationLookup): Promise<number> {
  return deleteInstallation(db, lookup);
}
