package dev.sluice.aggregator;

/**
 * Keys of the time-index stores: 13 zero-padded digits of epoch milliseconds followed by the
 * request id. Their byte order is time order, so one range scan finds everything due by now.
 */
final class TimeIndexKey {
    static final int DIGITS = 13;

    private TimeIndexKey() {}

    static String of(long epochMs, String requestId) {
        String digits = Long.toString(Math.max(0, epochMs)); // String.format was a visible cost per record
        return "0".repeat(Math.max(0, DIGITS - digits.length())) + digits + requestId;
    }

    /** Lowest possible key. */
    static String first() {
        return of(0, "");
    }

    /**
     * Inclusive upper bound of a scan for keys due at or before {@code epochMs}: the bare time
     * prefix of the next millisecond sorts after every key of {@code epochMs} and before every
     * key of a later time (request ids are never empty).
     */
    static String dueBy(long epochMs) {
        return of(epochMs + 1, "");
    }

    static String requestId(String key) {
        return key.substring(DIGITS);
    }
}
