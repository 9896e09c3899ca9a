import { WebClient } from '@slack/web-api';
import type { Actor } from '../domain/permissions';

/** What Debrief needs to know about a Slack user. */
export interface SlackUser {
  id: string;
  /** IANA zone from Slack, or null when the user has none (taken as UTC). */
  timeZone: string | null;
  isGuest: boolean;
  isBot: boolean;
  deleted: boolean;
  teamId: string | null;
  enterpriseId: string | null;
}

const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * users.info with a short-lived cache: time zones and guest flags rarely change, and every command
 * needs them, so looking them up on each event would spend Slack's rate limit for nothing.
 */
export class UserDirectory {
  private readonly cache = new Map<string, { user: SlackUser; expiresAt: number }>();
  private readonly lookupClients = new Map<string, WebClient>();

  constructor(
    private readonly slackApiUrl: string,
    private readonly ttlMs: number = DEFAULT_TTL_MS,
  ) {}

  async lookup(client: WebClient, teamId: string, userId: string): Promise<SlackUser> {
    const key = `${teamId}:${userId}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.user;
    const response = await this.lookupClient(client).users.info({ user: userId });
    const info = response.user;
    const user: SlackUser = {
      id: userId,
      timeZone: info?.tz || null,
      isGuest: Boolean(info?.is_restricted || info?.is_ultra_restricted),
      isBot: Boolean(info?.is_bot),
      deleted: Boolean(info?.deleted),
      teamId: info?.team_id ?? null,
      enterpriseId: info?.enterprise_user?.enterprise_id ?? null,
    };
    this.cache.set(key, { user, expiresAt: Date.now() + this.ttlMs });
    return user;
  }

  /**
   * Lookups run before Slack's 3-second acknowledgement, so they fail fast on a rate limit (and the
   * user is told to retry) instead of waiting out a Retry-After the request cannot afford.
   */
  private lookupClient(client: WebClient): WebClient {
    const token = client.token ?? '';
    let lookup = this.lookupClients.get(token);
    if (!lookup) {
      lookup = new WebClient(token, {
        slackApiUrl: this.slackApiUrl,
        timeout: 2_500,
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
      });
      this.lookupClients.set(token, lookup);
    }
    return lookup;
  }

  /**
   * The user as an Actor of the workspace. Slack Connect users belong to another team; on Enterprise
   * Grid a user of a sibling workspace in the same organisation is not external.
   */
  async actor(
    client: WebClient,
    workspace: { teamId: string; enterpriseId?: string | null },
    userId: string,
  ): Promise<Actor & SlackUser> {
    const user = await this.lookup(client, workspace.teamId, userId);
    const sameTeam = user.teamId === null || user.teamId === workspace.teamId;
    const sameOrg = Boolean(workspace.enterpriseId) && user.enterpriseId === workspace.enterpriseId;
    return { ...user, userId, isExternal: !sameTeam && !sameOrg };
  }
}
