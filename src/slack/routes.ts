import type {
  AllMiddlewareArgs,
  AnyMiddlewareArgs,
  App,
  BlockAction,
  BlockElementAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';

type ActionListener<A extends BlockAction> = (args: SlackActionMiddlewareArgs<A> & AllMiddlewareArgs) => Promise<void>;
type ViewListener = (args: SlackViewMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
type CommandListener = (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;

/**
 * Slash commands by name, block actions and modal submissions by their exact id, found in Maps by one
 * Bolt global middleware. Bolt offers every request to every registered listener's matcher chain in
 * turn, each pass with its own promises and copies of the listener arguments: in `npm run bench` that
 * dispatch was the largest single share of what a `/incident timeline` command allocated (about 37 KB
 * of 160 KB with eight listeners), and most of what survived into V8's old generation, which sets
 * the command's tail latency. Here a Map finds the one that answers; Bolt's own listeners (events,
 * the message shortcut) are not offered these requests at all. A command or id nobody registered goes
 * on to them, and so unanswered, as it would with no Bolt listener for it.
 */
export class InteractionRoutes {
  private readonly commands = new Map<string, CommandListener>();
  private readonly actions = new Map<string, ActionListener<BlockAction>>();
  private readonly views = new Map<string, ViewListener>();

  command(name: string, listener: CommandListener): void {
    if (this.commands.has(name)) throw new Error(`two listeners for the command ${name}`);
    this.commands.set(name, listener);
  }

  action<A extends BlockAction>(actionId: string, listener: ActionListener<A>): void {
    if (this.actions.has(actionId)) throw new Error(`two listeners for the action ${actionId}`);
    this.actions.set(actionId, listener as unknown as ActionListener<BlockAction>);
  }

  view(callbackId: string, listener: ViewListener): void {
    if (this.views.has(callbackId)) throw new Error(`two listeners for the modal ${callbackId}`);
    this.views.set(callbackId, listener);
  }

  /**
   * Registers the middleware (call once, after every route is added and after the request-context
   * middleware). Bolt hands global middleware the same arguments it builds for listeners (`command`,
   * `action`, `view`, `ack`, `respond`…), so a route gets what its Bolt listener would have.
   */
  mount(app: App): void {
    app.use(async (args) => {
      const route = this.routeFor(args);
      if (route === undefined) return args.next();
      await route();
    });
  }

  private routeFor(args: AnyMiddlewareArgs & AllMiddlewareArgs): (() => Promise<void>) | undefined {
    const body = args.body as { type?: unknown; command?: unknown };
    if (typeof body.command === 'string') {
      const listener = this.commands.get(body.command);
      return listener && (() => listener(args as SlackCommandMiddlewareArgs & AllMiddlewareArgs));
    }
    if (body.type === 'block_actions') {
      const actionArgs = args as SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
      const listener = this.actions.get((actionArgs.action as BlockElementAction).action_id);
      return listener && (() => listener(actionArgs));
    }
    if (body.type === 'view_submission') {
      const viewArgs = args as SlackViewMiddlewareArgs & AllMiddlewareArgs;
      const listener = this.views.get(viewArgs.view.callback_id);
      return listener && (() => listener(viewArgs));
    }
    return undefined;
  }
}
