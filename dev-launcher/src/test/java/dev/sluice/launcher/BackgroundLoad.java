package dev.sluice.launcher;

import dev.sluice.avro.ResultStatus;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.ingest.load.RequestOutcome;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Steady load in a background thread until stopped: rounds of {@code perRound} requests at
 * {@code rps} through a {@link LoadRunner}, so that rates on /metrics stay above zero while a test
 * looks at them.
 */
final class BackgroundLoad implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;

    private BackgroundLoad(LoadRunner runner, String runId, int perRound, double rps, long deadlineMs) {
        thread = new Thread(() -> {
            try {
                for (int round = 0; !stop.get(); round++) {
                    List<RequestOutcome> outcomes = runner.run(new LoadRunner.Options(perRound, RateTrace.steady(rps), deadlineMs,
                            List.of(0.0), null, "fashion-mnist", 30_000), runId + "-" + round, s -> {});
                    sent.addAndGet(outcomes.size());
                    for (RequestOutcome o : outcomes) {
                        if (o.answered()) {
                            answered.incrementAndGet();
                            if (o.result().getStatus() == ResultStatus.OK) {
                                ok.incrementAndGet();
                            }
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "background-load");
        thread.setDaemon(true);
    }

    static BackgroundLoad start(LoadRunner runner, String runId, int perRound, double rps, long deadlineMs) {
        BackgroundLoad load = new BackgroundLoad(runner, runId, perRound, rps, deadlineMs);
        load.thread.start();
        return load;
    }

    /** Waits until at least {@code n} requests were answered OK; false on timeout or if the load failed. */
    boolean awaitOk(int n, long timeoutMs) throws InterruptedException {
        long until = System.currentTimeMillis() + timeoutMs;
        while (ok.get() < n && failure.get() == null && System.currentTimeMillis() < until) {
            Thread.sleep(100);
        }
        return ok.get() >= n;
    }

    String describe() {
        return "sent " + sent.get() + ", answered " + answered.get() + ", OK " + ok.get()
                + (failure.get() == null ? "" : ", failed: " + failure.get());
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(60_000);
    }
}
