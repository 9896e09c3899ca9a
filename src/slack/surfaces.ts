/**
 * The one error mapping: each kind of Slack request answers a failure on its own surface. Commands
 * answer in their acknowledgement (or through response_url once "working on it" went out), modal
 * submissions under the field concerned, buttons and shortcuts with an ephemeral message. Event
 * failures propagate, so Slack gets a non-2xx and retries.
 */

import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { noteDeferred } from '../observability/request-scope';
import type { Notice } from '../services/slack-port';
import { type DebriefRequest, requestOf } from './context';
import type { SlackDeps } from './deps';
import { describeFailure, fieldOf } from './failures';

/** What a command answers: shown only to the caller unless it says otherwise. */
export interface CommandAnswer {
  text: string;
  blocks?: KnownBlock[];
  inChannel?: boolean;
}

/**
 * Slack shows the user `operation_timeout` after 3 s; Bolt answers 404 at 3.001 s. Work still
 * running at 2.5 s is acknowledged with "working on it" and answered through response_url.
 */
export const COMMAND_ACK_DEADLINE_MS = 2_500;

export type CommandHandler = (
  args: SlackCommandMiddlewareArgs & AllMiddlewareArgs & { request: DebriefRequest },
) => Promise<CommandAnswer | undefined>;

export function commandListener(deps: SlackDeps, handler: CommandHandler, deadlineMs = COMMAND_ACK_DEADLINE_MS) {
  return async (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const work = (async () => handler({ ...args, request: requestOf(args.context) }))().then(
      (answer): Settled => ({ answer }),
      (error: unknown): Settled => ({ answer: { text: describeFailure(error, deps.logger) } }),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), deadlineMs);
    });
    const settled = await Promise.race([work, deadline]);
    clearTimeout(timer);
    if (settled) {
      await (settled.answer ? args.ack(commandResponse(settled.answer)) : args.ack());
      return;
    }
    await args.ack({
      response_type: 'ephemeral',
      text: ':hourglass_flowing_sand: Working on it… the answer follows here.',
    });
    noteDeferred();
    deps.background.run('finish a slow command', async () => {
      const { answer } = await work;
      if (answer) await args.respond(commandResponse(answer));
    });
  };
}

/** A handler's outcome: its answer (none when it opened a modal), or the failure described. */
interface Settled {
  answer: CommandAnswer | undefined;
}

function commandResponse(answer: CommandAnswer) {
  return {
    response_type: answer.inChannel ? ('in_channel' as const) : ('ephemeral' as const),
    text: answer.text,
    ...(answer.blocks ? { blocks: answer.blocks } : {}),
  };
}

/** Buttons, menus and message shortcuts: acknowledged at once; a failure is shown to the clicker. */
export function interactionListener<Args extends AllMiddlewareArgs & { ack: () => Promise<void>; respond?: RespondFn }>(
  deps: SlackDeps,
  handler: (args: Args & { request: DebriefRequest }) => Promise<void>,
) {
  return async (args: Args) => {
    await args.ack();
    const request = requestOf(args.context);
    try {
      await handler({ ...args, request });
    } catch (error) {
      await tellFailure(deps, request, args.respond, describeFailure(error, deps.logger));
    }
  };
}

async function tellFailure(deps: SlackDeps, request: DebriefRequest, respond: RespondFn | undefined, text: string) {
  if (respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  if (!request.userId) return;
  const notice: Notice = { kind: 'refused', message: text };
  await deps.slack.tellUser(
    request.workspace,
    { userId: request.userId, channelId: request.channelId ?? null },
    notice,
  );
}

/** What a modal submission answers: nothing (the modal closes), or errors under its inputs. */
export interface ViewOutcome {
  errors?: Record<string, string>;
  /** Work after the modal closed (Slack calls that may take longer than its 3 s). */
  afterwards?: () => Promise<void>;
}

/**
 * Modal submissions: a failure is shown under the input it concerns (the error's field), or under
 * `defaultField`. Slack allows `response_action` only in the acknowledgement, so it comes last.
 */
export function viewListener(
  deps: SlackDeps,
  defaultField: string,
  handler: (args: SlackViewMiddlewareArgs & AllMiddlewareArgs & { request: DebriefRequest }) => Promise<ViewOutcome>,
) {
  return async (args: SlackViewMiddlewareArgs & AllMiddlewareArgs) => {
    let outcome: ViewOutcome;
    try {
      outcome = await handler({ ...args, request: requestOf(args.context) });
    } catch (error) {
      outcome = { errors: { [fieldOf(error) ?? defaultField]: describeFailure(error, deps.logger) } };
    }
    if (outcome.errors) {
      await args.ack({ response_action: 'errors', errors: outcome.errors });
      return;
    }
    await args.ack();
    if (outcome.afterwards) deps.background.run('after a modal submission', outcome.afterwards);
  };
}
