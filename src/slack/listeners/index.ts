import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps';
import type { SlackInstallationStore } from '../installation-store';
import { SlackRoutes } from '../routes';
import { registerActionItemActions } from './actions/action-items';
import { registerDebriefActions } from './actions/debrief';
import { registerPostmortemActions } from './actions/postmortem';
import { registerTimelineActions } from './actions/timeline';
import { registerIncidentCommand } from './commands/incident';
import { registerPostmortemCommand } from './commands/postmortem';
import { registerAppHomeEvents } from './events/app-home';
import { registerInstallationEvents } from './events/installations';
import { registerMessageEvents } from './events/messages';
import { registerReactionEvents } from './events/reactions';
import { registerAddToTimelineShortcut } from './shortcuts/add-to-timeline';
import { registerActionItemEditView } from './views/action-item-edit';
import { registerAddToTimelinePickView } from './views/add-to-timeline-pick';
import { registerIncidentStartView } from './views/incident-start';
import { registerPostmortemSectionViews } from './views/postmortem-section';
import { registerTimelineEntryViews } from './views/timeline-entry';

/**
 * Every Slack listener, grouped as Slack groups them: commands, events, shortcuts, actions, views; with
 * an installation store (OAuth mode), the events that retire an installation too. Returns the routes
 * mounted, to read what the app answers.
 */
export function registerListeners(app: App, deps: SlackDeps, installations?: SlackInstallationStore): SlackRoutes {
  const routes = new SlackRoutes();
  registerIncidentCommand(routes, deps);
  registerPostmortemCommand(routes, deps);
  registerMessageEvents(routes);
  registerReactionEvents(routes);
  registerAppHomeEvents(routes);
  if (installations) registerInstallationEvents(routes, installations);
  registerAddToTimelineShortcut(routes, deps);
  registerTimelineActions(routes, deps);
  registerIncidentStartView(routes, deps);
  registerTimelineEntryViews(routes, deps);
  registerAddToTimelinePickView(routes, deps);
  registerPostmortemActions(routes, deps);
  registerDebriefActions(routes, deps);
  registerPostmortemSectionViews(routes, deps);
  registerActionItemActions(routes, deps);
  registerActionItemEditView(routes, deps);
  routes.mount(app);
  return routes;
}
