import { createCipheriv, randomBytes } from 'node:crypto';
import type { Installation, Logger } from '@slack/bolt';
import { LogLevel } from '@slack/logger';
import type { DatabaseHandle, Db } from '../../src/db/connect';
import {
  countInstallations,
  deleteInstallation,
  findInstallation,
  type InstallationToSave,
  replaceSealedInstallation,
  saveInstallation,
} from '../../src/db/installations';
import { keyIdOf, sealedKeyId, TokenCipher, TokenDecryptionError } from '../../src/security/token-cipher';
import { SlackInstallationStore } from '../../src/slack/installation-store';
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

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const KEY_C = randomBytes(32).toString('base64');

/** A logger that keeps its lines, to count re-seals and to check no key or token is logged. */
function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (...parts: unknown[]) => lines.push(parts.map(String).join(' '));
  return {
    lines,
    debug: keep,
    info: keep,
    warn: keep,
    error: keep,
    setLevel: () => {},
    getLevel: () => LogLevel.DEBUG,
    setName: () => {},
  };
}

/** Bolt's installation of a workspace (or, with no team, of a Grid organisation) with its bot token. */
function boltInstallation(teamId: string | null, token: string, enterpriseId?: string): Installation<'v2', boolean> {
  return {
    team: teamId === null ? undefined : { id: teamId },
    enterprise: enterpriseId === undefined ? undefined : { id: enterpriseId },
    bot: { token, userId: 'UBOT', id: 'BBOT', scopes: ['commands'] },
    user: { id: 'UALICE', token: undefined, scopes: undefined },
    isEnterpriseInstall: teamId === null,
    authVersion: 'v2',
  };
}

/**
 * A v1 record, as releases before key ids sealed installations: AES-256-GCM over the JSON, bound to
 * `slack-installation:<enterprise>:<team>`. Built here without the cipher, so the format stays pinned.
 */
function legacyV1Row(base64Key: string, installation: Installation<'v2', boolean>): InstallationToSave {
  const teamId = installation.isEnterpriseInstall ? null : (installation.team?.id ?? null);
  const enterpriseId = installation.enterprise?.id ?? null;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`slack-installation:${enterpriseId ?? ''}:${teamId ?? ''}`, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(installation), 'utf8'), cipher.final()]);
  return {
    teamId,
    enterpriseId,
    isEnterpriseInstall: installation.isEnterpriseInstall === true,
    botUserId: 'UBOT',
    botId: 'BBOT',
    botScopes: ['commands'],
    installationEncrypted: ['v1', iv, cipher.getAuthTag(), ciphertext].map((p) => p.toString('base64')).join(':'),
    installedBy: 'UALICE',
  };
}

/**
 * The database, with `hook` run just before every UPDATE statement is sent: what another replica or
 * a reinstall does between a read and its re-seal, placed exactly there.
 */
