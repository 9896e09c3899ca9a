/** OAuth v2: the code exchange (oauth.v2.access) that turns an approved install into a bot token. */

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fail } from './slack-errors';
import type { JsonObject } from './types';
import { randomHex, type Workspace } from './workspace';

export const OAUTH_V2_ACCESS = 'oauth.v2.access';
/** Slack's codes are good for ten minutes, once. */
export const OAUTH_CODE_TTL_MS = 10 * 60 * 1000;

/** The app's credentials: HTTP Basic auth (what Slack recommends) or client_id / client_secret fields. */
export function clientCredentials(request: IncomingMessage, args: JsonObject): { id?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  }
  return {
    ...(typeof args.client_id === 'string' && { id: args.client_id }),
    ...(typeof args.client_secret === 'string' && { secret: args.client_secret }),
  };
}

/** OAuth 2 form-encodes the client id and secret before Basic auth; a malformed escape is kept as is. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** A bot token in Slack's shape: xoxb-<digits>-<digits>-<24 letters and digits>. */
function newBotToken(ws: Workspace): string {
  const digits = () =>
    String(Number.parseInt(randomHex(5), 16))
      .padStart(12, '0')
      .slice(0, 12);
  const secret = randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 24)
    .padEnd(24, 'x');
  return `xoxb-${ws.teamNumber()}${digits()}-${digits()}-${secret}`;
}

/**
 * oauth.v2.access: exchanges a code from issueOAuthCode for a bot token, answering as Slack does for a
 * bot-only install (no user scopes, so authed_user carries only the installer's id). Only the
 * authorization_code grant: the stand-in has no token rotation.
 */
export function oauthV2Access(ws: Workspace, client: { id?: string; secret?: string }, args: JsonObject): JsonObject {
  const { config } = ws;
  if (config.clientId === undefined || client.id !== config.clientId) fail('invalid_client_id');
  if (client.secret !== config.clientSecret) fail('bad_client_secret');
  if (args.grant_type !== undefined && args.grant_type !== 'authorization_code') fail('invalid_grant_type');
  const code = typeof args.code === 'string' ? ws.oauthCodes.get(args.code) : undefined;
  if (!code || code.used || ws.now() - code.issuedAt > OAUTH_CODE_TTL_MS) fail('invalid_code');
  const redirectUri = typeof args.redirect_uri === 'string' && args.redirect_uri !== '' ? args.redirect_uri : undefined;
  if (code.redirectUri !== undefined && redirectUri !== code.redirectUri) fail('bad_redirect_uri');
  code.used = true;
  const token = newBotToken(ws);
  ws.issuedTokens.set(token, {
    label: `oauth #${ws.issuedTokens.size + 1}`,
    installerId: code.userId,
    scopes: code.scopes,
    revoked: false,
    ...(code.enterprise !== undefined && { enterprise: code.enterprise }),
  });
  const common = {
    app_id: config.appId,
    authed_user: { id: code.userId },
    scope: code.scopes.join(','),
    token_type: 'bot',
    access_token: token,
    bot_user_id: config.botUserId,
  };
  if (code.enterprise !== undefined) {
    // An org-wide install belongs to the organisation: no team (Slack's real answer).
    return { ...common, team: null, enterprise: code.enterprise, is_enterprise_install: true };
  }
  return {
    ...common,
    team: { id: config.teamId, name: config.teamName },
    enterprise: config.enterpriseId === undefined ? null : { id: config.enterpriseId, name: 'Enterprise' },
    is_enterprise_install: false,
  };
}
