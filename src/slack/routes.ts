import type {
  AllMiddlewareArgs,
  AnyMiddlewareArgs,
  App,
  BlockAction,
  BlockElementAction,
  MessageShortcut,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';

type ActionListener<A extends BlockAction> = (args: SlackActionMiddlewareArgs<A> & AllMiddlewareArgs) => Promise<void>;
type ViewListener = (args: SlackViewMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
type CommandListener = (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
type EventListener<E extends string> = (args: SlackEventMiddlewareArgs<E> & AllMiddlewareArgs) => Promise<void>;
type MessageShortcutListener = (
  args: SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs,
) => Promise<void>;

/** One route per key: a second listener for the same key is a programming error, found at start-up. */
class RouteTable<L> {
  private readonly routes = new Map<string, L>();

  constructor(private readonly what: string) {}

  add(key: string, listener: L): void {
    if (this.routes.has(key)) throw new Error(`two listeners for the ${this.what} ${key}`);
    this.routes.set(key, listener);
  }

  get(key: unknown): L | undefined {
    return typeof key === 'string' ? this.routes.get(key) : undefined;
  }

  keys(): string[] {
    return [...this.routes.keys()].sort();
  }
}

/**
 * Every Slack request Debrief answers, found in a Map by one Bolt global middleware: slash commands by
 * name, events by type, the message shortcut by callback_id, block actions by action_id and modal
 * submissions by callback_id. Bolt would offer every request to every registered listener's matcher
 * chain in turn, each pass with its own promises and copies of the listener arguments: in `npm run
 * bench` that dispatch was the largest single share of what a `/incident timeline` command allocated
 * (about 37 KB of 160 KB with eight listeners), and most of what survived into V8's old generation,
 * which sets the command's tail latency. What no route answers goes on through Bolt, which has no
 * listener for it: unanswered, as with no Bolt listener for it before.
 */
export class SlackRoutes {
  private readonly commands = new RouteTable<CommandListener>('command');
  private readonly events = new RouteTable<EventListener<string>>('event');
  private readonly messageShortcuts = new RouteTable<MessageShortcutListener>('message shortcut');
  private readonly actions = new RouteTable<ActionListener<BlockAction>>('action');
  private readonly views = new RouteTable<ViewListener>('modal');

  command(name: string, listener: CommandListener): void {
    this.commands.add(name, listener);
  }

  event<E extends string>(type: E, listener: EventListener<E>): void {
    this.events.add(type, listener as unknown as EventListener<string>);
  }

  messageShortcut(callbackId: string, listener: MessageShortcutListener): void {
    this.messageShortcuts.add(callbackId, listener);
  }

  action<A extends BlockAction>(actionId: string, listener: ActionListener<A>): void {
    this.actions.add(actionId, listener as unknown as ActionListener<BlockAction>);
  }

  view(callbackId: string, listener: ViewListener): void {
    this.views.add(callbackId, listener);
  }

  /** What the app answers, by kind (the manifest must declare exactly these commands, events and shortcuts). */
  registered() {
    return {
      commands: this.commands.keys(),
      events: this.events.keys(),
      messageShortcuts: this.messageShortcuts.keys(),
      actions: this.actions.keys(),
      views: this.views.keys(),
    };
  }

  /**
   * Registers the middleware (call once, after every route is added and after the request-context
   * middleware). Bolt hands global middleware the same arguments it builds for listeners (`command`,
   * `event`, `shortcut`, `action`, `view`, `ack`, `respond`…), so a route gets what its Bolt listener
   * would have; an event is acknowledged by Bolt before any middleware runs, as for its listeners.
   */
  mount(app: App): void {
    app.use(async (args) => {
      const route = this.routeFor(args);
      if (route === undefined) return args.next();
      await route();
    });
  }

  private routeFor(args: AnyMiddlewareArgs & AllMiddlewareArgs): (() => Promise<void>) | undefined {
    const body = args.body as { type?: unknown; command?: unknown; event?: { type?: unknown } };
    if (typeof body.command === 'string') {
      const listener = this.commands.get(body.command);
      return listener && (() => listener(args as SlackCommandMiddlewareArgs & AllMiddlewareArgs));
    }
    switch (body.type) {
      case 'event_callback': {
        const listener = this.events.get(body.event?.type);
        return listener && (() => listener(args as SlackEventMiddlewareArgs & AllMiddlewareArgs));
      }
      case 'message_action': {
        const shortcutArgs = args as SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs;
        const listener = this.messageShortcuts.get(shortcutArgs.shortcut.callback_id);
        return listener && (() => listener(shortcutArgs));
      }
      case 'block_actions': {
        const actionArgs = args as SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
        const listener = this.actions.get((actionArgs.action as BlockElementAction).action_id);
        return listener && (() => listener(actionArgs));
      }
      case 'view_submission': {
        const viewArgs = args as SlackViewMiddlewareArgs & AllMiddlewareArgs;
        const listener = this.views.get(viewArgs.view.callback_id);
        return listener && (() => listener(viewArgs));
      }
      default:
        return undefined;
    }
  }
}
