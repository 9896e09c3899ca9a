import type { Installation, InstallationQuery, InstallationStore, Logger } from '@slack/bolt';
import type { TokenCipher } from '../security/token-cipher';
import type { Scope } from '../services/context';
import {
  findSealedInstallation,
  forgetInstallation,
  type InstallationLookup,
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
    const json = this.cipher.decrypt(row.sealed, encryptionContext(row));
    return JSON.parse(json) as Installation<'v1' | 'v2', boolean>;
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

function lookupOf(query: InstallationQuery<boolean>): InstallationLookup {
  return { teamId: query.teamId, enterpriseId: query.enterpriseId, isEnterpriseInstall: query.isEnterpriseInstall };
}
