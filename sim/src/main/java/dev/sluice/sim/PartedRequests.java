package dev.sluice.sim;

import dev.sluice.decision.aggregate.PlanAction;
import dev.sluice.decision.aggregate.PlanView;
import dev.sluice.decision.aggregate.RequestResult;
import dev.sluice.decision.aggregate.RevisionDecider;
import dev.sluice.decision.parts.PartPlanner;
import dev.sluice.decision.policy.Selection;
import dev.sluice.decision.vote.VoteMethod;
import dev.sluice.models.Catalog;
import dev.sluice.sim.hops.HopLatencies.Hop;
import dev.sluice.sim.stats.LatencyHistogram;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;

/**
 * Requests sent in parts ({@link SimParts}) through a {@link Simulation}, with the pipeline's own
 * decision code at each step; only time is simulated:
 *
 * <ul>
 *   <li><b>Client.</b> Part 0 at the request's creation, each next part a drawn gap later, each on
 *       its own request hop; a request's parts share its key, hence a partition, so they reach
 *       the selector in the order sent.
 *   <li><b>Selector</b> ({@code SelectorProcessor.onPart}): {@link PartPlanner#onPart} holds the part
 *       or re-plans; a re-plan decides with the request's policy instance for the modalities
 *       present, on the catalog cut to them, at the floor {@link PartPlanner#floor} gives
 *       ({@link PartPlanner#bestPresent} for a provisional plan); {@link PartPlanner#afterDecision}
 *       says what to send (the plan and the tasks of members not yet dispatched, the previous
 *       members again, a plan without members, nothing, or a rejection), and
 *       {@link PartPlanner#afterHold} / {@link PartPlanner#afterReplan} what is kept for the next
 *       part. A part read after its request's deadline is dropped (the first part: the request
 *       expires, as a whole request does).
 *   <li><b>Aggregator</b> ({@code AggregatorProcessor}): a plan replaces the request's plan when
 *       {@link RevisionDecider#replaces} says so (outputs stay); on every plan, output and the
 *       deadline tick, {@link RevisionDecider#next} says wait, answer provisionally (sent unless
 *       the client wants the final only; at most one per revision) or answer finally.
 *   <li><b>Kafka.</b> Plans of one request arrive in the order sent, and so do its results
 *       (one partition each); every hop is drawn as for whole requests.
 * </ul>
 */
final class PartedRequests {
    private final Simulation sim;
    private final SimParts config;
    private final RandomGenerator gapRandom;
    private final RevisionDecider revisions;
    /** the serving catalog cut to each set of modalities present, for {@link #servingFor} */
    private final Map<Set<String>, Catalog> servable = new HashMap<>();
    private Catalog servableFrom;
    /** hears (request id, what was decided) for every step, in order; null: nobody listens */
    private BiConsumer<String, String> trace;

    private long requests;
    private long partsRead;
    private long held;
    private long plans;
    private long provisionalPlans;
    private long keptPrevious;
    private long awaited;
    private long provisionalAnswers;
    private long heldBack;
    private long finals;
    private long revised;
    private long corrected;
    private long firstLabelled;
    private long firstCorrect;
    private final LatencyHistogram firstMs = new LatencyHistogram();
    private final LatencyHistogram finalMs = new LatencyHistogram();

    /** A request's parts state: what the selector keeps ({@code PartialRequest}) and what the aggregator keeps ({@code PendingRequest}). */
    static final class State {
        /** the selector's: parts seen, members dispatched, the last plan sent (null before the first part) */
        PartPlanner.SoFar soFar;
        final Set<String> present = new LinkedHashSet<>();
        /** the last plan the selector sent with members (its vote stands when a re-plan keeps them) */
        PlanView lastPlan;
        /** when the last plan and the last result sent reach their consumers (ns) */
        long lastPlanAtNs;
        long lastResultAtNs;
        boolean dueScheduled;
        /** the aggregator's: the plan it holds and its revision, and the last provisional answer */
        PlanView plan;
        int revision = -1;
        RequestResult provisional;
        /** when the client received its first answer (ns), or -1 */
        long firstAnswerNs = -1;
        /** expired or rejected at the selector: later parts have nothing to join */
        boolean ended;
    }

    /** A plan revision on its way to the aggregator. */
    record PlanArrival(SimRequest request, int revision, PlanView plan) {}

    PartedRequests(Simulation sim, SimParts config, RandomGenerator gapRandom) {
        this.sim = sim;
        this.config = config;
        this.gapRandom = gapRandom;
        this.revisions = new RevisionDecider(sim.decider());
        List<String> task = sim.catalog().forTask(sim.config().task()).stream().flatMap(v -> v.modalities().stream())
                .distinct().toList();
        for (String m : config.modalities()) {
            if (!task.contains(m)) {
                throw new IllegalArgumentException("part modality '" + m + "' is not one of task '" + sim.config().task()
                        + "''s modalities " + task);
            }
        }
    }

