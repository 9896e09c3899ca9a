import { z } from 'zod';
import type { JsonObject } from '../types';
import type { Workspace } from '../workspace';
import { type MethodSpec, method } from './arguments';

function authTest(ws: Workspace): JsonObject {
  const { config } = ws;
  const enterprise = ws.caller?.enterprise;
  if (enterprise !== undefined) {
    // An org-wide install's token speaks for the organisation: its id stands where the team's would.
    return {
      url: `https://${enterprise.id.toLowerCase()}.enterprise.slack.com/`,
      team: enterprise.name,
      user: config.botName,
      team_id: enterprise.id,
      user_id: config.botUserId,
      bot_id: config.botId,
      enterprise_id: enterprise.id,
      is_enterprise_install: true,
    };
  }
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
