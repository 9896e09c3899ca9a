/**
 * The Slack stand-in of test/kit in a process of its own (forked by bench/reminders.ts), as Slack is
 * not in the app's process: measuring delivery against a stand-in that shares the app's event loop
 * would count Slack's work as Debrief's. It does not throttle (the unthrottled delivery run); the
 * throttled runs keep theirs in-process, where they move Slack's clock between sweeps.
 *
 * IPC: `ready` with the API URL once listening; `users` adds people; `reached` answers what arrived
 * (see Reached); `stop` ends the process.
 */
import { type SeedUser, SlackStandIn } from '../test/kit/slack-stand-in';

export interface StandInOptions {
  teamId: string;
  botToken: string;
}

/** What reached the stand-in: successful DM opens and posts, and the DM channels posted in more than once. */
export interface Reached {
  opens: number;
  posts: number;
  channelsPostedTwice: number;
}

export function reachedBy(standIn: SlackStandIn): Reached {
  const ok = (method: string) => standIn.callsTo(method).filter((c) => c.status === 200 && c.response.ok === true);
  const posts = ok('chat.postMessage');
  const perChannel = new Map<string, number>();
  for (const post of posts)
    perChannel.set(String(post.args.channel), (perChannel.get(String(post.args.channel)) ?? 0) + 1);
  return {
    opens: ok('conversations.open').length,
    posts: posts.length,
    channelsPostedTwice: [...perChannel.values()].filter((n) => n > 1).length,
  };
}

type Message =
  | { type: 'start'; options: StandInOptions }
  | { type: 'users'; users: SeedUser[] }
  | { type: 'reached' }
  | { type: 'stop' };

if (require.main === module) {
  let standIn: SlackStandIn | undefined;
  process.on('message', (message: Message) => {
    void (async () => {
      switch (message.type) {
        case 'start':
          standIn = new SlackStandIn({
            ...message.options,
            botUserId: 'UDEBRIEF',
            botId: 'BDEBRIEF',
            rateLimits: false,
          });
          await standIn.start();
          process.send?.({ type: 'ready', apiUrl: standIn.apiUrl });
          break;
        case 'users':
          for (const user of message.users) standIn!.addUser(user);
          process.send?.({ type: 'users' });
          break;
        case 'reached':
          process.send?.({ type: 'reached', reached: reachedBy(standIn!) });
          break;
        case 'stop':
          await standIn?.stop();
          process.exit(0);
      }
    })().catch((error: unknown) => {
      process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) });
      process.exit(1);
    });
  });
}
