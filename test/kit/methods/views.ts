import { z } from 'zod';
import { fail, invalidArguments } from '../slack-errors';
import type { JsonObject, RecordedView } from '../types';
import { viewJson } from '../wire-shapes';
import type { ViewRecord, Workspace } from '../workspace';
import { checkView, jsonValue, type MethodSpec, method, optionalString } from './arguments';

function recordView(ws: Workspace, view: ViewRecord, via: RecordedView['via']): JsonObject {
  const json = viewJson(ws, view);
  ws.openedViews.push({
    viewId: view.id,
    ...(view.userId && { userId: view.userId }),
    view: json,
    at: new Date(ws.now()),
    via,
  });
  return json;
}

function viewsOpen(ws: Workspace, args: { trigger_id?: string; view?: unknown }): JsonObject {
  const input = checkView(args.view, ['modal']);
  const trigger = ws.consumeTrigger(args.trigger_id);
  const view = ws.storeView(input, trigger.context.userId);
  return { view: recordView(ws, view, 'views.open') };
}

function findView(ws: Workspace, viewId: string | undefined, externalId: string | undefined): ViewRecord {
  if (viewId) return ws.views.get(viewId) ?? fail('not_found');
  if (externalId) return [...ws.views.values()].find((v) => v.externalId === externalId) ?? fail('not_found');
  invalidArguments(['missing required field: view_id']);
}

function viewsUpdate(
  ws: Workspace,
  args: { view_id?: string; external_id?: string; hash?: string; view?: unknown },
): JsonObject {
  const record = findView(ws, args.view_id, args.external_id);
  const input = checkView(args.view, [record.type]);
  if (args.hash !== undefined && args.hash !== '' && args.hash !== record.hash) fail('hash_conflict');
  record.input = input;
  record.hash = ws.newViewHash();
  return { view: recordView(ws, record, 'views.update') };
}

/** A user's Home tab: one view per user, replaced on each publish (a stale `hash` is refused). */
function viewsPublish(ws: Workspace, args: { user_id?: string; hash?: string; view?: unknown }): JsonObject {
  const input = checkView(args.view, ['home']);
  const user = ws.users.get(args.user_id ?? '') ?? invalidArguments(['invalid user_id [json-pointer:/user_id]']);
  const current = ws.views.get(ws.homes.get(user.id) ?? '');
  if (current && args.hash !== undefined && args.hash !== '' && args.hash !== current.hash) fail('hash_conflict');
  const view = current ?? ws.storeView(input, user.id);
  view.input = input;
  view.hash = ws.newViewHash();
  ws.homes.set(user.id, view.id);
  return { view: recordView(ws, view, 'views.publish') };
}

// views.* need no scope: the trigger id or the view id is the permission.
export const VIEWS_METHODS: Record<string, MethodSpec> = {
  'views.open': method(
    { scope: undefined, tier: 4 },
    z.object({ trigger_id: optionalString, view: jsonValue }),
    viewsOpen,
  ),
  'views.update': method(
    { scope: undefined, tier: 4 },
    z.object({ view_id: optionalString, external_id: optionalString, hash: optionalString, view: jsonValue }),
    viewsUpdate,
  ),
  'views.publish': method(
    { scope: undefined, tier: 4 },
    z.object({ user_id: optionalString, hash: optionalString, view: jsonValue }),
    viewsPublish,
  ),
};
