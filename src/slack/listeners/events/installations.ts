import type { SlackInstallationStore } from '../../installation-store';
import type { SlackRoutes } from '../../routes';

/**
 * OAuth mode: when a workspace uninstalls Debrief, or its bot token is revoked, the stored
 * installation is useless (Slack has revoked the token) and is deleted. Incidents and timelines stay.
 */
export function registerInstallationEvents(routes: SlackRoutes, installations: SlackInstallationStore): void {
  const forget = (context: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean }) =>
    installations.deleteInstallation({
      teamId: context.teamId,
      enterpriseId: context.enterpriseId,
      isEnterpriseInstall: context.isEnterpriseInstall === true,
    });

  routes.event('app_uninstalled', async ({ context }) => {
    await forget(context);
  });

  routes.event('tokens_revoked', async ({ event, context }) => {
    // Only user tokens revoked (Debrief asks for none) leaves the bot's installation working.
    if ((event.tokens.bot ?? []).length > 0) await forget(context);
  });
}
