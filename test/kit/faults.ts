/** Fault injection: a test makes the next call(s) to a method fail or answer slowly. */
import type { HttpAnswer } from './http';
import type { FailureSpec } from './types';

interface Fault {
  failure?: FailureSpec & { remaining: number };
  delay?: { ms: number; remaining: number };
}

export class FaultInjector {
  private readonly faults = new Map<string, Fault>();

  failNext(name: string, failure: FailureSpec): void {
    const fault = this.faults.get(name) ?? {};
    fault.failure = { ...failure, remaining: failure.times ?? 1 };
    this.faults.set(name, fault);
  }

  delayNext(name: string, ms: number, times = 1): void {
    const fault = this.faults.get(name) ?? {};
    fault.delay = { ms, remaining: times };
    this.faults.set(name, fault);
  }

  /** Waits out a pending delay, then answers with a pending failure, if any. */
  async apply(name: string): Promise<HttpAnswer | undefined> {
    const fault = this.faults.get(name);
    if (fault?.delay && fault.delay.remaining > 0) {
      fault.delay.remaining -= 1;
      await new Promise((resolve) => setTimeout(resolve, fault.delay!.ms));
    }
    const failure = fault?.failure;
    if (!failure || failure.remaining <= 0) return undefined;
    failure.remaining -= 1;
    const status = failure.status ?? (failure.error === 'ratelimited' ? 429 : 200);
    const retryAfter = failure.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
    return {
      status,
      body: { ok: false, error: failure.error },
      ...(retryAfter !== undefined && { headers: { 'retry-after': String(retryAfter) } }),
    };
  }

  clear(): void {
    this.faults.clear();
  }
}
