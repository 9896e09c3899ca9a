import type { Installation, InstallationQuery, InstallationStore, Logger } from '@slack/bolt';
import { type TokenCipher, TokenDecryptionError } from '../security/token-cipher';
import type { Scope } from '../services/context';
import {
  currentSealedValue,
  findSealedInstallation,
  forgetInstallation,
  type InstallationLookup,
  listAllSealedInstallations,
  resealInstallation,
  storeSealedInstallation,
} from '../services/installations';

/** No installation serves the workspace a request came from (never installed, or uninstalled). */
export class InstallationNotFoundError extends Error {
  constructor(lookup: InstallationLookup) {
    const where = lookup.isEnterpriseInstall
      ? `Enterprise Grid organisation ${lookup.enterpriseId ?? '(none)'}`
      : `workspace ${lookup.teamId ?? '(none)'}${lookup.enterpriseId ? ` of organisation ${lookup.enterpriseId}` : ''}`;
    super(`Debrief is not installed in ${where}: install it at /slack/install`);
    this.name = 'InstallationNotFoundError';
  }
}

/** What the encryption is bound to: a stored installation decrypts only on its own workspace's row. */
function encryptionContext(row: { teamId: string | null; enterpriseId: string | null }): string {
  return `slack-installation:${row.enterpriseId ?? ''}:${row.teamId ?? ''}`;
}

/** An installation no configured key opens, as `debrief rekey` reports it. */
export interface UnreadableInstallation {
  teamId: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
  /** The key id the record names when no configured key has it; undefined for v1 records or altered ones. */
  neededKeyId: string | undefined;
  /** Why it cannot be read, naming no key and no token. */
  reason: string;
}

/** What `debrief rekey` did: every installation is in exactly one of these. */
export interface RekeyReport {
  /** The key everything is now sealed with: ENCRYPTION_KEY's id. */
  keyId: string;
  resealed: number;
  alreadyCurrent: number;
  unreadable: UnreadableInstallation[];
  /** Uninstalled while the command ran. */
  uninstalled: number;
}

/**
 * Bolt's InstallationStore over Postgres: the whole installation (bot token included) is stored as
 * encrypted JSON; team, organisation, bot ids and scopes sit beside it in the clear for lookups.
 */
export class SlackInstallationStore implements InstallationStore {
  private readonly changeListeners: ((query: InstallationQuery<boolean>) => void)[] = [];

  constructor(
    private readonly db: Scope['db'],
    private readonly cipher: TokenCipher,
    private readonly clock: () => Date,
    private readonly logger: Logger,
  ) {}

  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(
    installation: Installation<AuthVersion, boolean>,
  ): Promise<void> {
    const isEnterpriseInstall = installation.isEnterpriseInstall === true;
    const key = {
      teamId: isEnterpriseInstall ? null : (installation.team?.id ?? null),
      enterpriseId: installation.enterprise?.id ?? null,
    };
    await storeSealedInstallation(
      this.db,
      {
        ...key,
        isEnterpriseInstall,
        botUserId: installation.bot?.userId ?? null,
        botId: installation.bot?.id ?? null,
        botScopes: installation.bot?.scopes ?? [],
        installationEncrypted: this.cipher.encrypt(JSON.stringify(installation), encryptionContext(key)),
        installedBy: installation.user?.id ?? null,
      },
      this.clock(),
    );
    this.notify({ teamId: key.teamId ?? undefined, enterpriseId: key.enterpriseId ?? undefined, isEnterpriseInstall });
    this.logger.info(
      `installed in ${isEnterpriseInstall ? `organisation ${key.enterpriseId}` : `workspace ${key.teamId}`} by ${installation.user?.id ?? 'an unknown user'}`,
    );
  }

