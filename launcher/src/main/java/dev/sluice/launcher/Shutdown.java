package dev.sluice.launcher;

import dev.sluice.common.Health;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM), or until a component of the process is down for good. */
final class Shutdown {
    /** Exit status of a standalone component one of whose parts died (a Kafka Streams client failed, an executor loop stopped). */
    static final int COMPONENT_DOWN = 3;
    /** How often the health is looked at. */
    static final long CHECK_INTERVAL_MS = 500;
    /** Longest a stop signal waits for the command to close its components. */
    static final long CLOSE_WAIT_S = 60;
    private static final CountDownLatch COMMAND_DONE = new CountDownLatch(1);

    private Shutdown() {}

    static void await(Runnable onStop) {
        await(onStop, new Health());
    }

    /**
     * Waits for a stop signal or for a component of {@code health} to go {@link Health.Status#DOWN},
     * then runs {@code onStop}. A component whose Kafka Streams client died does not come back in
     * this process, so it must not linger, serving nothing: the command returns
     * {@link #COMPONENT_DOWN} and the JVM exits with it, for an orchestrator to restart it.
     *
     * @return 0 when stopped by a signal, {@link #COMPONENT_DOWN} when a component died
     */
    static int await(Runnable onStop, Health health) {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopped.countDown();
            // the JVM halts when the hooks return: wait for the command to close its components
            // (the broker flushes its logs, Streams commits), bounded in case a close hangs
            try {
                if (!COMMAND_DONE.await(CLOSE_WAIT_S, TimeUnit.SECONDS)) {
                    System.err.println("sluice: components still closing after " + CLOSE_WAIT_S + " s; exiting anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sluice-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = waitFor(stopped, health);
        onStop.run();
        return code;
    }

    /** Called by {@link Main} once the command returned (its components closed): a pending shutdown may finish. */
    static void commandDone() {
        COMMAND_DONE.countDown();
    }

    /** Waits for {@code stopped} or a component to go down: 0 for the first, {@link #COMPONENT_DOWN} (reported on stderr) for the second. */
    static int waitFor(CountDownLatch stopped, Health health) {
        try {
            while (!stopped.await(CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS)) {
                List<Health.Report> down = health.down();
                if (!down.isEmpty()) {
                    System.err.println("sluice: " + down.stream().map(Health.Report::toString).collect(Collectors.joining("; "))
                            + "; exiting with status " + COMPONENT_DOWN + " so that a supervisor restarts it");
                    return COMPONENT_DOWN;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
