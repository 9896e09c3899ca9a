import { sql } from 'kysely';
import type { Db } from './connect';
import type { SlackInstallationRow } from './schema';

/**
 * OAuth installations, one per workspace (team) or per Enterprise Grid organisation (an org-wide
 * install has no team). This repository stores the installation already encrypted: it never sees a token.
 */

/** Which installation a request needs, as Bolt asks for it. */
export interface InstallationLookup {
  teamId?: string | null | undefined;
  enterpriseId?: string | null | undefined;
  isEnterpriseInstall: boolean;
}

export interface InstallationToSave {
  teamId: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
  botUserId: string | null;
  botId: string | null;
  botScopes: readonly string[];
  /** The installation JSON, encrypted. */
  installationEncrypted: string;
  installedBy: string | null;
}

/**
 * Saves an installation: a new one, or a reinstall / token refresh of the same workspace, which
 * replaces the stored one and keeps its first installation time.
 */
export async function saveInstallation(db: Db, installation: InstallationToSave, now: Date): Promise<void> {
  if (installation.teamId === null && installation.enterpriseId === null) {
    throw new Error('an installation needs a team id or an enterprise id');
  }
  await db
    .insertInto('slack_installations')
    .values({
      team_id: installation.teamId,
      enterprise_id: installation.enterpriseId,
      is_enterprise_install: installation.isEnterpriseInstall,
      bot_user_id: installation.botUserId,
      bot_id: installation.botId,
      bot_scopes: installation.botScopes.join(','),
      installation_encrypted: installation.installationEncrypted,
      installed_by: installation.installedBy,
      installed_at: now,
      updated_at: now,
    })
    // The unique index on (coalesce(enterprise_id, ''), coalesce(team_id, '')).
    .onConflict((oc) =>
      oc.expression(sql`(coalesce(enterprise_id, '')), (coalesce(team_id, ''))`).doUpdateSet((eb) => ({
        is_enterprise_install: eb.ref('excluded.is_enterprise_install'),
        bot_user_id: eb.ref('excluded.bot_user_id'),
        bot_id: eb.ref('excluded.bot_id'),
        bot_scopes: eb.ref('excluded.bot_scopes'),
        installation_encrypted: eb.ref('excluded.installation_encrypted'),
        installed_by: eb.ref('excluded.installed_by'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/**
 * The installation serving a request. An org-wide install is found by its enterprise id; a workspace
 * install by its team id, preferring the row whose enterprise id matches too (a workspace that joined
 * a Grid organisation after installing keeps working).
 */
export async function findInstallation(db: Db, lookup: InstallationLookup): Promise<SlackInstallationRow | undefined> {
  if (lookup.isEnterpriseInstall) {
    if (!lookup.enterpriseId) return undefined;
    return db
      .selectFrom('slack_installations')
      .selectAll()
      .where('enterprise_id', '=', lookup.enterpriseId)
      .where('team_id', 'is', null)
      .executeTakeFirst();
  }
  if (!lookup.teamId) return undefined;
  return db
    .selectFrom('slack_installations')
    .selectAll()
    .where('team_id', '=', lookup.teamId)
    .orderBy(sql`(coalesce(enterprise_id, '') = ${lookup.enterpriseId ?? ''})`, 'desc')
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Forgets an installation (the app was uninstalled or its bot token revoked); returns how many rows went. */
export async function deleteInstallation(db: Db, lookup: InstallationLookup): Promise<number> {
  let query = db.deleteFrom('slack_installations');
  if (lookup.isEnterpriseInstall) {
    if (!lookup.enterpriseId) return 0;
    query = query.where('enterprise_id', '=', lookup.enterpriseId).where('team_id', 'is', null);
  } else {
    if (!lookup.teamId) return 0;
    query = query.where('team_id', '=', lookup.teamId);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many installations there are (the start-up log in OAuth mode). */
export async function countInstallations(db: Db): Promise<number> {
  const row = await db
    .selectFrom('slack_installations')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Every installation's sealed value and the workspace it is bound to, in id order (for `debrief rekey`). */
export async function listSealedInstallations(
  db: Db,
): Promise<
  Pick<SlackInstallationRow, 'id' | 'team_id' | 'enterprise_id' | 'is_enterprise_install' | 'installation_encrypted'>[]
> {
  return db
    .selectFrom('slack_installations')
    .select(['id', 'team_id', 'enterprise_id', 'is_enterprise_install', 'installation_encrypted'])
    .orderBy('id')
    .execute();
}

/** One installation's sealed value, by id; undefined once it is gone. */
export async function findSealedInstallationById(db: Db, id: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('slack_installations')
    .select('installation_encrypted')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.installation_encrypted;
}

/**
 * Replaces an installation's sealed value with the same installation sealed again (another key), only
 * if the row still holds `from`: a reinstall or another replica's re-seal in between wins, and this
 * one changes nothing. Neither updated_at nor anything else moves: the installation itself is the same.
 * Returns whether the row was changed.
 */
export async function replaceSealedInstallation(db: Db, id: number, from: string, to: string): Promise<boolean> {
  const result = await db
    .updateTable('slack_installations')
    .set({ installation_encrypted: to })
    .where('id', '=', id)
    .where('installation_encrypted', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