    void trace(BiConsumer<String, String> listener) {
        this.trace = listener;
    }

    private void note(SimRequest r, String what) {
        if (trace != null) {
            trace.accept(r.id, what);
        }
    }

    // ---- client ----

    /** The client sends {@code r}'s parts: the first now, each next one a gap later, in order. */
    void send(SimRequest r, long createdNs) {
        requests++;
        r.parts = new State();
        long sentNs = createdNs;
        long arrivesNs = 0;
        for (int k = 0; k < config.count(); k++) {
            if (k > 0) {
                sentNs += Math.round(config.gap().sampleMs(gapRandom) * 1e6);
            }
            arrivesNs = Math.max(sentNs + sim.hopNs(Hop.REQUEST), arrivesNs); // one partition: in the order sent
            sim.schedule(arrivesNs, Simulation.PART, r, k);
        }
    }

    // ---- selector ----

    void onPart(SimRequest r, int partIndex) {
        State st = r.parts;
        if (st.ended) {
            return; // expired or rejected at the selector: the request has ended
        }
        if (r.deadlineMs <= sim.ms(sim.now())) {
            if (st.soFar == null) {
                st.ended = true;
                note(r, "part " + partIndex + ": expired");
                sim.expired(r);
            } else {
                note(r, "part " + partIndex + ": late, dropped");
            }
            return;
        }
        partsRead++;
        if (r.answered || PartPlanner.isDuplicate(st.soFar, partIndex)) {
            return;
        }
        st.present.addAll(config.parts().get(partIndex));
        int seen = (st.soFar == null ? 0 : st.soFar.partsSeen().size()) + 1;
        PartPlanner.Step step = PartPlanner.onPart(st.soFar, seen, config.count(), config.speculate());
        if (step instanceof PartPlanner.Hold hold) {
            held++;
            note(r, "part " + partIndex + ": hold, " + hold.missing() + " missing" + (hold.announce() ? ", announced" : ""));
            if (hold.announce()) {
                send(r, 0, sim.plan(r, PlanAction.SERVE, "waiting for " + hold.missing() + " of " + config.count() + " parts",
                        List.of(), VoteMethod.PASS_THROUGH, config.finalOnly(), hold.missing(), config.count()), sim.releaseNs());
            }
            st.soFar = PartPlanner.afterHold(st.soFar, partIndex, hold);
            return;
        }
        PartPlanner.Replan replan = (PartPlanner.Replan) step;
        boolean provisional = replan.provisional();
        Catalog present = servingFor(st.present);
        double floor = PartPlanner.floor(r.minAccuracy, provisional,
                provisional ? PartPlanner.bestPresent(present, sim.config().task()) : OptionalDouble.empty());
        Selection s = sim.decide(r, List.copyOf(st.present), floor, present);
        PartPlanner.Outcome outcome = PartPlanner.afterDecision(s, provisional, st.soFar);
        PartPlanner.SoFar before = st.soFar;
        st.soFar = PartPlanner.afterReplan(before, partIndex, replan, s, outcome);
        String head = "part " + partIndex + ": replan r" + replan.revision() + ", " + replan.missing() + " missing: ";
        long released = sim.releaseNs();
        if (outcome instanceof PartPlanner.Dispatch d) {
            PlanView plan = sim.plan(r, PlanAction.SERVE, null, s.variants(), Simulation.voteOf(s), config.finalOnly(),
                    replan.missing(), config.count());
            note(r, head + "dispatch " + d.now() + ", plan " + s.variants());
            st.lastPlan = plan;
            r.plan = plan;
            send(r, replan.revision(), plan, released);
            sim.dispatch(r, s, d.now(), d.escalateTo(), released);
        } else if (outcome instanceof PartPlanner.KeepPrevious keep) {
            keptPrevious++;
            PlanView last = st.lastPlan;
            note(r, head + "keep previous " + last.variants());
            send(r, replan.revision(), sim.plan(r, PlanAction.SERVE, keep.reason(), last.variants(), last.vote(),
                    config.finalOnly(), replan.missing(), config.count()), released);
        } else if (outcome instanceof PartPlanner.AwaitParts await) {
            awaited++;
            note(r, head + "await parts");
            send(r, replan.revision(), sim.plan(r, PlanAction.SERVE, await.reason(), List.of(), VoteMethod.PASS_THROUGH,
                    config.finalOnly(), replan.missing(), config.count()), released);
        } else if (outcome instanceof PartPlanner.Unchanged) {
            note(r, head + "unchanged");
        } else {
            st.ended = true;
            note(r, head + "reject");
            send(r, replan.revision(), sim.plan(r, PlanAction.REJECT, ((PartPlanner.Reject) outcome).reason(), List.of(),
                    VoteMethod.PASS_THROUGH, config.finalOnly(), replan.missing(), config.count()), released);
        }
    }

