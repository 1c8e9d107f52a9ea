package dev.sluice.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The health of every component in one process, each reporting {@link Status#UP},
 * {@link Status#STARTING} or {@link Status#DOWN}. {@code /health} answers 200 only while all are
 * up, and names each one that is not; a standalone component exits non-zero when one is down
 * (a Kafka Streams client that failed or stopped does not come back by itself: an orchestrator
 * must restart the process).
 */
public final class Health {
    /** UP: serving; STARTING: not serving yet, may still come up; DOWN: will not serve again in this process. */
    public enum Status { UP, STARTING, DOWN }

    /** One component's state; {@code detail} says why when not up (may be null when up). */
    public record Report(String component, Status status, String detail) {
        public static Report up(String component) {
            return new Report(component, Status.UP, null);
        }

        @Override
        public String toString() {
            return component + ": " + status + (detail == null ? "" : " (" + detail + ")");
        }
    }

    private final List<Supplier<Report>> checks = new CopyOnWriteArrayList<>();

    /** Adds a component; {@code check} is called on every look and must be cheap and never throw. */
    public Health add(Supplier<Report> check) {
        checks.add(check);
        return this;
    }

    /** Adds a Kafka Streams client by its state ({@link #ofStreams}). */
    public Health streams(String component, Supplier<KafkaStreams.State> state) {
        return add(() -> ofStreams(component, state.get()));
    }

    /**
     * A Streams client's state as health: running or rebalancing is up (rebalancing is part of
     * normal work), created is starting; pending-error, error, pending-shutdown and not-running are
     * down, because nothing in the process restarts a client once it has left running: a
     * component closes its client only on its way out.
     */
    public static Report ofStreams(String component, KafkaStreams.State state) {
        return switch (state) {
            case RUNNING, REBALANCING -> Report.up(component);
            case CREATED -> new Report(component, Status.STARTING, "Kafka Streams client not started");
            case PENDING_ERROR, ERROR -> new Report(component, Status.DOWN,
                    "Kafka Streams client failed (" + state + "); see the log for the exception");
            case PENDING_SHUTDOWN, NOT_RUNNING -> new Report(component, Status.DOWN,
                    "Kafka Streams client stopped (" + state + ")");
        };
    }

    public List<Report> reports() {
        List<Report> out = new ArrayList<>(checks.size());
        for (Supplier<Report> c : checks) {
            out.add(c.get());
        }
        return out;
    }

    /** Whether every component is up (true with no component). */
    public boolean up() {
        return reports().stream().allMatch(r -> r.status() == Status.UP);
    }

    /** The components that are down, for good. */
    public List<Report> down() {
        return reports().stream().filter(r -> r.status() == Status.DOWN).toList();
    }

    /** The body of /health: "ok" then one line per component, or "unhealthy" then the same. */
    public String text() {
        List<Report> reports = reports();
        boolean ok = reports.stream().allMatch(r -> r.status() == Status.UP);
        StringBuilder b = new StringBuilder(ok ? "ok\n" : "unhealthy\n");
        reports.forEach(r -> b.append(r).append('\n'));
        return b.toString();
    }
}
