/**
 * Slack's rate limits, per method and workspace, as token buckets on Slack's clock: each tier's
 * documented calls per minute refill the bucket, and a burst of up to `burst` calls goes through
 * at once. Past that Slack answers HTTP 429 with `Retry-After`. A burst of twice a minute's calls
 * (30 posts in one channel) is looser than Slack, so that ordinary tests never meet a limit (the
 * e2e suite peaks at 17 conversations.create and 13 posts in one channel), while a runaway loop does.
 * chat.postMessage also has a limit across the workspace (WORKSPACE_POSTS): a call goes through only
 * when every bucket it draws on has a call left.
 */
import type { RateTier } from './methods/arguments';

export interface RateLimit {
  /** Calls that may go at once. */
  burst: number;
  /** Sustained calls per minute. */
  perMinute: number;
}

/** Tier 1: 1+/min, Tier 2: 20+/min, Tier 3: 50+/min, Tier 4: 100+/min; chat.postMessage about 1/s per channel. */
export const RATE_LIMITS: Record<RateTier, RateLimit> = {
  1: { burst: 2, perMinute: 1 },
  2: { burst: 40, perMinute: 20 },
  3: { burst: 100, perMinute: 50 },
  4: { burst: 200, perMinute: 100 },
  'per-channel': { burst: 30, perMinute: 60 },
};

/**
 * chat.postMessage's limit across the workspace, on top of the one per channel. Slack's rate-limits
 * page (https://docs.slack.dev/apis/web-api/rate-limits): chat.postMessage "generally allows posting
 * one message per second per channel, while also maintaining a workspace-wide limit", elsewhere
 * "several hundred messages per minute". Here 300 a minute, and a minute's worth at once.
 */
export const WORKSPACE_POSTS: RateLimit = { burst: 300, perMinute: 300 };

/** One bucket a call draws on: its key (method, or method and channel) and that bucket's limit. */
export interface Allowance {
  key: string;
  limit: RateLimit;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number) {}

  /**
   * Takes one call from each of `allowances` when all of them have one left and answers 0; otherwise
   * takes nothing and answers the seconds until every empty one has a call again.
   */
  take(allowances: readonly Allowance[]): number {
    const now = this.now();
    let waitSeconds = 0;
    const refilled = allowances.map(({ key, limit }) => {
      const perMs = limit.perMinute / 60_000;
      const bucket = this.buckets.get(key) ?? { tokens: limit.burst, at: now };
      bucket.tokens = Math.min(limit.burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
      bucket.at = now;
      this.buckets.set(key, bucket);
      if (bucket.tokens < 1) waitSeconds = Math.max(waitSeconds, Math.ceil((1 - bucket.tokens) / perMs / 1000), 1);
      return bucket;
    });
    if (waitSeconds > 0) return waitSeconds;
    for (const bucket of refilled) bucket.tokens -= 1;
    return 0;
  }
}
