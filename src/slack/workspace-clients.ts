import type { InstallationStore } from '@slack/bolt';
import { ErrorCode, type WebAPIRequestError, WebClient, type WebClientOptions } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { WorkspaceAddress } from '../services/slack-port';
import { slackHttp } from './http';

/** Connection failures that mean the request never reached Slack: sending it again cannot do anything twice. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * A request that may have reached Slack — it timed out, or the connection dropped after it was sent —
 * is not sent again: Slack may have done it, and a second chat.postMessage is a duplicate post.
 * p-retry rejects with what this throws (the same error), instead of retrying.
 */
function retryOnlyWhatSlackRefused(error: Error): void {
  if ((error as { code?: string }).code !== ErrorCode.RequestError) return;
  const original = (error as WebAPIRequestError).original as { code?: string; cause?: { code?: string } } | undefined;
  const code = original?.cause?.code ?? original?.code;
  if (code !== undefined && NEVER_SENT.has(code)) return;
  throw error;
}

/**
 * Slack's Web API answers within seconds or not at all; 429 and 5xx are retried, honouring Retry-After
 * (SPEC 8), and so is a connection that never opened; a timeout is not (see retryOnlyWhatSlackRefused).
 */
export const WEB_API_CLIENT_OPTIONS = {
  timeout: 10_000,
  retryConfig: {
    retries: 3,
    factor: 2,
    minTimeout: 1_000,
    maxTimeout: 10_000,
    onFailedAttempt: retryOnlyWhatSlackRefused,
  },
} as const;

/**
 * Calls made before Slack's 3-second acknowledgement (users.info for the actor) fail fast on a rate
 * limit instead of waiting out a Retry-After the request cannot afford; the caller is told to retry.
 */
const FAST_FAIL_OPTIONS = { timeout: 2_500, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } } as const;

/**
 * A message that must go out at most once (the reminder digest): no retry of any kind, so a 429 or a
 * timeout comes back to the caller, who decides (SPEC 5: claim, send once, then mark sent).
 */
const ONCE_OPTIONS = { timeout: 10_000, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } } as const;

/** Bounds on the clients kept: they hold plaintext tokens, so a rotated or uninstalled one must not linger. */
const MAX_WORKSPACES = 500;
const CLIENT_TTL_MS = 10 * 60_000;

export interface WorkspaceClient {
  /** Retries 429/5xx (honouring Retry-After) and times out after 10 s. */
  standard: WebClient;
  /** No retries and a 2.5 s timeout, for work racing Slack's 3 s deadline. */
  fastFail: WebClient;
  /** No retries (429 included) and a 10 s timeout, for a message that must not be sent twice. */
  once: WebClient;
}

export type TokenSource =
  | { kind: 'single'; botToken: string }
  | { kind: 'installations'; store: Pick<InstallationStore, 'fetchInstallation'> };

/**
 * A Web API client for any workspace, inside or outside a Slack request: the one bot token in
 * single-workspace mode, or the stored installation's token in OAuth mode (org-wide installs by
 * organisation). Clients are cached for a few minutes, then the installation is read again.
 */
export class WorkspaceClients {
  private readonly cache = new LRUCache<string, WorkspaceClient>({ max: MAX_WORKSPACES, ttl: CLIENT_TTL_MS });

  constructor(
    private readonly tokens: TokenSource,
    private readonly slackApiUrl: string,
    /** Shared by every client: the logger, and a fetch that counts calls for /metrics. */
    private readonly shared: Pick<WebClientOptions, 'logger' | 'fetch'> = {},
  ) {}

  async clientFor(workspace: WorkspaceAddress): Promise<WorkspaceClient> {
    const key = addressKey(workspace);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const token = await this.tokenFor(workspace);
    const client = {
      standard: this.build(token, WEB_API_CLIENT_OPTIONS),
      fastFail: this.build(token, FAST_FAIL_OPTIONS),
      once: this.build(token, ONCE_OPTIONS),
    };
    this.cache.set(key, client);
    return client;
  }

  /** Forgets a workspace's client, e.g. when its installation is deleted. */
  forget(workspace: WorkspaceAddress): void {
    this.cache.delete(addressKey(workspace));
  }

  private async tokenFor(workspace: WorkspaceAddress): Promise<string> {
    if (this.tokens.kind === 'single') return this.tokens.botToken;
    const installation = await this.tokens.store.fetchInstallation({
      teamId: workspace.isEnterpriseInstall ? undefined : (workspace.teamId ?? undefined),
      enterpriseId: workspace.enterpriseId ?? undefined,
      isEnterpriseInstall: workspace.isEnterpriseInstall,
    });
    const token = installation.bot?.token;
    if (!token) throw new Error('the stored installation has no bot token; install Debrief again at /slack/install');
    return token;
  }

  private build(token: string, options: WebClientOptions): WebClient {
    return new WebClient(token, { slackApiUrl: this.slackApiUrl, fetch: slackHttp, ...this.shared, ...options });
  }
}

/** One key per installation: the organisation for org-wide installs, the team otherwise. */
export function addressKey(workspace: WorkspaceAddress): string {
  return workspace.isEnterpriseInstall ? `E:${workspace.enterpriseId ?? ''}` : `T:${workspace.teamId ?? ''}`;
}
