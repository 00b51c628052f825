/**
 * API Gateway's request throttling: a token bucket per stage, refilled at `rateLimitPerSec` up to
 * `burstLimit` tokens; a request that finds the bucket empty is answered 429 "Too Many Requests" without
 * reaching the integration. The defaults are AWS's account-level quota per Region (10,000 requests per
 * second, burst 5,000); a template's stage throttling lowers them.
 */
export interface ThrottleLimits {
  rateLimitPerSec: number;
  burstLimit: number;
}

export const ACCOUNT_THROTTLE_LIMITS = {
  rateLimitPerSec: 10_000,
  burstLimit: 5_000,
} as const satisfies ThrottleLimits;

export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  constructor(
    private readonly limits: ThrottleLimits,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.tokens = limits.burstLimit;
    this.lastMs = nowMs();
  }

  /** Takes one token; false when the bucket is empty (throttle the request). */
  take(): boolean {
    const now = this.nowMs();
    const refill = ((now - this.lastMs) / 1000) * this.limits.rateLimitPerSec;
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + refill);
    this.lastMs = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
