/**
 * The Slack stand-in of test/kit in a process of its own (started by bench/stand-in-client.ts), as
 * Slack is not in the app's process: a stand-in sharing the app's event loop and heap would count
 * Slack's work and memory as Debrief's. Besides answering the Web API it sends the app the signed
 * slash commands the bench app process asks for (the stand-in mints their response URLs and trigger ids).
 */
import { SlackRequestClient, slashCommandBody } from '../test/kit/slack-requests';
import { SlackStandIn } from '../test/kit/slack-stand-in';
import type { Reached, StandInRequest } from './stand-in-client';

export function reachedBy(standIn: SlackStandIn): Reached {
  const ok = (method: string) => standIn.callsTo(method).filter((c) => c.status === 200 && c.response.ok === true);
  const posts = ok('chat.postMessage');
  const perChannel = new Map<string, number>();
  for (const post of posts) {
    // The DM Slack posted into (a post to a user id is answered with the DM's id).
    const channel = String(post.response.channel);
    perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
  }
  return {
    posts: posts.length,
    channelsPostedTwice: [...perChannel.values()].filter((n) => n > 1).length,
  };
}

async function serve() {
  let standIn: SlackStandIn | undefined;
  let signingSecret = '';
  const requests = new Map<string, SlackRequestClient>();
  const slack = () => {
    if (!standIn) throw new Error('the stand-in has not started');
    return standIn;
  };
  const handle = async (request: StandInRequest): Promise<unknown> => {
    switch (request.type) {
      case 'start': {
        const { rateLimits, teamId, botToken } = request.options;
        signingSecret = request.options.signingSecret ?? '';
        standIn = new SlackStandIn({ teamId, botToken, botUserId: 'UDEBRIEF', botId: 'BDEBRIEF', rateLimits });
        await standIn.start();
        return { apiUrl: standIn.apiUrl, appId: standIn.appId, verificationToken: standIn.verificationToken };
      }
      case 'users':
        for (const user of request.users) slack().addUser(user);
        return undefined;
      case 'channel':
        slack().addChannel({ id: request.id, name: request.name, members: request.members });
        return undefined;
      case 'join':
        for (const userId of request.userIds) slack().joinChannel(request.channelId, userId);
        return undefined;
      case 'command': {
        let client = requests.get(request.appUrl);
        if (!client) {
          client = new SlackRequestClient(request.appUrl, signingSecret);
          requests.set(request.appUrl, client);
        }
        const body = slashCommandBody(slack(), {
          userId: request.userId,
          channelId: request.channelId,
          command: '/incident',
          text: request.text,
        });
        const response = await client.send(body);
        return { status: response.status, text: (response.json as { text?: string } | undefined)?.text };
      }
      case 'reached':
        return reachedBy(slack());
      case 'stop':
        await standIn?.stop();
        process.exit(0);
    }
  };
  process.on('message', (request: StandInRequest) => {
    handle(request).then(
      (result) => process.send?.({ type: request.type, result }),
      (error: unknown) => process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) }),
    );
  });
}

if (require.main === module) {
  // The process that started it has gone (ended or crashed): so has the bench's need for Slack.
  process.on('disconnect', () => process.exit(0));
  void serve();
}
