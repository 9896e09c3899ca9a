import type { DatabaseHandle } from '../../src/db/connect';
import {
  countInstallations,
  deleteInstallation,
  findInstallation,
  type InstallationToSave,
  saveInstallation,
} from '../../src/db/installations';
import { databaseKinds, openTestDatabase } from '../support/database';

const FIRST = new Date('2026-11-20T10:00:00Z');
const LATER = new Date('2026-11-21T10:00:00Z');

function installation(overrides: Partial<InstallationToSave> = {}): InstallationToSave {
  return {
    teamId: 'T1',
    enterpriseId: null,
    isEnterpriseInstall: false,
    botUserId: 'UBOT',
    botId: 'BBOT',
    botScopes: ['commands', 'chat:write'],
    installationEncrypted: 'v1:sealed-1',
    installedBy: 'UALICE',
    ...overrides,
  };
}

describe.each(databaseKinds())('Slack installations on the %s database', (kind) => {
  let database: DatabaseHandle;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => database.close());

  test('saves, finds by team and deletes a workspace installation', async () => {
    await saveInstallation(database.db, installation(), FIRST);
    const row = await findInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false });
    expect(row).toMatchObject({
      team_id: 'T1',
      enterprise_id: null,
      is_enterprise_install: false,
      bot_user_id: 'UBOT',
      bot_id: 'BBOT',
      bot_scopes: 'commands,chat:write',
      installation_encrypted: 'v1:sealed-1',
      installed_by: 'UALICE',
    });
    expect(row!.installed_at.toISOString()).toBe(FIRST.toISOString());
    expect(await findInstallation(database.db, { teamId: 'T2', isEnterpriseInstall: false })).toBeUndefined();
    expect(await deleteInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false })).toBe(1);
    expect(await findInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false })).toBeUndefined();
    expect(await deleteInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false })).toBe(0);
  });

  test('a reinstall replaces the installation and keeps its first installation time', async () => {
    await saveInstallation(database.db, installation(), FIRST);
    await saveInstallation(
      database.db,
      installation({ installationEncrypted: 'v1:sealed-2', botScopes: ['commands'], installedBy: 'UBOB' }),
      LATER,
    );
    expect(await countInstallations(database.db)).toBe(1);
    const row = await findInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false });
    expect(row).toMatchObject({ installation_encrypted: 'v1:sealed-2', bot_scopes: 'commands', installed_by: 'UBOB' });
    expect(row!.installed_at.toISOString()).toBe(FIRST.toISOString());
    expect(row!.updated_at.toISOString()).toBe(LATER.toISOString());
  });

  test('workspaces are kept apart: one per team, one per Grid organisation', async () => {
    await saveInstallation(database.db, installation(), FIRST);
    await saveInstallation(database.db, installation({ teamId: 'T2', installationEncrypted: 'v1:t2' }), FIRST);
    await saveInstallation(
      database.db,
      installation({ teamId: 'T3', enterpriseId: 'E1', installationEncrypted: 'v1:t3-in-e1' }),
      FIRST,
    );
    await saveInstallation(
      database.db,
      installation({ teamId: null, enterpriseId: 'E1', isEnterpriseInstall: true, installationEncrypted: 'v1:org-e1' }),
      FIRST,
    );
    expect(await countInstallations(database.db)).toBe(4);
    const sealed = async (lookup: Parameters<typeof findInstallation>[1]) =>
      (await findInstallation(database.db, lookup))?.installation_encrypted;
    expect(await sealed({ teamId: 'T2', isEnterpriseInstall: false })).toBe('v1:t2');
    expect(await sealed({ teamId: 'T3', enterpriseId: 'E1', isEnterpriseInstall: false })).toBe('v1:t3-in-e1');
    expect(await sealed({ teamId: 'T3', enterpriseId: 'E1', isEnterpriseInstall: true })).toBe('v1:org-e1');
    expect(await sealed({ enterpriseId: 'E1', isEnterpriseInstall: true })).toBe('v1:org-e1');
    expect(await sealed({ enterpriseId: 'E2', isEnterpriseInstall: true })).toBeUndefined();
    expect(await sealed({ isEnterpriseInstall: false })).toBeUndefined();
    expect(await sealed({ isEnterpriseInstall: true })).toBeUndefined();

    // Uninstalling the organisation's install leaves its workspace's own install.
    expect(await deleteInstallation(database.db, { teamId: 'T3', enterpriseId: 'E1', isEnterpriseInstall: true })).toBe(
      1,
    );
    expect(await sealed({ teamId: 'T3', enterpriseId: 'E1', isEnterpriseInstall: false })).toBe('v1:t3-in-e1');
    expect(await countInstallations(database.db)).toBe(3);
  });

  test('a workspace that joined a Grid organisation after installing is still found', async () => {
    await saveInstallation(database.db, installation(), FIRST);
    const row = await findInstallation(database.db, { teamId: 'T1', enterpriseId: 'E9', isEnterpriseInstall: false });
    expect(row?.installation_encrypted).toBe('v1:sealed-1');
    // …and the row whose organisation matches wins when both exist.
    await saveInstallation(database.db, installation({ enterpriseId: 'E9', installationEncrypted: 'v1:in-e9' }), FIRST);
    const both = await findInstallation(database.db, { teamId: 'T1', enterpriseId: 'E9', isEnterpriseInstall: false });
    expect(both?.installation_encrypted).toBe('v1:in-e9');
    const plain = await findInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false });
    expect(plain?.installation_encrypted).toBe('v1:sealed-1');
  });

  test('an installation without a team or an organisation is refused', async () => {
    await expect(saveInstallation(database.db, installation({ teamId: null }), FIRST)).rejects.toThrow(/team id/);
  });
});
