/**
 * Slack's rate limits, per method and workspace, as token buckets on Slack's clock: each tier's
 * documented calls per minute refill the bucket, and a burst of up to `burst` calls goes through
 * at once. Past that Slack answers HTTP 429 with `Retry-After`. A burst of twice a minute's calls
 * (30 posts in one channel) is looser than Slack, so that ordinary tests never meet a limit (the
 * e2e suite peaks at 17 conversations.create and 13 posts in one channel), while a runaway loop does.
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

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly now: () => number,
    private readonly limits: Record<RateTier, RateLimit> = RATE_LIMITS,
  ) {}

  /** Takes one call from the bucket of `key`; answers the seconds to wait when it is empty, else 0. */
  take(key: string, tier: RateTier): number {
    const { burst, perMinute } = this.limits[tier];
    const perMs = perMinute / 60_000;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }
}