function withHookBeforeUpdates(db: Db, hook: () => Promise<void>): Db {
  const delayed = <T extends object>(builder: T): T =>
    new Proxy(builder, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        if (property === 'execute' || property === 'executeTakeFirst' || property === 'executeTakeFirstOrThrow') {
          return async (...args: unknown[]) => {
            await hook();
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result !== null && typeof result === 'object' && 'executeTakeFirst' in result
            ? delayed(result as object)
            : result;
        };
      },
    });
  return new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      if (property === 'updateTable') {
        return (...args: unknown[]) => delayed((value as (...a: unknown[]) => object).apply(target, args));
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

describe.each(databaseKinds())('Key rotation of stored installations on the %s database', (kind) => {
  let database: DatabaseHandle;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => database.close());

  const NOW = new Date('2026-11-22T10:00:00Z');
  const T1 = { teamId: 'T1', isEnterpriseInstall: false, enterpriseId: undefined };
  const store = (cipher: TokenCipher, logger: Logger = capturingLogger(), db: Db = database.db) =>
    new SlackInstallationStore(db, cipher, () => NOW, logger);
  const sealedOf = async (teamId: string) =>
    (
      await database.db
        .selectFrom('slack_installations')
        .select('installation_encrypted')
        .where('team_id', '=', teamId)
        .executeTakeFirstOrThrow()
    ).installation_encrypted;
  const resealLines = (logger: { lines: string[] }) => logger.lines.filter((line) => line.startsWith('re-sealed'));

  test('replaceSealedInstallation changes the row only while it still holds what was read, and moves nothing else', async () => {
    await saveInstallation(database.db, installation({ installationEncrypted: 'v1:old' }), FIRST);
    const row = await findInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false });
    expect(await replaceSealedInstallation(database.db, row!.id, 'v1:not-what-it-holds', 'v2:x')).toBe(false);
    expect(await replaceSealedInstallation(database.db, row!.id, 'v1:old', 'v2:new')).toBe(true);
    expect(await replaceSealedInstallation(database.db, row!.id, 'v1:old', 'v2:newer')).toBe(false);
    const after = await findInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false });
    expect(after).toEqual({ ...row, installation_encrypted: 'v2:new' });
  });

  test('read with an old key, an installation is re-sealed with ENCRYPTION_KEY; the old key can then go', async () => {
    await store(new TokenCipher(KEY_A)).storeInstallation(boltInstallation('T1', 'xoxb-t1'));
    expect(sealedKeyId(await sealedOf('T1'))).toBe(keyIdOf(KEY_A));
    const before = await findInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false });

    const logger = capturingLogger();
    const rotated = store(new TokenCipher(KEY_B, [KEY_A]), logger);
    expect((await rotated.fetchInstallation(T1)).bot?.token).toBe('xoxb-t1');
    expect(sealedKeyId(await sealedOf('T1'))).toBe(keyIdOf(KEY_B));
    expect(resealLines(logger)).toEqual([
      `re-sealed the installation of workspace T1 with key ${keyIdOf(KEY_B)} (it was read with key ${keyIdOf(KEY_A)})`,
    ]);
    // The installation itself did not change: not its times, not its columns.
    const after = await findInstallation(database.db, { teamId: 'T1', isEnterpriseInstall: false });
    expect({ ...after, installation_encrypted: '' }).toEqual({ ...before, installation_encrypted: '' });

    // Read again: already current, nothing written.
    const sealed = await sealedOf('T1');
    await rotated.fetchInstallation(T1);
    expect(await sealedOf('T1')).toBe(sealed);
    expect(resealLines(logger)).toHaveLength(1);

    // ENCRYPTION_KEYS_OLD emptied: B alone reads it; A alone no longer does, and says it needs B.
    expect((await store(new TokenCipher(KEY_B)).fetchInstallation(T1)).bot?.token).toBe('xoxb-t1');
    const refused = await store(new TokenCipher(KEY_A))
      .fetchInstallation(T1)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TokenDecryptionError);
    expect((refused as TokenDecryptionError).keyId).toBe(keyIdOf(KEY_B));
    for (const line of logger.lines) for (const secret of [KEY_A, KEY_B, 'xoxb-t1']) expect(line).not.toContain(secret);
  });

  test('a v1 installation from before key ids is read and upgraded to v2 with ENCRYPTION_KEY', async () => {
    await saveInstallation(database.db, legacyV1Row(KEY_A, boltInstallation('T1', 'xoxb-legacy')), FIRST);
    await saveInstallation(database.db, legacyV1Row(KEY_A, boltInstallation(null, 'xoxb-org', 'E1')), FIRST);
    // Same key as then: still read, and re-sealed in the format that names it.
    expect((await store(new TokenCipher(KEY_A)).fetchInstallation(T1)).bot?.token).toBe('xoxb-legacy');
    expect(sealedKeyId(await sealedOf('T1'))).toBe(keyIdOf(KEY_A));
    // Rotated at the same time as upgrading: the org-wide install is read with the old key.
    const org = await store(new TokenCipher(KEY_B, [KEY_A])).fetchInstallation({
      enterpriseId: 'E1',
      isEnterpriseInstall: true,
      teamId: undefined,
    });
    expect(org.bot?.token).toBe('xoxb-org');
    const orgRow = await findInstallation(database.db, { enterpriseId: 'E1', isEnterpriseInstall: true });
    expect(sealedKeyId(orgRow!.installation_encrypted)).toBe(keyIdOf(KEY_B));
  });

  test('with no configured key to open it, the read fails naming the key it needs, and the row is left alone', async () => {
    await store(new TokenCipher(KEY_C)).storeInstallation(boltInstallation('T1', 'xoxb-t1'));
    const sealed = await sealedOf('T1');
    const error = await store(new TokenCipher(KEY_B, [KEY_A]))
      .fetchInstallation(T1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenDecryptionError);
    expect((error as Error).message).toContain(`sealed with key ${keyIdOf(KEY_C)}`);
    expect(await sealedOf('T1')).toBe(sealed);
  });

  test('two replicas reading at once: both get the installation, exactly one re-seal lands', async () => {
    await store(new TokenCipher(KEY_A)).storeInstallation(boltInstallation('T1', 'xoxb-t1'));
    // Both replicas have read the old value before either writes.
    let waiting = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const barrier = async () => {
      waiting++;
      if (waiting === 2) release();
      await bothRead;
    };
    const loggers = [capturingLogger(), capturingLogger()];
    const replicas = loggers.map((logger) =>
      store(new TokenCipher(KEY_B, [KEY_A]), logger, withHookBeforeUpdates(database.db, barrier)),
    );
    const fetched = await Promise.all(replicas.map((replica) => replica.fetchInstallation(T1)));
    expect(fetched.map((i) => i.bot?.token)).toEqual(['xoxb-t1', 'xoxb-t1']);
    expect(waiting).toBe(2);
    expect(loggers.flatMap(resealLines)).toHaveLength(1);
    expect(sealedKeyId(await sealedOf('T1'))).toBe(keyIdOf(KEY_B));
    expect((await store(new TokenCipher(KEY_B)).fetchInstallation(T1)).bot?.token).toBe('xoxb-t1');
  });

  test('a reinstall between a read and its re-seal wins: the newer token is never overwritten', async () => {
    await store(new TokenCipher(KEY_A)).storeInstallation(boltInstallation('T1', 'xoxb-old'));
    const current = new TokenCipher(KEY_B, [KEY_A]);
    let reinstalled = false;
    const reinstall = async () => {
      if (reinstalled) return;
      reinstalled = true;
      await store(current).storeInstallation(boltInstallation('T1', 'xoxb-new'));
    };
    const logger = capturingLogger();
    const reading = store(current, logger, withHookBeforeUpdates(database.db, reinstall));
    // The request in flight goes on with what it read…
    expect((await reading.fetchInstallation(T1)).bot?.token).toBe('xoxb-old');
    expect(reinstalled).toBe(true);
    expect(resealLines(logger)).toEqual([]);
    // …and the row keeps the reinstall.
    expect((await store(new TokenCipher(KEY_B)).fetchInstallation(T1)).bot?.token).toBe('xoxb-new');
  });

  test('a failed re-seal does not fail the read: it is logged and tried on the next read', async () => {
    await store(new TokenCipher(KEY_A)).storeInstallation(boltInstallation('T1', 'xoxb-t1'));
    const logger = capturingLogger();
    const failing = withHookBeforeUpdates(database.db, async () => {
      throw new Error('connection reset');
    });
    const rotated = new TokenCipher(KEY_B, [KEY_A]);
    expect((await store(rotated, logger, failing).fetchInstallation(T1)).bot?.token).toBe('xoxb-t1');
    expect(logger.lines).toEqual([
      expect.stringMatching(/^could not re-seal the installation of workspace T1 .*connection reset/),
    ]);
    expect(sealedKeyId(await sealedOf('T1'))).toBe(keyIdOf(KEY_A));
    await store(rotated).fetchInstallation(T1);
    expect(sealedKeyId(await sealedOf('T1'))).toBe(keyIdOf(KEY_B));
  });

  test('rekey re-seals every installation and counts: re-sealed, already current, unreadable with the key each needs', async () => {
    await store(new TokenCipher(KEY_A)).storeInstallation(boltInstallation('T1', 'xoxb-t1'));
    await store(new TokenCipher(KEY_B)).storeInstallation(boltInstallation('T2', 'xoxb-t2'));
    await saveInstallation(database.db, legacyV1Row(KEY_A, boltInstallation('T3', 'xoxb-t3')), FIRST);
    await store(new TokenCipher(KEY_C)).storeInstallation(boltInstallation('T4', 'xoxb-t4', 'E9'));
    await store(new TokenCipher(KEY_A)).storeInstallation(boltInstallation(null, 'xoxb-e1', 'E1'));
    await saveInstallation(database.db, legacyV1Row(KEY_C, boltInstallation('T5', 'xoxb-t5')), FIRST);
    const rotated = store(new TokenCipher(KEY_B, [KEY_A]));

    const report = await rotated.rekey();
    expect(report).toEqual({
      keyId: keyIdOf(KEY_B),
      resealed: 3,
      alreadyCurrent: 1,
      uninstalled: 0,
      unreadable: [
        {
          teamId: 'T4',
          enterpriseId: 'E9',
          isEnterpriseInstall: false,
          neededKeyId: keyIdOf(KEY_C),
          reason: expect.stringContaining(`sealed with key ${keyIdOf(KEY_C)}`),
        },
        {
          teamId: 'T5',
          enterpriseId: null,
          isEnterpriseInstall: false,
          neededKeyId: undefined,
          reason: expect.stringMatching(/nor is any of ENCRYPTION_KEYS_OLD/),
        },
      ],
    });
    for (const unreadable of report.unreadable) {
      for (const secret of [KEY_A, KEY_B, KEY_C, 'xoxb-']) expect(unreadable.reason).not.toContain(secret);
    }

    // Everything readable is now sealed with B and read by B alone.
    const onlyB = store(new TokenCipher(KEY_B));
    for (const [teamId, token] of [
      ['T1', 'xoxb-t1'],
      ['T2', 'xoxb-t2'],
      ['T3', 'xoxb-t3'],
    ]) {
      expect(sealedKeyId(await sealedOf(teamId!))).toBe(keyIdOf(KEY_B));
      expect(
        (await onlyB.fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false })).bot?.token,
      ).toBe(token);
    }
    expect(
      (await onlyB.fetchInstallation({ teamId: undefined, enterpriseId: 'E1', isEnterpriseInstall: true })).bot?.token,
    ).toBe('xoxb-e1');

    // Again: nothing left to do but the two it cannot read; with C added, those too.
    expect(await rotated.rekey()).toMatchObject({ resealed: 0, alreadyCurrent: 4, unreadable: [{}, {}] });
    expect(await store(new TokenCipher(KEY_B, [KEY_C])).rekey()).toMatchObject({
      resealed: 2,
      alreadyCurrent: 4,
      unreadable: [],
    });
    expect(await countInstallations(database.db)).toBe(6);
  });

  test('rekey while a workspace reinstalls or uninstalls: the newer row wins, and every row is counted once', async () => {
    await store(new TokenCipher(KEY_A)).storeInstallation(boltInstallation('T1', 'xoxb-old'));
    await store(new TokenCipher(KEY_A)).storeInstallation(boltInstallation('T2', 'xoxb-t2'));
    const current = new TokenCipher(KEY_B, [KEY_A]);
    const happenings = [
      // Before T1's re-seal: T1 is reinstalled (sealed with B).
      () => store(current).storeInstallation(boltInstallation('T1', 'xoxb-new')),
      // Before T2's re-seal: T2 uninstalls.
      () => store(current).deleteInstallation({ teamId: 'T2', isEnterpriseInstall: false, enterpriseId: undefined }),
    ];
    const report = await store(
      current,
      capturingLogger(),
      withHookBeforeUpdates(database.db, async () => {
        await happenings.shift()?.();
      }),
    ).rekey();
    expect(report).toEqual({ keyId: keyIdOf(KEY_B), resealed: 0, alreadyCurrent: 1, uninstalled: 1, unreadable: [] });
    expect((await store(new TokenCipher(KEY_B)).fetchInstallation(T1)).bot?.token).toBe('xoxb-new');
    expect(await countInstallations(database.db)).toBe(1);
  });
});
