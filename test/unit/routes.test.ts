import type { AllMiddlewareArgs, AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import { InteractionRoutes } from '../../src/slack/routes';

/** The global middleware InteractionRoutes mounts, taken from an App that only records `use`. */
function mounted(routes: InteractionRoutes): Middleware<AnyMiddlewareArgs> {
  const used: Middleware<AnyMiddlewareArgs>[] = [];
  const app = {
    use: (middleware: Middleware<AnyMiddlewareArgs>) => used.push(middleware),
    command: () => {
      throw new Error('routes must not register Bolt listeners');
    },
    action: () => {
      throw new Error('routes must not register Bolt listeners');
    },
    view: () => {
      throw new Error('routes must not register Bolt listeners');
    },
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

describe('InteractionRoutes', () => {
  test('a slash command goes to the listener of its name, with the arguments Bolt built', async () => {
    const routes = new InteractionRoutes();
    const incident = jest.fn(async () => undefined);
    const postmortem = jest.fn(async () => undefined);
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

  test('a block action goes by action_id and a modal submission by callback_id', async () => {
    const routes = new InteractionRoutes();
    const button = jest.fn(async () => undefined);
    const modal = jest.fn(async () => undefined);
    routes.action('timeline_entry_menu', button);
    routes.view('timeline_entry_edit', modal);
    const middleware = mounted(routes);
    const action = request({ body: { type: 'block_actions' }, action: { action_id: 'timeline_entry_menu' } });
    await middleware(action.args);
    const view = request({ body: { type: 'view_submission' }, view: { callback_id: 'timeline_entry_edit' } });
    await middleware(view.args);
    expect(button).toHaveBeenCalledWith(action.args);
    expect(modal).toHaveBeenCalledWith(view.args);
    expect(action.next).not.toHaveBeenCalled();
    expect(view.next).not.toHaveBeenCalled();
  });

  test('what no route answers goes on to Bolt: events, shortcuts, unknown commands and ids', async () => {
    const routes = new InteractionRoutes();
    routes.command(
      '/incident',
      jest.fn(async () => undefined),
    );
    routes.action(
      'known_button',
      jest.fn(async () => undefined),
    );
    const middleware = mounted(routes);
    for (const fields of [
      { body: { type: 'event_callback', event: { type: 'reaction_added' } } },
      { body: { type: 'message_action' }, shortcut: { callback_id: 'add_to_timeline' } },
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
    const routes = new InteractionRoutes();
    routes.command(
      '/incident',
      jest.fn(async () => undefined),
    );
    expect(() =>
      routes.command(
        '/incident',
        jest.fn(async () => undefined),
      ),
    ).toThrow(/two listeners for the command/);
    routes.action(
      'a',
      jest.fn(async () => undefined),
    );
    expect(() =>
      routes.action(
        'a',
        jest.fn(async () => undefined),
      ),
    ).toThrow(/two listeners for the action/);
    routes.view(
      'v',
      jest.fn(async () => undefined),
    );
    expect(() =>
      routes.view(
        'v',
        jest.fn(async () => undefined),
      ),
    ).toThrow(/two listeners for the modal/);
  });
});
