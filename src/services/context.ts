import { LRUCache } from 'lru-cache';
import type { Db } from '../db/connect';
import { claimEvent, isEventProcessed } from '../db/events';
import { inTransaction } from '../db/transaction';
import { ensureWorkspace, findWorkspace, type WorkspaceRef } from '../db/workspaces';
import type { Actor } from '../domain/permissions';
import { noteDuplicate } from '../observability/request-scope';
import type { SlackPort, SlackUser, WorkspaceAddress } from './slack-port';

/** What every use case is given: where it runs, the outbound Slack port and the time. */
export interface Scope {
  db: Db;
  slack: SlackPort;
  /** The workspace row every query is scoped by. */
  workspaceId: number;
  /** The installation to speak through when telling people things. */
  workspace: WorkspaceAddress;
  now: Date;
  /** Set for Slack events: the record that it was processed commits with its work (see commitOnce). */
  eventId?: string;
}

/** A scope with the person acting: every change records who made it. */
export interface ActionContext extends Scope {
  actor: Actor & { timeZone: string | null };
}

/**
 * Runs the writes of one piece of work in one transaction. For a Slack event, the event id is
 * claimed in that same transaction: a crash before commit leaves it unclaimed, so Slack's retry
 * does the work; a retry of committed work finds the claim and changes nothing (returns undefined).
 */
export async function commitOnce<T>(scope: Scope, work: (db: Db) => Promise<T>): Promise<T | undefined> {
  return inTransaction(scope.db, async (trx) => {
    if (scope.eventId !== undefined && !(await claimEvent(trx, scope.eventId, String(scope.workspaceId)))) {
      noteDuplicate('claim');
      return undefined;
    }
    return work(trx);
  });
}

/**
 * Workspace rows by installation: the organisation for an org-wide Enterprise Grid install (whose
 * interactive payloads carry no team), the team otherwise. Never an empty key.
 */
export function workspaceRefOf(address: WorkspaceAddress): WorkspaceRef {
  const key = address.isEnterpriseInstall ? address.enterpriseId : address.teamId;
  if (!key) throw new Error('a Slack request names neither its workspace nor its organisation');
  return { teamId: key, enterpriseId: address.enterpriseId, isEnterpriseInstall: address.isEnterpriseInstall };
}

/**
 * Workspace row ids by installation, created on first contact and remembered (bounded: the mapping
 * never changes, but a multi-tenant process must not grow without limit).
 */
export class WorkspaceDirectory {
  private readonly ids = new LRUCache<string, number>({ max: 10_000 });

  constructor(private readonly db: Db) {}

  async idOf(address: WorkspaceAddress): Promise<number> {
    const ref = workspaceRefOf(address);
    const key = `${ref.isEnterpriseInstall ? 'E' : 'T'}:${ref.teamId}`;
    const cached = this.ids.get(key);
    if (cached !== undefined) return cached;
    const id = await ensureWorkspace(this.db, ref);
    this.ids.set(key, id);
    return id;
  }
}

/** The installation a workspace row speaks through, for work outside a request (scheduler, CLI). */
export async function addressOfWorkspace(db: Db, workspaceId: number): Promise<WorkspaceAddress | undefined> {
  const row = await findWorkspace(db, workspaceId);
  if (!row) return undefined;
  return row.is_enterprise_install
    ? { teamId: null, enterpriseId: row.enterprise_id ?? row.team_id, isEnterpriseInstall: true }
    : { teamId: row.team_id, enterpriseId: row.enterprise_id, isEnterpriseInstall: false };
}

/** Whether a Slack event was already processed (its work committed): a retry then does nothing. */
export async function wasEventProcessed(db: Db, eventId: string): Promise<boolean> {
  return isEventProcessed(db, eventId);
}

/**
 * The person behind a request as an Actor of the workspace. Slack Connect users belong to another
 * team; on Enterprise Grid a user of a sibling workspace in the same organisation is not external.
 */
export function actorOf(user: SlackUser, workspace: WorkspaceAddress): ActionContext['actor'] {
  const sameTeam = user.teamId === null || user.teamId === workspace.teamId;
  const sameOrg = Boolean(workspace.enterpriseId) && user.enterpriseId === workspace.enterpriseId;
  return { userId: user.id, isGuest: user.isGuest, isExternal: !sameTeam && !sameOrg, timeZone: user.timeZone };
}

/** Whether the acting person is a member of the incident's channel (an incident without one has none). */
export async function actorInIncidentChannel(
  context: ActionContext,
  incident: { channel_id: string | null },
): Promise<boolean> {
  return (
    incident.channel_id !== null &&
    (await context.slack.isChannelMember(context.workspace, incident.channel_id, context.actor.userId))
  );
}
