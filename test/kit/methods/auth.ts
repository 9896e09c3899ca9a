import { z } from 'zod';
import type { JsonObject } from '../types';
import type { Workspace } from '../workspace';
import { type MethodSpec, method } from './arguments';

function authTest(ws: Workspace): JsonObject {
  const { config } = ws;
  return {
    url: `https://${config.teamDomain}.slack.com/`,
    team: config.teamName,
    user: config.botName,
    team_id: config.teamId,
    user_id: config.botUserId,
    bot_id: config.botId,
    ...(config.enterpriseId !== undefined && { enterprise_id: config.enterpriseId }),
    is_enterprise_install: false,
  };
}

export const AUTH_METHODS: Record<string, MethodSpec> = {
  // auth.test needs no scope; Slack rate-limits it as a special Tier 4-like method.
  'auth.test': method({ scope: undefined, tier: 4 }, z.object({}), authTest),
};