    /** The variants the selector may serve with {@code modalities}, cut again when what it serves changes (placement). */
    private Catalog servingFor(Set<String> modalities) {
        Catalog now = sim.serving();
        if (now != servableFrom) {
            servable.clear();
            servableFrom = now;
        }
        return servable.computeIfAbsent(Set.copyOf(modalities), m -> now.servableWith(List.copyOf(m)));
    }

    /** A plan revision leaves the selector at {@code releasedNs}; it reaches the aggregator after those sent before it. */
    private void send(SimRequest r, int revision, PlanView plan, long releasedNs) {
        State st = r.parts;
        plans++;
        if (plan.partsMissing() > 0) {
            provisionalPlans++;
        }
        st.lastPlanAtNs = Math.max(releasedNs + sim.hopNs(Hop.PLAN), st.lastPlanAtNs);
        sim.schedule(st.lastPlanAtNs, Simulation.PART_PLAN, new PlanArrival(r, revision, plan), 0);
        if (!st.dueScheduled) {
            st.dueScheduled = true;
            sim.scheduleDue(r, plan, st.lastPlanAtNs);
        }
    }

    // ---- aggregator ----

    void onPlan(PlanArrival a) {
        SimRequest r = a.request();
        State st = r.parts;
        if (r.answered || (st.plan != null && !RevisionDecider.replaces(a.revision(), st.revision))) {
            return;
        }
        st.plan = a.plan();
        st.revision = a.revision();
        decide(r);
    }

    /** The aggregator looks at {@code r} (a plan, an output or its deadline tick came). */
    void decide(SimRequest r) {
        State st = r.parts;
        if (r.answered || st.plan == null) {
            return;
        }
        RevisionDecider.Step step = revisions.next(st.plan, r.outputs(), st.provisional, sim.ms(sim.now()));
        switch (step.kind()) {
            case WAIT -> { }
            case PROVISIONAL -> {
                st.provisional = step.result();
                note(r, "aggregator: provisional r" + step.result().revision() + " " + step.result().variants()
                        + (step.emitted(st.plan) ? "" : " (held back)"));
                if (!step.emitted(st.plan)) {
                    heldBack++;
                    return;
                }
                provisionalAnswers++;
                st.lastResultAtNs = Math.max(sim.now() + sim.hopNs(Hop.RESULT), st.lastResultAtNs);
                first(r, st.lastResultAtNs, step.result());
            }
            case FINAL -> {
                RequestResult result = step.result();
                finals++;
                boolean after = st.provisional != null && !st.plan.finalOnly();
                if (after) {
                    revised++;
                    if (RevisionDecider.corrects(result, st.provisional)) {
                        corrected++;
                    }
                }
                note(r, "aggregator: final r" + result.revision() + " " + result.status() + " " + result.variants()
                        + (after ? (RevisionDecider.corrects(result, st.provisional) ? " (corrects)" : " (confirms)") : ""));
                long receivedNs = sim.finish(r, result, !step.skippedMembers().isEmpty(), st.lastResultAtNs);
                finalMs.add((receivedNs - r.createdNs) / 1e6);
                first(r, receivedNs, result);
            }
            default -> throw new IllegalStateException("unknown step " + step.kind());
        }
    }

    /** The client's first answer to {@code r}, if this is it. */
    private void first(SimRequest r, long receivedNs, RequestResult result) {
        State st = r.parts;
        if (st.firstAnswerNs >= 0) {
            return;
        }
        st.firstAnswerNs = receivedNs;
        firstMs.add((receivedNs - r.createdNs) / 1e6);
        if (result.label() >= 0) {
            firstLabelled++;
            if (sim.correct(r, result)) {
                firstCorrect++;
            }
        }
    }

    PartsResult result() {
        return new PartsResult(requests, partsRead, held, plans, provisionalPlans, keptPrevious, awaited, provisionalAnswers,
                heldBack, finals, revised, corrected, firstLabelled == 0 ? 0 : round6(firstCorrect / (double) firstLabelled),
                quantiles(firstMs), quantiles(finalMs));
    }

    private static Map<String, Double> quantiles(LatencyHistogram h) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("p50", round(h.quantile(0.5)));
        m.put("p99", round(h.quantile(0.99)));
        return m;
    }

    private static double round(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 100) / 100.0;
    }

    private static double round6(double x) {
        return Math.round(x * 1e6) / 1e6;
    }
}
