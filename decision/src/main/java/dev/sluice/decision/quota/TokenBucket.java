package dev.sluice.decision.quota;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, at most {@code burst} held. Each admitted
 * request takes one. Pure and clock-free: the caller passes the time of every call, so the same
 * bucket runs on the wall clock in the selector and on a virtual clock in tests and the simulator.
 *
 * <p>A bucket starts full, so a tenant that has been quiet may send {@code burst} requests at once.
 * Time that goes backwards (an earlier {@code nowMs} than the last one) adds nothing. Not
 * thread-safe; {@link TenantQuotas} guards its buckets.
 */
public final class TokenBucket {
    private final double ratePerMs;
    private final double burst;
    private double tokens;
    private long lastMs;

    /**
     * @param ratePerSecond sustained rate, above 0 and finite
     * @param burst tokens held at most, at least 1
     * @param nowMs the time of creation (the bucket starts full)
     */
    public TokenBucket(double ratePerSecond, double burst, long nowMs) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of requests/s, got " + ratePerSecond);
        }
        if (!(burst >= 1) || Double.isInfinite(burst)) {
            throw new IllegalArgumentException("burst must be at least 1, got " + burst);
        }
        this.ratePerMs = ratePerSecond / 1000.0;
        this.burst = burst;
        this.tokens = burst;
        this.lastMs = nowMs;
    }

    /** Takes one token if there is one at {@code nowMs}; false (and nothing taken) when the bucket is empty. */
    public boolean tryTake(long nowMs) {
        refill(nowMs);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Tokens held at {@code nowMs} (after the refill up to then). */
    public double tokens(long nowMs) {
        refill(nowMs);
        return tokens;
    }

    /** Milliseconds from {@code nowMs} until a token is there (0 if one is). */
    public long msUntilToken(long nowMs) {
        refill(nowMs);
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / ratePerMs);
    }

    private void refill(long nowMs) {
        if (nowMs > lastMs) {
            tokens = Math.min(burst, tokens + (nowMs - lastMs) * ratePerMs);
            lastMs = nowMs;
        }
    }
}
