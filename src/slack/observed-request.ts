import { randomUUID } from 'node:crypto';
import type { Context } from '@slack/bolt';
import {
  type LogBindings,
  outcomeOf,
  type RequestKind,
  type RequestScope,
  runInScope,
} from '../observability/request-scope';
import type { SlackDeps } from './deps';

/**
 * Runs one Slack request's middleware and listeners inside its request scope: every line logged
 * meanwhile (by Debrief, Bolt or the Web API client, and by work finished after the acknowledgement)
 * carries its request id and workspace. When the listeners are done it counts the request by kind and
 * outcome, with its duration, and logs one debug line with the same ids.
 */
export async function observed(
  deps: SlackDeps,
  body: unknown,
  context: Context,
  work: () => Promise<void>,
): Promise<void> {
  const scope: RequestScope = { bindings: bindingsOf(body as Body, context) };
  return runInScope(scope, async () => {
    const started = performance.now();
    let threw = false;
    try {
      await work();
    } catch (error) {
      threw = true;
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const outcome = outcomeOf(scope, threw);
      deps.metrics?.requestFinished(scope.bindings.slack_kind ?? 'event', outcome, seconds, {
        duplicate: scope.duplicate,
        deferred: scope.deferred,
      });
      deps.logger.debug('slack request handled', {
        outcome,
        duration_ms: Math.round(seconds * 1000),
        ...(scope.deferred && { deferred: true }),
      });
    }
  });
}

/** The fields of Slack's payloads that tell requests apart; nothing a person typed is read. */
interface Body {
  type?: unknown;
  command?: unknown;
  event_id?: unknown;
}

/** The request's kind, by the payload Bolt received. */
export function kindOf(body: Body): RequestKind {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    case 'block_suggestion':
    case 'dialog_suggestion':
      return 'options';
    default:
      return 'event';
  }
}

function bindingsOf(body: Body, context: Context): LogBindings {
  const teamId = context.teamId ?? undefined;
  const enterpriseId = context.enterpriseId ?? undefined;
  // The installation's key: an org-wide install's requests may carry no team.
  const workspace = (context.isEnterpriseInstall === true ? enterpriseId : teamId) ?? teamId ?? enterpriseId;
  const retryNum = context.retryNum;
  return {
    request_id: randomUUID(),
    ...(workspace !== undefined && { workspace }),
    ...(teamId !== undefined && { team_id: teamId }),
    ...(enterpriseId !== undefined && { enterprise_id: enterpriseId }),
    slack_kind: kindOf(body),
    ...(typeof body.event_id === 'string' && { event_id: body.event_id }),
    ...(typeof retryNum === 'number' && { retry_num: retryNum }),
  };
}
