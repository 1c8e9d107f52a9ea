package dev.sluice.decision.quota;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Per-tenant request rates: tenant -> requests/s, each enforced by a {@link TokenBucket} that holds
 * one second's worth (at least one request). A tenant without a configured rate is unlimited
 * (the default for every tenant). The caller passes the time; thread-safe (one instance is shared
 * by every stream task of a selector, so a tenant's rate holds across partitions).
 *
 * <p>Each selector replica enforces the rates on the requests it reads; with N replicas a
 * tenant's requests spread over them by request id, so the cluster-wide rate is up to N times
 * the configured one. Configure rate / N per replica for a cluster-wide limit.
 */
public final class TenantQuotas {
    /** No tenant limited. */
    public static final TenantQuotas UNLIMITED = new TenantQuotas(Map.of());

    /** The answer for one request: admitted, or refused with the reason to tell the client. */
    public record Decision(boolean admitted, String reason) {
        static final Decision ADMIT = new Decision(true, null);
    }

    private final Map<String, Double> rates;
    private final Map<String, TokenBucket> buckets = new HashMap<>();

    /** @param rates requests/s per tenant, each above 0 */
    public TenantQuotas(Map<String, Double> rates) {
        Objects.requireNonNull(rates, "rates");
        rates.forEach((tenant, rate) -> {
            if (tenant == null || tenant.isBlank()) {
                throw new IllegalArgumentException("tenant quota: empty tenant name");
            }
            if (rate == null || !(rate > 0) || rate.isInfinite()) {
                throw new IllegalArgumentException("tenant quota of '" + tenant + "' must be a positive number of requests/s, got "
                        + rate);
            }
        });
        this.rates = Map.copyOf(new TreeMap<>(rates));
    }

    /** "TENANT=RATE" items as a command line gives them, e.g. {@code acme=100}. */
    public static TenantQuotas parse(Iterable<String> specs) {
        Map<String, Double> m = new TreeMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("tenant quota '" + spec + "': expected TENANT=REQUESTS_PER_SECOND");
            }
            double rate;
            try {
                rate = Double.parseDouble(spec.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("tenant quota '" + spec + "': the rate is not a number");
            }
            if (m.put(spec.substring(0, eq).trim(), rate) != null) {
                throw new IllegalArgumentException("tenant quota '" + spec + "': tenant given twice");
            }
        }
        return new TenantQuotas(m);
    }

    /** Whether any tenant is limited. */
    public boolean enabled() {
        return !rates.isEmpty();
    }

    /** The configured rates, by tenant. */
    public Map<String, Double> rates() {
        return rates;
    }

    /** The configured rate of {@code tenant}, if it has one. */
    public Optional<Double> rateOf(String tenant) {
        return Optional.ofNullable(rates.get(tenant));
    }

    /** Admits one request of {@code tenant} at {@code nowMs}, taking a token from its bucket, or says why not. */
    public Decision admit(String tenant, long nowMs) {
        Double rate = rates.get(tenant);
        if (rate == null) {
            return Decision.ADMIT;
        }
        boolean taken;
        long wait;
        synchronized (buckets) {
            TokenBucket b = buckets.computeIfAbsent(tenant, t -> new TokenBucket(rate, Math.max(1, rate), nowMs));
            taken = b.tryTake(nowMs);
            wait = taken ? 0 : b.msUntilToken(nowMs);
        }
        if (taken) {
            return Decision.ADMIT;
        }
        return new Decision(false, "tenant '" + tenant + "' is over its quota of " + format(rate)
                + " requests/s (next request admitted in " + wait + " ms)");
    }

    private static String format(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    @Override
    public String toString() {
        return rates.isEmpty() ? "unlimited" : rates + " requests/s";
    }
}
