/**
 * The App Home tab (SPEC 2): the viewer's open action items (overdue first), the postmortems they own,
 * and the incidents in progress. A private incident is shown only to members of its channel.
 */
import { listOpenItemsOwnedBy } from '../db/action-items';
import { listActiveIncidents } from '../db/incidents';
import { listPostmortemsOwnedBy } from '../db/postmortems';
import { dateInZone, type IsoDate } from '../domain/business-days';
import type { PostmortemStatus } from '../domain/postmortem/document';
import type { Severity } from '../domain/types';
import { type ActionItemView, actionItemView } from './action-items';
import type { ActionContext } from './context';

/** Each list is bounded: the Home tab holds 100 blocks, and a long list there helps nobody. */
export const HOME_LIST_MAX = 15;

export interface HomeView {
  viewerId: string;
  /** The viewer's local date: what "overdue" is measured against. */
  today: IsoDate;
  /** Overdue first (earliest due date first), then the rest by due date, undated last. */
  items: ActionItemView[];
  overdueCount: number;
  /** True when the viewer has more open items than are listed. */
  moreItems: boolean;
  postmortems: {
    incidentId: number;
    incidentNumber: number;
    /** Null for a private incident. */
    incidentTitle: string | null;
    status: PostmortemStatus;
    dueDate: IsoDate | null;
  }[];
  incidents: {
    incidentNumber: number;
    title: string;
    severity: Severity;
    channelId: string | null;
    isPrivate: boolean;
  }[];
}

export async function homeFor(context: ActionContext): Promise<HomeView> {
  const { db, workspaceId } = context;
  const viewerId = context.actor.userId;
  const today = dateInZone(context.now, context.actor.timeZone);
  const [itemRows, postmortems, active] = await Promise.all([
    listOpenItemsOwnedBy(db, workspaceId, viewerId, HOME_LIST_MAX + 1),
    listPostmortemsOwnedBy(db, workspaceId, viewerId, HOME_LIST_MAX),
    listActiveIncidents(db, workspaceId),
  ]);
  const items = itemRows.slice(0, HOME_LIST_MAX).map(actionItemView);
  const overdue = items.filter((i) => i.dueDate !== null && i.dueDate < today);
  const rest = items.filter((i) => !(i.dueDate !== null && i.dueDate < today));
  const visible: HomeView['incidents'] = [];
  for (const incident of active) {
    if (visible.length >= HOME_LIST_MAX) break;
    if (incident.is_private) {
      const member =
        incident.channel_id !== null &&
        (await context.slack.isChannelMember(context.workspace, incident.channel_id, viewerId).catch(() => false));
      if (!member) continue;
    }
    visible.push({
      incidentNumber: incident.number,
      title: incident.title,
      severity: incident.severity,
      channelId: incident.channel_id,
      isPrivate: incident.is_private,
    });
  }
  return {
    viewerId,
    today,
    items: [...overdue, ...rest],
    overdueCount: overdue.length,
    moreItems: itemRows.length > HOME_LIST_MAX,
    postmortems: postmortems.map((p) => ({
      incidentId: p.incident_id,
      incidentNumber: p.number,
      incidentTitle: p.is_private ? null : p.title,
      status: p.status,
      dueDate: p.due_date,
    })),
    incidents: visible,
  };
}