  /** Called after an installation is stored or deleted: cached clients of its token must go. */
  onChange(listener: (query: InstallationQuery<boolean>) => void): void {
    this.changeListeners.push(listener);
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const lookup = lookupOf(query);
    const row = await findSealedInstallation(this.db, lookup);
    if (!row) throw new InstallationNotFoundError(lookup);
    const opened = this.cipher.open(row.sealed, encryptionContext(row));
    if (!opened.current) await this.resealOnRead(row, opened.plaintext, opened.keyId);
    return JSON.parse(opened.plaintext) as Installation<'v1' | 'v2', boolean>;
  }

  /**
   * Key rotation: an installation read with one of ENCRYPTION_KEYS_OLD (or stored before records named
   * their key) is stored again sealed with ENCRYPTION_KEY. Conditional on the row still holding what was
   * read, so a reinstall or another replica's re-seal in between is never overwritten. A failure here
   * only delays the re-seal to the next read: the request goes on with the installation it has.
   */
  private async resealOnRead(
    row: { id: number; sealed: string; teamId: string | null; enterpriseId: string | null },
    plaintext: string,
    openedWith: string,
  ): Promise<void> {
    try {
      const resealed = this.cipher.encrypt(plaintext, encryptionContext(row));
      if (await resealInstallation(this.db, row.id, row.sealed, resealed)) {
        this.logger.info(
          `re-sealed the installation of ${installationName(row)} with key ${this.cipher.keyId} (it was read with key ${openedWith})`,
        );
      }
    } catch (error) {
      this.logger.warn(
        `could not re-seal the installation of ${installationName(row)} with key ${this.cipher.keyId}; it will be tried again on the next read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * `debrief rekey`: seals every installation with ENCRYPTION_KEY, each with the same conditional
   * update as a re-seal on read (a concurrent reinstall wins; the row is then looked at again).
   */
  async rekey(): Promise<RekeyReport> {
    const report: RekeyReport = {
      keyId: this.cipher.keyId,
      resealed: 0,
      alreadyCurrent: 0,
      unreadable: [],
      uninstalled: 0,
    };
    for (const row of await listAllSealedInstallations(this.db)) {
      let sealed: string | undefined = row.sealed;
      while (sealed !== undefined) {
        let opened: ReturnType<TokenCipher['open']>;
        try {
          opened = this.cipher.open(sealed, encryptionContext(row));
        } catch (error) {
          if (!(error instanceof TokenDecryptionError)) throw error;
          report.unreadable.push({
            teamId: row.teamId,
            enterpriseId: row.enterpriseId,
            isEnterpriseInstall: row.isEnterpriseInstall,
            neededKeyId: error.keyId,
            reason: error.message,
          });
          break;
        }
        if (opened.current) {
          report.alreadyCurrent++;
          break;
        }
        if (
          await resealInstallation(
            this.db,
            row.id,
            sealed,
            this.cipher.encrypt(opened.plaintext, encryptionContext(row)),
          )
        ) {
          report.resealed++;
          break;
        }
        // Changed since it was read (reinstalled, or re-sealed by a replica): look again.
        sealed = await currentSealedValue(this.db, row.id);
        if (sealed === undefined) report.uninstalled++;
      }
    }
    return report;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    const deleted = await forgetInstallation(this.db, lookupOf(query));
    this.notify(query);
    if (deleted > 0) {
      this.logger.info(
        `forgot the installation of ${query.isEnterpriseInstall ? `organisation ${query.enterpriseId}` : `workspace ${query.teamId}`}`,
      );
    }
  }

  private notify(query: InstallationQuery<boolean>): void {
    for (const listener of this.changeListeners) listener(query);
  }
}

/** Names an installation in logs and reports: its workspace, or its organisation for an org-wide install. */
export function installationName(row: { teamId: string | null; enterpriseId: string | null }): string {
  if (row.teamId === null) return `organisation ${row.enterpriseId ?? '(none)'}`;
  return `workspace ${row.teamId}${row.enterpriseId ? ` of organisation ${row.enterpriseId}` : ''}`;
}

function lookupOf(query: InstallationQuery<boolean>): InstallationLookup {
  return { teamId: query.teamId, enterpriseId: query.enterpriseId, isEnterpriseInstall: query.isEnterpriseInstall };
}
