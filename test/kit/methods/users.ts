import { z } from 'zod';
import type { JsonObject } from '../types';
import { userJson } from '../wire-shapes';
import type { Workspace } from '../workspace';
import { type MethodSpec, method, optionalString } from './arguments';

function usersInfo(ws: Workspace, args: { user?: string }): JsonObject {
  return { user: userJson(ws, ws.requireUser(args.user)) };
}

export const USERS_METHODS: Record<string, MethodSpec> = {
  'users.info': method({ scope: 'users:read', tier: 4 }, z.object({ user: optionalString }), usersInfo),
};
