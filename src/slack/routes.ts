import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  BlockElementAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';

type ActionListener<A extends BlockAction> = (args: SlackActionMiddlewareArgs<A> & AllMiddlewareArgs) => Promise<void>;
type ViewListener = (args: SlackViewMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;

/**
 * Block actions and modal submissions by their exact id, behind one Bolt listener each. Bolt offers
 * every request, commands and message events included, to every registered listener's matcher chain
 * in turn, each pass with its own promises; two dozen buttons and modals registered one by one made
 * that a measurable share of each request's CPU in `npm run bench`. Here a Map finds the one that
 * answers. An id nobody registered goes unanswered, as it would with no Bolt listener for it.
 */
export class InteractionRoutes {
  private readonly actions = new Map<string, ActionListener<BlockAction>>();
  private readonly views = new Map<string, ViewListener>();

  action<A extends BlockAction>(actionId: string, listener: ActionListener<A>): void {
    if (this.actions.has(actionId)) throw new Error(`two listeners for the action ${actionId}`);
    this.actions.set(actionId, listener as unknown as ActionListener<BlockAction>);
  }

  view(callbackId: string, listener: ViewListener): void {
    if (this.views.has(callbackId)) throw new Error(`two listeners for the modal ${callbackId}`);
    this.views.set(callbackId, listener);
  }

  /** Registers the two Bolt listeners (call once, after every route is added). */
  mount(app: App): void {
    app.action<BlockAction>({ type: 'block_actions' }, async (args) => {
      const listener = this.actions.get((args.action as BlockElementAction).action_id);
      if (listener) await listener(args);
    });
    app.view({ type: 'view_submission' }, async (args) => {
      const listener = this.views.get(args.view.callback_id);
      if (listener) await listener(args);
    });
  }
}
