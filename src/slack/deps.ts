import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Db } from '../db/connect';
import { ensureWorkspace, type WorkspaceRef } from '../db/workspaces';
import type { ActionContext } from '../services/incidents';
import type { BackgroundWork } from './background';
import type { SlackUser, UserDirectory } from './user-directory';

/** What every listener needs; built once in the composition root. */
export interface SlackDeps {
  db: Db;
  users: UserDirectory;
  background: BackgroundWork;
  logger: Logger;
  clock: () => Date;
  workspaces: WorkspaceIds;
}

/** Maps Slack team ids to workspace rows, remembering them: the mapping never changes. */
export class WorkspaceIds {
  private readonly known = new Map<string, number>();

  constructor(private readonly db: Db) {}

  async idFor(ref: WorkspaceRef): Promise<number> {
    const cached = this.known.get(ref.teamId);
    if (cached !== undefined) return cached;
    const id = await ensureWorkspace(this.db, ref);
    this.known.set(ref.teamId, id);
    return id;
  }
}

/** The acting user's context for a use case: workspace, identity, time zone and the current time. */
export async function actionContext(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRef,
  userId: string,
): Promise<ActionContext & { user: SlackUser }> {
  const [workspaceId, actor] = await Promise.all([
    deps.workspaces.idFor(workspace),
    deps.users.actor(client, workspace, userId),
  ]);
  return { db: deps.db, workspaceId, actor, user: actor, now: deps.clock() };
}

/** What Bolt's interactive payloads (actions, views, shortcuts) say about where they came from. */
export interface InteractionBody {
  team?: { id: string; enterprise_id?: string } | null;
  enterprise?: { id: string } | null;
  user: { id: string };
}

/** The workspace an interaction belongs to. */
export function interactionWorkspace(body: InteractionBody): WorkspaceRef {
  return { teamId: body.team?.id ?? '', enterpriseId: body.enterprise?.id ?? body.team?.enterprise_id ?? null };
}

/** actionContext for the user behind an interaction. */
export function interactionContext(deps: SlackDeps, client: WebClient, body: InteractionBody) {
  return actionContext(deps, client, interactionWorkspace(body), body.user.id);
}
