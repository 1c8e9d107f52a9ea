package dev.sluice.launcher;

import dev.sluice.bench.OutcomesCsv;
import dev.sluice.decision.aggregate.StageTimes;
import dev.sluice.sim.SimOutcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulator's requests of one seed, kept to be written in the columns of {@code bench
 * policies --requests-csv} ({@code sim --requests-csv}). Runs of several policies add to it from
 * their own threads.
 */
final class RequestLog implements SimOutcome.Log {
    private final long seed;
    private final Map<String, List<SimOutcome>> byPolicy = new ConcurrentHashMap<>();

    RequestLog(long seed) {
        this.seed = seed;
    }

    @Override
    public boolean wants(long s) {
        return s == seed;
    }

    @Override
    public void add(SimOutcome o) {
        byPolicy.computeIfAbsent(o.policy(), p -> Collections.synchronizedList(new ArrayList<>())).add(o);
    }

    /** The header and every kept request, policies in {@code order} (then any others), each in the order it was sent. */
    String csv(List<String> order) {
        StringBuilder b = new StringBuilder(OutcomesCsv.HEADER).append('\n');
        List<String> policies = new ArrayList<>(order);
        byPolicy.keySet().stream().filter(p -> !policies.contains(p)).sorted().forEach(policies::add);
        for (String p : policies) {
            List<SimOutcome> rows = new ArrayList<>(byPolicy.getOrDefault(p, List.of()));
            rows.sort(Comparator.comparingLong(SimOutcome::sentMs).thenComparing(SimOutcome::requestId));
            for (SimOutcome o : rows) {
                StageTimes l = o.latency();
                OutcomesCsv.row(b, o.policy(), o.requestId(), o.sentMs(), o.deadlineMs(), o.receivedMs() < 0 ? null : o.receivedMs(),
                        o.status(), o.onTime(), o.receivedMs() < 0 ? null : o.label(), o.trueLabel(),
                        o.variants(), l == null ? null : new double[] {l.ingestMs(), l.selectMs(), l.queueMs(), l.computeMs(),
                                l.aggregateMs()}, o.reason());
            }
        }
        return b.toString();
    }
}
