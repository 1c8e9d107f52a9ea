package dev.sluice.ingest.load;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.decision.trace.ArrivalSchedule;
import dev.sluice.decision.trace.PoissonSchedule;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.decision.trace.Schedule;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LabelledSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Replays Fashion-MNIST test images as requests following a rate trace, open loop, and
 * collects what comes back into a {@link RunSummary}.
 */
public final class LoadRunner {
    /**
     * What to send: how many, at what pace, with which deadline and accuracy floor. {@code repeat}:
     * which sample each request carries (null: the samples in turn; else Zipf-distributed repeats,
     * {@link ZipfRepeats}); {@code parameters}: request parameters every request carries (e.g.
     * {@code cache=off}).
     */
    public record Options(int requests, RateTrace trace, long deadlineMs, List<Double> minAccuracy, String policy,
            String task, long drainTimeoutMs, Long poissonSeed, double peakRate, boolean feedback, Repeat repeat,
            Map<String, String> parameters) {
        public Options {
            minAccuracy = minAccuracy.isEmpty() ? List.of(0.0) : List.copyOf(minAccuracy);
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        }

        public Options(int requests, RateTrace trace, long deadlineMs, List<Double> minAccuracy, String policy,
                String task, long drainTimeoutMs, Long poissonSeed, double peakRate, boolean feedback) {
            this(requests, trace, deadlineMs, minAccuracy, policy, task, drainTimeoutMs, poissonSeed, peakRate, feedback,
                    null, Map.of());
        }

        public Options withRepeat(Repeat r) {
            return new Options(requests, trace, deadlineMs, minAccuracy, policy, task, drainTimeoutMs, poissonSeed, peakRate,
                    feedback, r, parameters);
        }

        public Options withParameters(Map<String, String> p) {
            return new Options(requests, trace, deadlineMs, minAccuracy, policy, task, drainTimeoutMs, poissonSeed, peakRate,
                    feedback, repeat, p);
        }

        /** Evenly paced arrivals. */
        public Options(int requests, RateTrace trace, long deadlineMs, List<Double> minAccuracy, String policy, String task,
                long drainTimeoutMs) {
            this(requests, trace, deadlineMs, minAccuracy, policy, task, drainTimeoutMs, null, 0, false);
        }

        Schedule schedule() {
            return poissonSeed == null ? new ArrivalSchedule(trace)
                    : new PoissonSchedule(trace, peakRate, new java.util.SplittableRandom(poissonSeed));
        }
    }

    /** Zipf-distributed repeats of the samples: {@code exponent} as {@link ZipfRepeats} takes it, drawn from {@code seed}. */
    public record Repeat(double exponent, long seed) {
        public Repeat {
            if (!(exponent >= 0)) {
                throw new IllegalArgumentException("repeat: the Zipf exponent must be >= 0, got " + exponent);
            }
        }

        /** "EXPONENT" or "EXPONENT:SEED" (seed 1 when left out). */
        public static Repeat parse(String spec) {
            String[] p = spec.split(":");
            return new Repeat(Double.parseDouble(p[0]), p.length > 1 ? Long.parseLong(p[1]) : 1);
        }
    }

    private final SluiceClient client;
    private final LabelledSet data;

    public LoadRunner(SluiceClient client, FashionMnist data) {
        this(client, LabelledSet.images(data));
    }

    /** Over any labelled samples: each request carries every modality of the set, a tensor each. */
    public LoadRunner(SluiceClient client, LabelledSet data) {
        this.client = client;
        this.data = data;
    }

    public List<RequestOutcome> run(Options o, String runId, Consumer<String> progress) {
        List<CompletableFuture<RequestOutcome>> futures = new ArrayList<>(o.requests());
        Schedule schedule = o.schedule();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        long start = System.nanoTime();
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        ZipfRepeats repeats = o.repeat() == null ? null : new ZipfRepeats(data.size(), o.repeat().exponent(), o.repeat().seed());
        int[] images = new int[o.requests()];
        for (int i = 0; i < o.requests(); i++) {
            long due = start + (long) (schedule.next() * 1e9);
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 1_000_000));
            }
            if (now >= nextReport) {
                report(progress, start, i, o.requests(), answered.get(), ok.get());
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
            int image = repeats == null ? i % data.size() : repeats.next();
            images[i] = image;
            long sentAt = System.currentTimeMillis();
            String id = runId + "-" + i;
            InferenceRequest req = InferenceRequest.newBuilder().setId(id).setTask(o.task()).setCreatedAtMs(sentAt)
                    .setDeadlineMs(sentAt + o.deadlineMs()).setMinAccuracy(o.minAccuracy().get(i % o.minAccuracy().size())).setPolicy(o.policy())
                    .setModalities(data.modalities())
                    .setInputs(data.modalities().stream().map(m -> MultimodalRequests.tensor(m, data.sample(m, image))).toList())
                    .setParameters(o.parameters())
                    .build();
            int label = data.label(image);
            long deadline = sentAt + o.deadlineMs();
            futures.add(client.submit(req).thenApply(r -> {
                answered.incrementAndGet();
                if (o.feedback() && r.getLabel() >= 0) {
                    client.sendFeedback(r, label);
                }
                if (r.getStatus() == dev.sluice.avro.ResultStatus.OK) {
                    ok.incrementAndGet();
                }
                return new RequestOutcome(id, label, sentAt, deadline, r, System.currentTimeMillis());
            }));
        }
        client.flush();
        long drainUntil = System.currentTimeMillis() + o.deadlineMs() + o.drainTimeoutMs();
        while (answered.get() < o.requests() && System.currentTimeMillis() < drainUntil) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            if (System.nanoTime() >= nextReport) {
                report(progress, start, o.requests(), o.requests(), answered.get(), ok.get());
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
        }
        report(progress, start, o.requests(), o.requests(), answered.get(), ok.get());
        List<RequestOutcome> out = new ArrayList<>(futures.size());
        for (int i = 0; i < futures.size(); i++) {
            CompletableFuture<RequestOutcome> f = futures.get(i);
            RequestOutcome r = f.getNow(null);
            if (r == null) {
                // never answered: keep the request in the denominators
                out.add(new RequestOutcome(runId + "-" + i, data.label(images[i]), 0, 0, null, 0));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    private static void report(Consumer<String> progress, long start, int sent, int total, int answered, int ok) {
        double t = (System.nanoTime() - start) / 1e9;
        progress.accept(String.format("[%6.1fs] sent %6d/%d  answered %6d  ok %6d  in flight %5d", t, sent, total, answered,
                ok, sent - answered));
    }

    /** For callers that keep the raw results. */
    public static InferenceResult resultOf(RequestOutcome o) {
        return o.result();
    }
}
