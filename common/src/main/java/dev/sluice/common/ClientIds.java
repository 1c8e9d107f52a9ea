package dev.sluice.common;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kafka {@code client.id}s that name the component a client belongs to ({@code sluice-gateway-results-1}),
 * so that broker logs, quotas and client metrics say whose it is, rather than {@code consumer-null-1}.
 * Numbered per name within the JVM, since two clients with one id clash in JMX.
 */
public final class ClientIds {
    private static final Map<String, AtomicInteger> COUNTERS = new ConcurrentHashMap<>();

    private ClientIds() {}

    /** {@code sluice-<name>-<n>}, n counting from 1 per name. */
    public static String of(String name) {
        return "sluice-" + name + "-" + COUNTERS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
    }
}
