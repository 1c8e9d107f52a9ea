package dev.sluice.common;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every Sluice Streams app does when a stream thread dies of an exception that no record
 * handler took (a broker or authorisation problem, a bug): replace the thread, a few times, then
 * shut the client down so the component's health goes {@link Health.Status#DOWN} and a standalone
 * component exits non-zero for its orchestrator to restart it with back-off. Replacing without
 * a bound would spin on a failure that repeats on every attempt; shutting down at once would turn a
 * passing fault into a restart.
 *
 * <p>Record-level failures never reach here: undecodable input, outputs too large or
 * unserialisable and exceptions in processing are dead-lettered by the apps' deserialisation,
 * production and processing handlers, so a restarted component does not die on the same record.
 */
public final class StreamsThreadPolicy implements StreamsUncaughtExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(StreamsThreadPolicy.class);
    /** Default: at most this many thread replacements ... */
    public static final int DEFAULT_MAX_REPLACEMENTS = 3;
    /** ... within this window, before the client is shut down. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

    private final String component;
    private final int maxReplacements;
    private final long windowMs;
    private final LongSupplier clock;
    private final Deque<Long> replacements = new ArrayDeque<>();

    public StreamsThreadPolicy(String component, int maxReplacements, Duration window, LongSupplier clock) {
        this.component = component;
        this.maxReplacements = maxReplacements;
        this.windowMs = window.toMillis();
        this.clock = clock;
    }

    public StreamsThreadPolicy(String component) {
        this(component, DEFAULT_MAX_REPLACEMENTS, DEFAULT_WINDOW, System::currentTimeMillis);
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = clock.getAsLong();
        while (!replacements.isEmpty() && replacements.peekFirst() <= now - windowMs) {
            replacements.pollFirst();
        }
        if (replacements.size() >= maxReplacements) {
            log.error("{} stream thread failed for the {} time within {} s; shutting the Kafka Streams client down "
                    + "(health goes DOWN; a standalone component exits non-zero)", component, maxReplacements + 1,
                    windowMs / 1000, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        log.error("{} stream thread failed; replacing it ({} of {} replacements within {} s)", component,
                replacements.size(), maxReplacements, windowMs / 1000, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
