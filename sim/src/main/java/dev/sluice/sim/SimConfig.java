package dev.sluice.sim;

import dev.sluice.decision.policy.AdmissionControl;
import dev.sluice.decision.trace.RateTrace;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One simulated deployment and workload.
 *
 * @param task the task every request asks for
 * @param trace offered load, requests/s against seconds from the first arrival
 * @param peakRate the trace's peak, the rate Poisson thinning draws at (as {@code bench policies})
 * @param durationS arrivals stop here
 * @param deadlineMs every request's deadline, from its creation
 * @param floors accuracy floors, assigned to requests in turn (as {@code bench policies})
 * @param tiers Tolerance Tiers names assigned in turn; empty: none (as {@code bench policies})
 * @param priorities priorities assigned in turn; empty: all 0
 * @param replicas executor replicas per variant (variants absent get none and never serve)
 * @param partitionsPerReplica task-topic partitions each replica consumes
 * @param statusIntervalMs how often each replica publishes its status (the executors' 200 ms)
 * @param statusStaleMs when the selector's load view drops a silent replica (the selector's 2 s)
 * @param capacity tasks a replica's batcher holds (the executors' 512)
 * @param aggregatorTickMs the aggregator's punctuation period: deadlines are noticed on it (10 ms)
 * @param graceMs how long past a deadline the aggregator waits for missing members (0)
 * @param overheadMs what the selector budgets for the Kafka hops (bench policies: 50 ms under exactly-once-results)
 * @param cancellations whether early answers cancel queued member tasks (on, as in {@code up})
 * @param admitted policies wrapped in admission control
 * @param admission admission control's settings
 * @param warmupS virtual time before the first arrival: executors report their status, nothing is sent
 * @param feedback whether the client sends ground truth back (bandits learn from it), as {@code bench policies}
 * @param poisson Poisson arrivals (as {@code bench policies}); false: evenly paced ({@code ArrivalSchedule}, as {@code up})
 * @param answerMarginMs the executors' answer margin: a task that its batch plus this cannot bring
 *     in by its deadline is answered DEADLINE_EXCEEDED instead of run (the executors' 25 ms)
 */
public record SimConfig(String task, RateTrace trace, double peakRate, double durationS, long deadlineMs, List<Double> floors,
                        List<String> tiers, List<Integer> priorities, Map<String, Integer> replicas, int partitionsPerReplica,
                        long statusIntervalMs, long statusStaleMs, int capacity, long aggregatorTickMs, long graceMs,
                        double overheadMs, boolean cancellations, Set<String> admitted, AdmissionControl.Config admission,
                        double warmupS, boolean feedback, boolean poisson, double answerMarginMs) {
    /** The executors' default answer margin. */
    public static final double DEFAULT_ANSWER_MARGIN_MS = dev.sluice.decision.batch.DeadlineBatcher.DEFAULT_ANSWER_MARGIN_MS;

    public SimConfig {
        if (!(answerMarginMs >= 0)) {
            throw new IllegalArgumentException("the answer margin must be >= 0 ms, got " + answerMarginMs);
        }
        floors = floors.isEmpty() ? List.of(0.0) : List.copyOf(floors);
        tiers = List.copyOf(tiers);
        priorities = List.copyOf(priorities);
        replicas = Map.copyOf(replicas);
        admitted = Set.copyOf(admitted);
        if (durationS <= 0 || peakRate <= 0) {
            throw new IllegalArgumentException("need a positive duration and peak rate");
        }
        if (partitionsPerReplica < 1 || statusIntervalMs < 1 || statusStaleMs < 1 || aggregatorTickMs < 1) {
            throw new IllegalArgumentException("partitions, status interval, staleness and tick must be positive");
        }
        if (replicas.values().stream().anyMatch(n -> n < 0)) {
            throw new IllegalArgumentException("replica counts must be >= 0: " + replicas);
        }
    }

    /** The production defaults around {@code bench policies}' request mix. */
    public static SimConfig of(String task, RateTrace trace, double peakRate, double durationS, long deadlineMs,
            List<Double> floors, Map<String, Integer> replicas) {
        return new SimConfig(task, trace, peakRate, durationS, deadlineMs, floors, List.of(), List.of(), replicas, 1, 200,
                2_000, 512, 10, 0, 50, true, Set.of(), AdmissionControl.Config.DEFAULTS, 1.0, true, true,
                DEFAULT_ANSWER_MARGIN_MS);
    }

    public SimConfig withReplicas(Map<String, Integer> r) {
        return new SimConfig(task, trace, peakRate, durationS, deadlineMs, floors, tiers, priorities, r, partitionsPerReplica,
                statusIntervalMs, statusStaleMs, capacity, aggregatorTickMs, graceMs, overheadMs, cancellations, admitted,
                admission, warmupS, feedback, poisson, answerMarginMs);
    }

    public SimConfig withTrace(RateTrace t, double peak) {
        return new SimConfig(task, t, peak, durationS, deadlineMs, floors, tiers, priorities, replicas, partitionsPerReplica,
                statusIntervalMs, statusStaleMs, capacity, aggregatorTickMs, graceMs, overheadMs, cancellations, admitted,
                admission, warmupS, feedback, poisson, answerMarginMs);
    }

    public SimConfig withStatus(long intervalMs, long staleMs) {
        return new SimConfig(task, trace, peakRate, durationS, deadlineMs, floors, tiers, priorities, replicas,
                partitionsPerReplica, intervalMs, staleMs, capacity, aggregatorTickMs, graceMs, overheadMs, cancellations,
                admitted, admission, warmupS, feedback, poisson, answerMarginMs);
    }

    public SimConfig withOverheadMs(double ms) {
        return new SimConfig(task, trace, peakRate, durationS, deadlineMs, floors, tiers, priorities, replicas,
                partitionsPerReplica, statusIntervalMs, statusStaleMs, capacity, aggregatorTickMs, graceMs, ms, cancellations,
                admitted, admission, warmupS, feedback, poisson, answerMarginMs);
    }

    public SimConfig withMix(List<String> t, List<Integer> p) {
        return new SimConfig(task, trace, peakRate, durationS, deadlineMs, floors, t, p, replicas, partitionsPerReplica,
                statusIntervalMs, statusStaleMs, capacity, aggregatorTickMs, graceMs, overheadMs, cancellations, admitted,
                admission, warmupS, feedback, poisson, answerMarginMs);
    }

    public SimConfig withAdmission(Set<String> names) {
        return new SimConfig(task, trace, peakRate, durationS, deadlineMs, floors, tiers, priorities, replicas,
                partitionsPerReplica, statusIntervalMs, statusStaleMs, capacity, aggregatorTickMs, graceMs, overheadMs,
                cancellations, names, admission, warmupS, feedback, poisson, answerMarginMs);
    }

    public SimConfig withWarmupS(double s) {
        return new SimConfig(task, trace, peakRate, durationS, deadlineMs, floors, tiers, priorities, replicas,
                partitionsPerReplica, statusIntervalMs, statusStaleMs, capacity, aggregatorTickMs, graceMs, overheadMs,
                cancellations, admitted, admission, s, feedback, poisson, answerMarginMs);
    }

    /** Evenly paced arrivals instead of Poisson (hand-checkable runs). */
    public SimConfig withEvenArrivals() {
        return new SimConfig(task, trace, peakRate, durationS, deadlineMs, floors, tiers, priorities, replicas,
                partitionsPerReplica, statusIntervalMs, statusStaleMs, capacity, aggregatorTickMs, graceMs, overheadMs,
                cancellations, admitted, admission, warmupS, feedback, false, answerMarginMs);
    }

    public SimConfig withAnswerMarginMs(double ms) {
        return new SimConfig(task, trace, peakRate, durationS, deadlineMs, floors, tiers, priorities, replicas,
                partitionsPerReplica, statusIntervalMs, statusStaleMs, capacity, aggregatorTickMs, graceMs, overheadMs,
                cancellations, admitted, admission, warmupS, feedback, poisson, ms);
    }

    public int totalReplicas() {
        return replicas.values().stream().mapToInt(Integer::intValue).sum();
    }
}
