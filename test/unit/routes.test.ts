import type { AllMiddlewareArgs, AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import { SlackRoutes } from '../../src/slack/routes';

const refuse = () => {
  throw new Error('routes must not register Bolt listeners');
};

/** The global middleware SlackRoutes mounts, taken from an App that only records `use`. */
function mounted(routes: SlackRoutes): Middleware<AnyMiddlewareArgs> {
  const used: Middleware<AnyMiddlewareArgs>[] = [];
  const app = {
    use: (middleware: Middleware<AnyMiddlewareArgs>) => used.push(middleware),
    command: refuse,
    event: refuse,
    message: refuse,
    shortcut: refuse,
    action: refuse,
    view: refuse,
  } as unknown as App;
  routes.mount(app);
  expect(used).toHaveLength(1);
  return used[0]!;
}

/** What Bolt hands global middleware for a request: the listener arguments plus `next`. */
function request(fields: Record<string, unknown>) {
  const next = jest.fn(async () => undefined);
  return { args: { ...fields, next } as unknown as AnyMiddlewareArgs & AllMiddlewareArgs, next };
}

const listener = () => jest.fn(async () => undefined);

describe('SlackRoutes', () => {
  test('a slash command goes to the listener of its name, with the arguments Bolt built', async () => {
    const routes = new SlackRoutes();
    const incident = listener();
    const postmortem = listener();
    routes.command('/incident', incident);
    routes.command('/postmortem', postmortem);
    const { args, next } = request({
      body: { command: '/postmortem' },
      command: { command: '/postmortem', text: 'show' },
    });
    await mounted(routes)(args);
    expect(postmortem).toHaveBeenCalledWith(args);
    expect(incident).not.toHaveBeenCalled();
    expect(next).not.toHaveBeenCalled();
  });

  test('an event goes by type; the message shortcut, a block action and a modal submission by their id', async () => {
    const routes = new SlackRoutes();
    const reaction = listener();
    const shortcut = listener();
    const button = listener();
    const modal = listener();
    routes.event('reaction_added', reaction);
    routes.messageShortcut('add_to_timeline', shortcut);
    routes.action('timeline_entry_menu', button);
    routes.view('timeline_entry_edit', modal);
    const middleware = mounted(routes);
    const requests = [
      { route: reaction, ...request({ body: { type: 'event_callback', event: { type: 'reaction_added' } } }) },
      {
        route: shortcut,
        ...request({ body: { type: 'message_action' }, shortcut: { callback_id: 'add_to_timeline' } }),
      },
      { route: button, ...request({ body: { type: 'block_actions' }, action: { action_id: 'timeline_entry_menu' } }) },
      { route: modal, ...request({ body: { type: 'view_submission' }, view: { callback_id: 'timeline_entry_edit' } }) },
    ];
    for (const { args } of requests) await middleware(args);
    for (const { route, args, next } of requests) {
      expect(route).toHaveBeenCalledTimes(1);
      expect(route).toHaveBeenCalledWith(args);
      expect(next).not.toHaveBeenCalled();
    }
  });

  test('what no route answers goes on to Bolt: other events, shortcuts, commands and ids', async () => {
    const routes = new SlackRoutes();
    routes.command('/incident', listener());
    routes.event('reaction_added', listener());
    routes.messageShortcut('add_to_timeline', listener());
    routes.action('known_button', listener());
    const middleware = mounted(routes);
    for (const fields of [
      { body: { type: 'event_callback', event: { type: 'reaction_removed' } } },
      // A global shortcut with the message shortcut's id is not the message shortcut.
      { body: { type: 'shortcut' }, shortcut: { callback_id: 'add_to_timeline' } },
      { body: { type: 'message_action' }, shortcut: { callback_id: 'another_shortcut' } },
      { body: { command: '/unknown' }, command: { command: '/unknown' } },
      { body: { type: 'block_actions' }, action: { action_id: 'stale_button' } },
      { body: { type: 'view_submission' }, view: { callback_id: 'stale_modal' } },
    ]) {
      const { args, next } = request(fields);
      await middleware(args);
      expect(next).toHaveBeenCalledTimes(1);
    }
  });

  test('a name or id registered twice is a programming error, found at start-up', () => {
    const routes = new SlackRoutes();
    routes.command('/incident', listener());
    expect(() => routes.command('/incident', listener())).toThrow(/two listeners for the command \/incident/);
    routes.event('message', listener());
    expect(() => routes.event('message', listener())).toThrow(/two listeners for the event message/);
    routes.messageShortcut('s', listener());
    expect(() => routes.messageShortcut('s', listener())).toThrow(/two listeners for the message shortcut s/);
    routes.action('a', listener());
    expect(() => routes.action('a', listener())).toThrow(/two listeners for the action a/);
    routes.view('v', listener());
    expect(() => routes.view('v', listener())).toThrow(/two listeners for the modal v/);
    expect(routes.registered()).toEqual({
      commands: ['/incident'],
      events: ['message'],
      messageShortcuts: ['s'],
      actions: ['a'],
      views: ['v'],
    });
  });
});
