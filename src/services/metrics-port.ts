/**
 * What services count, as a port: the composition root hands in prom-client's implementation
 * (src/observability/metrics.ts); services import no metrics library, and tests may pass nothing.
 */

/** A reminder digest: sent, failed (Slack refused, rate-limited, or the outcome is unknown) or skipped. */
export type DigestOutcome = 'sent' | 'failed' | 'skipped';

export interface DigestMetrics {
  /** `reason` is one of a fixed few words (refused, rate_limited, unknown, claimed_elsewhere, no_person). */
  digest(outcome: DigestOutcome, reason?: string, count?: number): void;
}
