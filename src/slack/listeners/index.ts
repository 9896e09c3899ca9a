import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps';
import { InteractionRoutes } from '../routes';
import { registerActionItemActions } from './actions/action-items';
import { registerDebriefActions } from './actions/debrief';
import { registerPostmortemActions } from './actions/postmortem';
import { registerTimelineActions } from './actions/timeline';
import { registerIncidentCommand } from './commands/incident';
import { registerPostmortemCommand } from './commands/postmortem';
import { registerAppHomeEvents } from './events/app-home';
import { registerMessageEvents } from './events/messages';
import { registerReactionEvents } from './events/reactions';
import { registerAddToTimelineShortcut } from './shortcuts/add-to-timeline';
import { registerActionItemEditView } from './views/action-item-edit';
import { registerAddToTimelinePickView } from './views/add-to-timeline-pick';
import { registerIncidentStartView } from './views/incident-start';
import { registerPostmortemSectionViews } from './views/postmortem-section';
import { registerTimelineEntryViews } from './views/timeline-entry';

/** Every Slack listener, grouped as Slack groups them: commands, events, shortcuts, actions, views. */
export function registerListeners(app: App, deps: SlackDeps): void {
  const routes = new InteractionRoutes();
  registerIncidentCommand(routes, deps);
  registerPostmortemCommand(routes, deps);
  registerMessageEvents(app);
  registerReactionEvents(app);
  registerAddToTimelineShortcut(app, deps);
  registerTimelineActions(routes, deps);
  registerIncidentStartView(routes, deps);
  registerTimelineEntryViews(routes, deps);
  registerAddToTimelinePickView(routes, deps);
  registerPostmortemActions(routes, deps);
  registerDebriefActions(routes, deps);
  registerPostmortemSectionViews(routes, deps);
  registerActionItemActions(routes, deps);
  registerActionItemEditView(routes, deps);
  registerAppHomeEvents(app);
  routes.mount(app);
}
