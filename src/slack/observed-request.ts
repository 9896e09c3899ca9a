import { randomUUID } from 'node:crypto';
import type { App, Context, ReceiverEvent } from '@slack/bolt';
import {
  currentScope,
  type LogBindings,
  outcomeOf,
  type RequestKind,
  type RequestScope,
  runInScope,
} from '../observability/request-scope';
import type { SlackDeps } from './deps';

/**
 * Runs each Slack request Bolt processes inside its own request scope: every line logged meanwhile
 * (by Debrief, Bolt — its authorization, its acknowledgement, app.error — and the Web API client, and
 * by work finished after the acknowledgement) carries the request id and workspace. When Bolt is done
 * the request is counted by kind and outcome with its duration, and one debug line says so.
 *
 * Only Bolt's HTTP receiver writes after that ("stored response sent"): it sends the held answer once
 * processing has returned, outside the scope.
 */
export function observeRequests(app: App, deps: Pick<SlackDeps, 'logger' | 'metrics'>): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event: ReceiverEvent) => {
    const body = event.body as Body;
    const scope: RequestScope = {
      bindings: {
        request_id: randomUUID(),
        ...workspaceOfBody(body),
        slack_kind: kindOf(body),
        ...(typeof body.event_id === 'string' && { event_id: body.event_id }),
        ...(typeof event.retryNum === 'number' && { retry_num: event.retryNum }),
      },
    };
    return runInScope(scope, async () => {
      const started = performance.now();
      let threw = false;
      try {
        await processEvent(event);
      } catch (error) {
        threw = true;
        throw error;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        // Bolt answered without reaching Debrief's middleware (no installation for the workspace).
        if (!scope.reachedMiddleware) scope.failure = 'failed';
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
  };
}

/**
 * In Debrief's request middleware: the workspace as Bolt resolved it (authoritative over what the
 * body said) joins the request's log bindings. Without observeRequests (tests that build the
 * middleware alone) the request gets a scope here.
 */
export async function observed(context: Context, work: () => Promise<void>): Promise<void> {
  const workspace = workspaceOfContext(context);
  const scope = currentScope();
  if (scope?.bindings.request_id === undefined) {
    return runInScope({ bindings: { request_id: randomUUID(), ...workspace }, reachedMiddleware: true }, work);
  }
  Object.assign(scope.bindings, workspace);
  scope.reachedMiddleware = true;
  return work();
}

/** The fields of Slack's payloads that tell requests and workspaces apart; nothing a person typed is read. */
interface Body {
  type?: unknown;
  command?: unknown;
  event_id?: unknown;
  team_id?: unknown;
  enterprise_id?: unknown;
  is_enterprise_install?: unknown;
  team?: { id?: unknown } | null;
  enterprise?: { id?: unknown } | null;
  authorizations?: { team_id?: unknown; enterprise_id?: unknown; is_enterprise_install?: unknown }[];
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

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** Before Bolt's authorization: the ids the payload names (commands, events and interactions differ). */
function workspaceOfBody(body: Body): LogBindings {
  const authorization = body.authorizations?.[0];
  const teamId = text(body.team_id) ?? text(body.team?.id) ?? text(authorization?.team_id);
  const enterpriseId = text(body.enterprise_id) ?? text(body.enterprise?.id) ?? text(authorization?.enterprise_id);
  const orgWide = body.is_enterprise_install === true || authorization?.is_enterprise_install === true;
  return workspaceBindings(teamId, enterpriseId, orgWide);
}

function workspaceOfContext(context: Context): LogBindings {
  return workspaceBindings(
    context.teamId ?? undefined,
    context.enterpriseId ?? undefined,
    context.isEnterpriseInstall === true,
  );
}

/** `workspace` is the installation's key: the organisation for an org-wide install, the team otherwise. */
function workspaceBindings(
  teamId: string | undefined,
  enterpriseId: string | undefined,
  orgWide: boolean,
): LogBindings {
  const workspace = (orgWide ? enterpriseId : teamId) ?? teamId ?? enterpriseId;
  return {
    ...(workspace !== undefined && { workspace }),
    ...(teamId !== undefined && { team_id: teamId }),
    ...(enterpriseId !== undefined && { enterprise_id: enterpriseId }),
  };
}
