import { homeFor } from '../../../services/home';
import { homeTab } from '../../blocks/home';
import { requestOf } from '../../context';
import type { SlackRoutes } from '../../routes';

/**
 * `app_home_opened`: publishes the person's Home tab (their open items, postmortems they own, incidents
 * in progress).
 */
export function registerAppHomeEvents(routes: SlackRoutes): void {
  routes.event('app_home_opened', async ({ event, client, context }) => {
    // The Messages tab opens the same event; only the Home tab is Debrief's to draw.
    if (event.tab !== 'home') return;
    const viewer = await requestOf(context).actAs(event.user);
    await client.views.publish({ user_id: event.user, view: homeTab(await homeFor(viewer)) });
  });
}
