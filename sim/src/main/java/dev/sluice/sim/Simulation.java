package dev.sluice.sim;

import dev.sluice.decision.VariantViews;
import dev.sluice.decision.aggregate.AggregationDecider;
import dev.sluice.decision.aggregate.Answer;
import dev.sluice.decision.aggregate.PlanAction;
import dev.sluice.decision.aggregate.PlanView;
import dev.sluice.decision.aggregate.RequestResult;
import dev.sluice.decision.aggregate.RequestStatus;
import dev.sluice.decision.load.LoadView;
import dev.sluice.decision.load.LoadView.ReplicaStatus;
import dev.sluice.decision.parts.PartPlanner;
import dev.sluice.decision.policy.Policies;
import dev.sluice.decision.policy.Selection;
import dev.sluice.decision.policy.SelectionPolicy;
import dev.sluice.decision.policy.SelectionRequest;
import dev.sluice.decision.replan.Escalation;
import dev.sluice.decision.replan.QueueReplan;
import dev.sluice.decision.trace.ArrivalSchedule;
import dev.sluice.decision.trace.PoissonSchedule;
import dev.sluice.decision.trace.Schedule;
import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.MemberStatus;
import dev.sluice.decision.vote.VoteMethod;
import dev.sluice.decision.vote.Voters;
import dev.sluice.models.Cascade;
import dev.sluice.models.Catalog;
import dev.sluice.models.Ensemble;
import dev.sluice.models.Variant;
import dev.sluice.sim.answers.SampleAnswers;
import dev.sluice.sim.engine.EventQueue;
import dev.sluice.sim.hops.HopLatencies;
import dev.sluice.sim.hops.HopLatencies.Hop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One run of one policy on one seed: a discrete-event simulation on a virtual clock of the whole
 * pipeline, in which every decision is made by the production code of {@code sluice-decision}.
 *
 * <ul>
 *   <li><b>Client.</b> Poisson arrivals from the trace ({@link PoissonSchedule}, seeded exactly as
 *       {@code bench policies} seeds it, so the same seed sends at the same instants), floors,
 *       tiers and priorities assigned in turn, every modality of the task in each request.
 *   <li><b>Selector.</b> After the request hop, the real {@link SelectionPolicy} (from {@link Policies},
 *       one fresh registry per run, seeded by the run's seed) decides on the catalog part the
 *       request's modalities can be served by (a request read after its deadline is answered
 *       DEADLINE_EXCEEDED undecided, as the selector's EXPIRED plan), at a {@link LoadView} fed only by replica statuses
 *       that crossed the status hop and by its own dispatches: the policies see load as stale as
 *       in production. The plan goes to the aggregator and one task per member (a cascade's first
 *       stage only) to a replica of its variant, chosen as a task's partition is (uniformly).
 *   <li><b>Executors.</b> {@link Replica}: the production batcher, re-planning and escalation. With a
 *       {@link SharedHost} every replica runs on one host whose cores its batches and the transport
 *       share (the embedded pipeline's layout): batches stretch when the demand exceeds the cores;
 *       with a {@link DeviceLayer} ({@link #attach}), replicas take turns on the devices a placement
 *       puts them on; without either, each replica is a device of its own.
 *   <li><b>Aggregator.</b> The production {@link AggregationDecider} with the production voters,
 *       run when an output arrives and at the first punctuation tick after a plan's deadline.
 *   <li><b>Accuracy.</b> With {@link SampleAnswers}, request {@code i} carries test sample {@code i mod
 *       n} (as {@code bench policies} sends the images in order) and every member answers what its
 *       variant answers on that sample, with that confidence and those probabilities: voters,
 *       cascade thresholds and correctness follow the image. Without them (or for a variant they
 *       lack), the true label is 0; a member answers it with its variant's measured
 *       accuracy (a wrong answer is uniform over the other nine), a cascade's first stage is unsure
 *       with the cascade's measured escalation rate, and an answer voted OK by a catalog ensemble
 *       is correct with the ensemble's measured accuracy (see {@link #memberAnswer}).
 * </ul>
 *
 * Everything random draws from streams split off the seed, so a run repeats exactly; decision
 * wall time is measured (reported as {@code decision_us_p99}) but never feeds back into the run.
 */
public final class Simulation {
    static final int ARRIVAL = 0;
    static final int SELECT = 1;
    static final int TASK = 2;
    static final int WAKE = 3;
    static final int BATCH_DONE = 4;
    static final int OUTPUT = 5;
    static final int PLAN = 6;
    static final int STATUS_TICK = 8;
    static final int STATUS = 9;
    static final int FEEDBACK = 10;
    static final int TICK = 11;
    /** a {@link Runnable} at its time (devices: re-plans, model loads) */
    static final int CALLBACK = 12;
    static final int PART = 13;
    static final int PART_PLAN = 14;

    /** The virtual epoch: 2026-01-01T00:00Z, so decision code sees plausible epoch milliseconds. */
    static final long BASE_MS = 1_767_225_600_000L;
    /** Budget for an escalated stage's two hops, as the executors use ({@code ExecutorHost.ESCALATION_HOPS_MS}). */
    static final double ESCALATION_HOPS_MS = 40;
    private static final float CONFIDENT = 0.9f;
    private static final float UNSURE_WRONG = 0.6f;

    private final SimConfig config;
    private final Catalog catalog;
    private Catalog servable;
    private final List<String> modalities;
    private final HopLatencies hops;
    private final String policyName;
    /** one policy instance and one load view per selector replica */
    private final SelectionPolicy[] policies;
    private final LoadView[] loads;
    private final AggregationDecider decider = new AggregationDecider(Duration.ZERO, Voters.unweighted());
    private final QueueReplan replan;
    private final Escalation escalation;
    private final EventQueue events = new EventQueue();
    private final Map<String, Replica[]> replicas = new HashMap<>();
    private final List<Replica> allReplicas = new ArrayList<>();
    private final Map<String, Variant> variants = new HashMap<>();
    private final Map<String, List<String>> carried = new HashMap<>();
    private final Map<String, Double> ensembleAccuracy = new HashMap<>();
    private final Map<String, Cascade> cascades = new HashMap<>();
    private final Schedule arrivals;
    private final RandomGenerator hopRandom;
    private final RandomGenerator routeRandom;
    private final RandomGenerator answerRandom;
    private final RandomGenerator latencyRandom;
    private final RandomGenerator fetchRandom;
    private final double fetchBackShare;
    /** the executors' loop between one batch and the next (ns) */
    private final long turnGapNs;
    private final RunStats stats;
    private final SharedHost host;
    private final SampleAnswers answers;
    /** 0, or the period on which the selector releases what it decided (ns) */
    private final long selectorCommitNs;
    /** null, or where each measured request's outcome goes */
    private final SimOutcome.Log requestLog;
    private final long seed;
    /** null, or the hops drawn while requests arrive faster than its rate */
    private final SimEnvironment.BusyHops busyHops;
    /** with a release period: when the current release's records for each task topic arrive (one draw per topic) */
    private final Map<String, long[]> clumps = new HashMap<>();
    /** batches running on the shared host, and how fast they progress */
    private final List<Replica> onHost = new ArrayList<>();
    private double hostSpeed = 1;
    private long hostProgressNs;
    /** requests/s, exponentially smoothed over arrivals, that the transport's CPU is charged for */
    private final DecayingRate requestRate = new DecayingRate(SharedHost.RATE_TIME_CONSTANT_S);
    /** on a shared host: tasks/s reaching the replicas (their executors' part of the transport) */
    private final DecayingRate taskRate = new DecayingRate(SharedHost.RATE_TIME_CONSTANT_S);
    private final long warmupNs;
    private final long endOfArrivalsNs;
    private int nextIndex;
    private boolean arrivalsDone;
    private long outstanding;
    private long now;
    /** requests by the aggregator tick (index since the epoch) at which their deadline is noticed */
    private final Map<Long, List<SimRequest>> dueByTick = new HashMap<>();
    private final long tickNs;
    private final boolean learns;
    /** null, or the devices the replicas share ({@link #attach}) */
    private DeviceLayer devices;
    /** null, or each request's accuracy floor by index and time (else {@code config.floors()} in turn) */
    private FloorSchedule floorSchedule;
    /** requests in parts ({@link PartedRequests}); null: every request whole */
    private final PartedRequests parts;

    public Simulation(SimConfig config, Catalog catalog, HopLatencies hops, String policyName, long seed) {
        this(config, catalog, hops, SimEnvironment.NONE, policyName, seed);
    }

    /** A run on a shared host and/or with per-sample answers ({@link SimEnvironment}). */
    public Simulation(SimConfig config, Catalog catalog, HopLatencies hops, SimEnvironment env, String policyName, long seed) {
        this(config, catalog, hops, env, instances(config, env.selectors(), policyName, seed), seed);
    }

    /** One instance per selector replica, each from its own registry; the first seeded with the run's seed. */
    private static List<SelectionPolicy> instances(SimConfig config, int selectors, String policyName, long seed) {
        List<SelectionPolicy> out = new ArrayList<>(selectors);
        for (int k = 0; k < selectors; k++) {
            out.add(new Policies(Policies.Settings.defaults(config.overheadMs()).withSeed(seed + k * 0x9E3779B97F4A7C15L)
                    .withAdmission(config.admitted(), config.admission())).get(policyName));
        }
        return out;
    }

    /** A run of a given policy instance (tests: a policy that records what it saw). */
    Simulation(SimConfig config, Catalog catalog, HopLatencies hops, SelectionPolicy policy, long seed) {
        this(config, catalog, hops, SimEnvironment.NONE, policy, seed);
    }

    Simulation(SimConfig config, Catalog catalog, HopLatencies hops, SimEnvironment env, SelectionPolicy policy, long seed) {
        this(config, catalog, hops, env, List.of(policy), seed);
    }

    /** A run with one given policy instance per selector replica (requests spread over them by key). */
    Simulation(SimConfig config, Catalog catalog, HopLatencies hops, SimEnvironment env, List<SelectionPolicy> policies,
            long seed) {
        this.config = config;
        this.host = env.host();
        this.answers = env.answers();
        this.selectorCommitNs = env.selectorCommitMs() * 1_000_000L;
        this.catalog = catalog;
        this.hops = hops;
        this.policyName = policies.get(0).name();
        this.policies = policies.toArray(new SelectionPolicy[0]);
        this.learns = overridesFeedback(policies.get(0));
        this.tickNs = config.aggregatorTickMs() * 1_000_000L;
        this.loads = new LoadView[policies.size()];
        for (int k = 0; k < loads.length; k++) {
            loads[k] = new LoadView(config.statusStaleMs());
        }
        List<Variant> taskVariants = catalog.forTask(config.task());
        if (taskVariants.isEmpty()) {
            throw new IllegalArgumentException("no variant of task '" + config.task() + "' in the catalog");
        }
        Set<String> mods = new LinkedHashSet<>();
        taskVariants.forEach(v -> mods.addAll(v.modalities()));
        this.modalities = List.copyOf(mods);
        this.servable = catalog.servableWith(modalities);
        for (Variant v : catalog.variants()) {
            variants.put(v.id(), v);
            carried.put(v.id(), v.inputModalities());
        }
        for (Ensemble e : catalog.ensembles()) {
            ensembleAccuracy.put(ensembleKey(e.members(), e.vote()), e.accuracy());
        }
        for (Cascade c : catalog.cascades()) {
            cascades.putIfAbsent(cascadeKey(c.stages(), c.threshold()), c);
        }
        this.escalation = new Escalation(this::expectedMs);
        this.replan = new QueueReplan(catalog::variant, this::expectedMs);

        // the arrival stream is seeded as bench policies seeds it; the rest split off a second stream
        this.arrivals = config.poisson() ? new PoissonSchedule(config.trace(), config.peakRate(), new SplittableRandom(seed))
                : new ArrivalSchedule(config.trace());
        SplittableRandom master = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        this.hopRandom = master.split();
        this.routeRandom = master.split();
        this.answerRandom = master.split();
        this.latencyRandom = master.split();
        RandomGenerator phase = master.split();
        this.parts = env.parts() == null ? null : new PartedRequests(this, env.parts(), master.split());
        this.requestLog = env.requestLog() != null && env.requestLog().wants(seed) ? env.requestLog() : null;
        this.seed = seed;
        this.busyHops = env.busyHops();
        this.fetchBackShare = env.fetchBackShare();
        this.turnGapNs = Math.round(env.turnGapMs() * 1e6);
        this.fetchRandom = master.split(); // split last: the streams above draw as they did before it

        this.stats = new RunStats((int) Math.ceil(config.durationS()) + 1);
        this.warmupNs = Math.round(config.warmupS() * 1e9);
        this.endOfArrivalsNs = warmupNs + Math.round(config.durationS() * 1e9);

        List<String> ids = new ArrayList<>(new TreeSet<>(config.replicas().keySet()));
        for (String id : ids) {
            Variant v = variants.get(id);
            if (v == null) {
                throw new IllegalArgumentException("replicas given for unknown variant '" + id + "'");
            }
            int n = config.replicas().get(id);
            Replica[] rs = new Replica[n];
            int maxBatch = v.batching().maxBatch();
            for (int i = 0; i < n; i++) {
                BatchCost cost = v.profile().isEmpty() ? BatchCost.constant(1, maxBatch) : new BatchCost(v.profile(), maxBatch);
                if (host != null) {
                    cost = cost.centredOnMedian(); // the host's aloneSlowdown is a mean batch time against the p50
                }
                String name = "executor-" + id + "-" + i;
                // on a shared host every variant's i-th replica is in one executor process, as in the pipeline
                rs[i] = new Replica(name, host != null ? "host-executor-" + i : name, v, config.partitionsPerReplica(),
                        config.capacity(), cost, this);
                allReplicas.add(rs[i]);
                events.schedule((long) (phase.nextDouble() * config.statusIntervalMs() * 1e6), STATUS_TICK, rs[i], 0);
            }
            replicas.put(id, rs);
        }
    }

    /** Runs to the last answer; {@code progress} hears about every few seconds of wall time. */
    public RunResult run(Consumer<String> progress) {
        long wall0 = System.nanoTime();
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
        scheduleNextArrival();
        if (pendingArrivalNs >= 0) {
            events.schedule(pendingArrivalNs, ARRIVAL, null, 0);
        }
        events.schedule(tickNs, TICK, null, 1);
        long nextReport = wall0 + 5_000_000_000L;
        long fired = 0;
        while (events.pop()) {
            now = Math.max(now, events.time()); // events within one 10 ns heap tick may pop out of ns order
            fire(events.kind(), events.subject(), events.arg());
            fired++;
            if ((fired & 0xFFFF) == 0) {
                long w = System.nanoTime();
                if (w >= nextReport && progress != null) {
                    nextReport = w + 5_000_000_000L;
                    progress.accept(String.format(java.util.Locale.ROOT,
                            "  %s: simulated %.1f of %.0f s, %d requests, %.2fM events (%.0fk events/s wall, %.0fk per CPU s), "
                            + "heap %d MB", policyName, Math.max(0, (now - warmupNs) / 1e9), config.durationS(), nextIndex,
                            fired / 1e6, fired / ((w - wall0) / 1e9) / 1e3,
                            fired / Math.max(1e-9, (threads.getCurrentThreadCpuTime() - cpu0) / 1e9) / 1e3,
                            (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20));
                }
            }
            if (arrivalsDone && outstanding == 0) {
                break;
            }
        }
        double wallS = (System.nanoTime() - wall0) / 1e9;
        double cpuS = threads.isCurrentThreadCpuTimeSupported() ? (threads.getCurrentThreadCpuTime() - cpu0) / 1e9 : Double.NaN;
        RunResult result = stats.result(config.durationS(), fired, wallS, cpuS);
        return parts == null ? result : result.withParts(parts.result());
    }

    private void fire(int kind, Object subject, long arg) {
        switch (kind) {
            case ARRIVAL -> arrive();
            case SELECT -> select((SimRequest) subject);
            case TASK -> taskArrives((SimTask) subject);
            case WAKE -> ((Replica) subject).onWake(arg, now);
            case BATCH_DONE -> batchDone((Replica) subject, arg);
            case OUTPUT -> onOutput((SimTask) subject);
            case PLAN -> decide((SimRequest) subject);
            case TICK -> tick(arg);
            case STATUS_TICK -> statusTick((Replica) subject);
            case STATUS -> loads[(int) arg].onStatus((ReplicaStatus) subject);
            case FEEDBACK -> feedback((SimRequest) subject, ((SimRequest) subject).result);
            case CALLBACK -> ((Runnable) subject).run();
            case PART -> parts.onPart((SimRequest) subject, (int) arg);
            case PART_PLAN -> parts.onPlan((PartedRequests.PlanArrival) subject);
            default -> throw new IllegalStateException("unknown event kind " + kind);
        }
    }

    // ---- client ----

    /** Arrivals are drawn a millisecond at a time: one event creates every request due in the next ms. */
    private static final long ARRIVAL_WINDOW_NS = 1_000_000L;
    private long pendingArrivalNs = -1;

    private void scheduleNextArrival() {
        double s = arrivals.next();
        if (s >= config.durationS()) {
            arrivalsDone = true;
            pendingArrivalNs = -1;
            return;
        }
        pendingArrivalNs = warmupNs + Math.round(s * 1e9);
    }

    /** Creates the requests due before the end of this window (each at its own time) and sends each on its request hop. */
    private void arrive() {
        long until = now + ARRIVAL_WINDOW_NS;
        while (pendingArrivalNs >= 0 && pendingArrivalNs < until) {
            long created = pendingArrivalNs;
            int i = nextIndex++;
            long createdMs = ms(created);
            String tier = config.tiers().isEmpty() ? null : config.tiers().get(i % config.tiers().size());
            int priority = config.priorities().isEmpty() ? 0 : config.priorities().get(i % config.priorities().size());
            double floor = floorSchedule == null ? config.floors().get(i % config.floors().size())
                    : floorSchedule.floor(i, (created - warmupNs) / 1e9);
            SimRequest r = new SimRequest(i, "r" + i, created, createdMs, createdMs + config.deadlineMs(),
                    created + config.deadlineMs() * 1_000_000L, floor, tier, priority);
            if (devices != null) {
                devices.onArrival(floor);
            }
            if (loads.length > 1) {
                r.selector = Math.floorMod(r.id.hashCode(), loads.length); // the request topic is keyed by id
            }
            outstanding++;
            if (host != null || busyHops != null) {
                countArrival(created);
            }
            if (parts != null) {
                parts.send(r, created);
            } else {
                events.schedule(created + hopNs(Hop.REQUEST), SELECT, r, 0);
            }
            scheduleNextArrival();
        }
        if (pendingArrivalNs >= 0) {
            events.schedule(pendingArrivalNs, ARRIVAL, null, 0);
        }
    }

    // ---- selector ----

    private void select(SimRequest r) {
        long nowMs = ms(now);
        if (r.deadlineMs <= nowMs) {
            expired(r); // read after its deadline: no decision
            return;
        }
        Selection s = decide(r, modalities, r.minAccuracy, servable);
        if (!s.serve()) {
            outstanding--;
            stats.rejected(second(r), (now - r.createdNs) / 1e6, hopNs(Hop.PLAN) / 1e6);
            logUnanswered(r, "REJECTED", s.reason());
            return;
        }
        r.plan = plan(r, PlanAction.SERVE, null, s.variants(), voteOf(s), false, 0, 1);
        long released = releaseNs();
        r.planAtNs = released + hopNs(Hop.PLAN);
        // the selector's rule, for a request in one part: every member, or a cascade's first stage
        PartPlanner.Dispatch d = (PartPlanner.Dispatch) PartPlanner.afterDecision(s, false, null);
        dispatch(r, s, d.now(), d.escalateTo(), released);
        scheduleDue(r, r.plan, r.planAtNs);
    }

    /** Expired while queued before the selector (its EXPIRED plan): no decision, answered DEADLINE_EXCEEDED. */
    void expired(SimRequest r) {
        outstanding--;
        stats.rejected(second(r), (now - r.createdNs) / 1e6, hopNs(Hop.PLAN) / 1e6);
        logUnanswered(r, "DEADLINE_EXCEEDED", "read by the selector after its deadline");
    }

    /** A measured request the selector answered without a plan, for the request log (its answer is not simulated). */
    private void logUnanswered(SimRequest r, String status, String reason) {
        if (requestLog != null && second(r) >= 0) {
            requestLog.add(new SimOutcome(policyName, seed, r.id, relativeMs(r.createdNs), relativeMs(r.deadlineNs), -1, status,
                    false, -1, trueLabel(r), List.of(), null, reason));
        }
    }

    /** Ms since the measured start (after the warm-up), as the pipeline's request CSV counts them. */
    private long relativeMs(long ns) {
        return Math.floorDiv(ns - warmupNs, 1_000_000L);
    }

    /** The policy of {@code r}'s selector replica decides for the {@code present} modalities, at its load view. */
    Selection decide(SimRequest r, List<String> present, double floor, Catalog servableNow) {
        long nowMs = ms(now);
        long t0 = System.nanoTime();
        Selection s = policies[r.selector].decide(new SelectionRequest(r.id, config.task(), r.createdMs, r.deadlineMs,
                r.priority, floor, r.tier, present), servableNow, loads[r.selector].snapshot(nowMs), nowMs);
        stats.decision(System.nanoTime() - t0);
        return s;
    }

    static VoteMethod voteOf(Selection s) {
        return s.vote() != null ? VoteMethod.valueOf(s.vote())
                : s.variants().size() > 1 ? VoteMethod.MAJORITY : VoteMethod.PASS_THROUGH;
    }

    /** A plan the selector makes now for {@code r}. */
    PlanView plan(SimRequest r, PlanAction action, String reason, List<String> members, VoteMethod vote, boolean finalOnly,
            int partsMissing, int partCount) {
        long nowMs = ms(now);
        return new PlanView(r.id, action, reason, members, vote, 0f, policyName, r.createdMs, nowMs, nowMs, r.deadlineMs,
                finalOnly, partsMissing, partCount);
    }

    /** When what the selector decides now leaves it: now, or with a release period at its next release. */
    long releaseNs() {
        return selectorCommitNs == 0 ? now : (now / selectorCommitNs + 1) * selectorCommitNs;
    }

    /** A task per {@code members} (a cascade's first stage), released at {@code released}. */
    void dispatch(SimRequest r, Selection s, List<String> members, List<String> escalateTo, long released) {
        if (s.isCascade()) {
            r.cascade = cascades.get(cascadeKey(s.variants(), s.escalateBelow()));
        }
        LoadView load = loads[r.selector];
        for (String member : members) {
            String base = VariantViews.baseOf(member);
            SimTask task = new SimTask(r, member, base, s.fallbacks(), escalateTo, (float) s.escalateBelow(), now,
                    s.isCascade());
            if (selectorCommitNs == 0) {
                send(task, now);
            } else {
                sendInClump(task, released);
            }
            load.onDispatch(base);
        }
    }

    /** The aggregator notices a deadline at its first punctuation tick after it (and not before it has the plan). */
    void scheduleDue(SimRequest r, PlanView plan, long planAtNs) {
        long dueNs = Math.max(nsOfMs(decider.dueAtMs(plan)), planAtNs);
        long dueTick = Math.max((dueNs + tickNs - 1) / tickNs, now / tickNs + 1);
        dueByTick.computeIfAbsent(dueTick, k -> new ArrayList<>(4)).add(r);
    }

    /** A task onto one of its variant's partitions, hence one replica, after the task hop. */
    private void send(SimTask t) {
        send(t, now);
    }

    /**
     * A task released with the others of its release for the same topic: one produce batch, one
     * fetch, so they share one task hop and reach the replica together.
     */
    private void sendInClump(SimTask t, long releasedNs) {
        Replica[] rs = replicas.get(t.variant);
        if (rs == null || rs.length == 0) {
            return;
        }
        t.replica = rs[rs.length == 1 ? 0 : routeRandom.nextInt(rs.length)];
        long[] c = clumps.computeIfAbsent(t.replica.id, k -> new long[] {-1, 0});
        if (c[0] != releasedNs) {
            c[0] = releasedNs;
            c[1] = releasedNs + hopNs(Hop.TASK);
        }
        events.schedule(c[1], TASK, t, 0);
    }

    /** ... leaving its sender at {@code fromNs}. */
    private void send(SimTask t, long fromNs) {
        Replica[] rs = replicas.get(t.variant);
        if (rs == null || rs.length == 0) {
            return; // nobody consumes this variant's topic: the aggregator answers at the deadline
        }
        t.replica = rs[rs.length == 1 ? 0 : routeRandom.nextInt(rs.length)];
        events.schedule(fromNs + hopNs(Hop.TASK), TASK, t, 0);
    }

    /** The aggregator's punctuation: requests whose deadline passed are answered with what they have. */
    private void tick(long index) {
        if (host != null) {
            retuneHost();
        }
        List<SimRequest> due = dueByTick.remove(index);
        if (due != null) {
            for (SimRequest r : due) {
                decide(r);
            }
        }
        if (!(arrivalsDone && outstanding == 0)) {
            events.schedule((index + 1) * tickNs, TICK, null, index + 1);
        }
    }

    private static boolean overridesFeedback(SelectionPolicy p) {
        try {
            return p.getClass().getMethod("onFeedback", String.class, String.class, boolean.class, long.class)
                    .getDeclaringClass() != SelectionPolicy.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    private void feedback(SimRequest r, RequestResult result) {
        // every vote at once: per variant by default, per configuration for exp4
        // every replica reads all feedback and keeps what concerns its own decisions: only the decider's matters
        policies[r.selector].onFeedback(result.requestId(), trueLabel(r), result.votes(), ms(now));
    }

    /** The request's true label: its sample's, with answers; else 0. */
    private int trueLabel(SimRequest r) {
        return answers == null ? 0 : answers.label(answers.sampleOf(r.index));
    }

    // ---- executors (called by Replica) ----

    void completed(SimTask t, Replica at, double queueMs, double computeMs, int batchSize, long doneNs) {
        stats.computeMs += computeMs / batchSize;
        stats.batch(t.variant, computeMs, batchSize);
        SimRequest r = t.request;
        long nowMs = ms(doneNs);
        float[] answer = memberAnswer(t);
        int label = (int) answer[0];
        float confidence = answer[1];
        String escalatedTo = null;
        if (t.escalateBelow > 0 && !t.escalateTo.isEmpty()) {
            Optional<Escalation.NextStage> next = escalation.next(t.routing(), confidence, nowMs);
            if (next.isPresent()) {
                escalatedTo = next.get().variant();
                stats.escalations++;
                send(new SimTask(r, escalatedTo, VariantViews.baseOf(escalatedTo), List.of(), next.get().escalateTo(),
                        t.escalateBelow, doneNs, false));
            }
        }
        List<Float> probabilities = r.plan == null || r.plan.vote() != VoteMethod.PROBABILITY_AVERAGE ? List.of()
                : answers != null && answers.has(t.variant) ? answers.probabilities(t.variant, answers.sampleOf(r.index))
                : probabilities(label, confidence);
        t.output = new MemberOutput(t.member, MemberStatus.OK, label, confidence, probabilities, null, escalatedTo, queueMs,
                computeMs, nowMs);
        events.schedule(doneNs + hopNs(Hop.OUTPUT), OUTPUT, t, 0);
    }

    void deadlineExceeded(SimTask t, Replica at, long atNs) {
        t.output = new MemberOutput(t.member, MemberStatus.DEADLINE_EXCEEDED, -1, 0f, List.of(), null, null,
                (atNs - t.enqueuedNs) / 1e6, 0, ms(atNs));
        events.schedule(atNs + hopNs(Hop.OUTPUT), OUTPUT, t, 0);
    }

    void moved(SimTask t, Replica at, String to, long atNs) {
        stats.moves++;
        t.output = new MemberOutput(t.member, MemberStatus.MOVED, -1, 0f, List.of(), null, to, (atNs - t.enqueuedNs) / 1e6, 0,
                ms(atNs));
        events.schedule(atNs + hopNs(Hop.OUTPUT), OUTPUT, t, 0);
        send(new SimTask(t.request, to, to, List.of(), List.of(), 0f, atNs, false));
    }

    void skipped(SimTask t, Replica at) {
        stats.skipped++;
    }

    void scheduleWake(Replica r, long atNs) {
        events.schedule(atNs, WAKE, r, atNs);
    }

    // ---- the shared host (processor sharing among the running batches and the transport) ----

    /** Whether batches run on one shared host or on shared devices (their elapsed time is then not their profile draw). */
    boolean sharesHost() {
        return host != null || devices != null;
    }

    /** A batch of {@code workMs} (its profile draw) starts on replica {@code r}. */
    void startBatch(Replica r, double workMs, long startNs) {
        if (devices != null) {
            devices.start(r, workMs, startNs);
            return;
        }
        if (host == null) {
            events.schedule(startNs + Math.max(1, Math.round(workMs * 1e6)), BATCH_DONE, r, 0);
            return;
        }
        advanceHost(startNs);
        r.remainingWorkMs = workMs;
        onHost.add(r);
        rescheduleHost(startNs);
    }

    private void batchDone(Replica r, long version) {
        if (devices != null) {
            devices.done(r, version, now);
            return;
        }
        if (host == null) {
            r.onBatchDone(now);
            return;
        }
        if (version != r.doneVersion) {
            return; // rescheduled since: the host's speed changed
        }
        advanceHost(now);
        onHost.remove(r);
        rescheduleHost(now);
        r.onBatchDone(now);
    }

    private void advanceHost(long atNs) {
        double doneMs = (atNs - hostProgressNs) / 1e6 * hostSpeed;
        for (int i = 0; i < onHost.size(); i++) {
            onHost.get(i).remainingWorkMs -= doneMs;
        }
        hostProgressNs = atNs;
    }

    /** Every running batch's completion, at the speed the host now gives it. */
    private void rescheduleHost(long atNs) {
        hostSpeed = hostSpeedAt(atNs);
        for (int i = 0; i < onHost.size(); i++) {
            Replica r = onHost.get(i);
            r.doneVersion++;
            long in = Math.max(1, (long) Math.ceil(Math.max(0, r.remainingWorkMs) / hostSpeed * 1e6));
            events.schedule(atNs + in, BATCH_DONE, r, r.doneVersion);
        }
    }

    /** On the aggregator's tick: the request rate moved the transport's demand; re-plan if the speed moved. */
    private void retuneHost() {
        if (onHost.isEmpty()) {
            return;
        }
        double s = hostSpeedAt(now);
        if (Math.abs(s - hostSpeed) > 0.01 * hostSpeed) {
            advanceHost(now);
            rescheduleHost(now);
        }
    }

    private void countArrival(long atNs) {
        requestRate.count(atNs);
    }

    private double rateAt(long atNs) {
        return requestRate.at(atNs);
    }

    private void taskArrives(SimTask t) {
        if (host != null) {
            taskRate.count(now);
            t.replica.taskRate.count(now);
        }
        t.replica.onTask(t, now);
    }

    /** How fast the running batches progress on the shared host at {@code atNs}. */
    private double hostSpeedAt(long atNs) {
        double running = 0;
        for (int i = 0; i < onHost.size(); i++) {
            running += onHost.get(i).taskRate.at(atNs);
        }
        return host.speed(onHost.size(), rateAt(atNs), taskRate.at(atNs), running);
    }

    void publishStatus(ReplicaStatus s, long atNs) {
        for (int k = 0; k < loads.length; k++) { // every selector replica follows the status topic
            events.schedule(atNs + hopNs(Hop.STATUS), STATUS, s, k);
        }
    }

    private void statusTick(Replica r) {
        if (devices != null && !devices.publishes(r)) {
            return; // unloaded by a re-plan: its executor stopped
        }
        r.onStatusTick(now);
        if (!(arrivalsDone && outstanding == 0)) {
            events.schedule(now + config.statusIntervalMs() * 1_000_000L, STATUS_TICK, r, 0);
        }
    }

    QueueReplan replan() {
        return replan;
    }

    /** The tensors a task carries, by modality name: its variant's inputs. */
    List<String> carried(SimTask t) {
        return carried.getOrDefault(t.variant, List.of());
    }

    RandomGenerator latencyRandom() {
        return latencyRandom;
    }

    /** How long an executor's loop works between one batch and the next (ns; {@code SimEnvironment.turnGapMs}). */
    long turnGapNs() {
        return turnGapNs;
    }

    /** Whether some executor's fetch sent right after a long batch may not be back by its next poll. */
    boolean fetchesMayBeLate() {
        return fetchBackShare < 1;
    }

    /** Whether an executor's fetch sent right after a long batch is back by its next poll ({@code SimEnvironment.fetchBackShare}). */
    boolean prefetchBack() {
        return !fetchesMayBeLate() || fetchRandom.nextDouble() < fetchBackShare;
    }

    /** Dispatch to output for an idle variant, as the executors estimate it: batch-1 p99, batching delay, two hops. */
    private double expectedMs(String id) {
        Variant v = variants.get(id);
        if (v == null || !v.isProfiled()) {
            return Double.POSITIVE_INFINITY;
        }
        return v.profile().p99Ms(1) + v.batching().maxDelayMs() + ESCALATION_HOPS_MS;
    }

    // ---- aggregator ----

    private void onOutput(SimTask t) {
        SimRequest r = t.request;
        if (r.answered) {
            return; // late output of an answered request: ignored, its compute already counted
        }
        r.add(t.output);
        if (r.parts != null) {
            parts.decide(r);
            return;
        }
        if (now < r.planAtNs) {
            if (!r.planEventScheduled) {
                r.planEventScheduled = true;
                events.schedule(r.planAtNs, PLAN, r, 0);
            }
            return;
        }
        decide(r);
    }

    private void decide(SimRequest r) {
        if (r.parts != null) {
            parts.decide(r);
            return;
        }
        if (r.answered || now < r.planAtNs) {
            return;
        }
        Optional<Answer> a = decider.answer(r.plan, r.outputs(), ms(now));
        if (a.isEmpty()) {
            return;
        }
        Answer answer = a.get();
        finish(r, answer.result(), answer.isEarly(), 0);
    }

    /**
     * The aggregator's final answer to {@code r}: counted, its queued members cancelled after an
     * early answer, feedback sent. The client receives it a result hop later, and not before
     * {@code notBeforeNs} (an earlier answer on the same partition); returns when.
     */
    long finish(SimRequest r, RequestResult result, boolean early, long notBeforeNs) {
        r.answered = true;
        outstanding--;
        if (early && config.cancellations()) {
            r.cancelAtNs = now + hopNs(Hop.CANCEL);
        }
        long receivedNs = Math.max(now + hopNs(Hop.RESULT), notBeforeNs);
        boolean correct = correct(r, result);
        boolean onTime = ms(receivedNs) <= r.deadlineMs;
        stats.answered(second(r), result, onTime, (receivedNs - r.createdNs) / 1e6, correct);
        if (requestLog != null && second(r) >= 0) {
            requestLog.add(new SimOutcome(policyName, seed, r.id, relativeMs(r.createdNs), relativeMs(r.deadlineNs),
                    relativeMs(receivedNs), result.status().name(), onTime && RunStats.served(result.status()), result.label(),
                    trueLabel(r), result.variants(),
                    result.latency(), result.reason()));
        }
        if (learns && config.feedback() && result.label() >= 0 && !result.votes().isEmpty()) {
            r.result = result;
            events.schedule(receivedNs + hopNs(Hop.REQUEST), FEEDBACK, r, 0);
        }
        r.outputs = null;
        return receivedNs;
    }

    // ---- accuracy ----

    /**
     * A member's answer, {label, confidence}. Its variant's measured accuracy decides whether it
     * is right; a wrong answer is uniform over the other nine labels. A cascade stage follows the
     * catalog cascade it belongs to: the first stage is unsure (confidence under the threshold)
     * with the cascade's measured escalation rate; a sure first stage and an escalated stage are
     * right with the cascade's measured accuracy, and an unsure first stage whose answer stands is
     * right with what makes the first stage's own accuracy come out overall,
     * {@code (a1 - (1 - e) acc) / e} (clamped to [0, 1]). A cascade the catalog does not list
     * (a pinned one) takes the first stage's error rate as its escalation rate.
     */
    private float[] memberAnswer(SimTask t) {
        if (answers != null && answers.has(t.variant)) {
            int sample = answers.sampleOf(t.request.index);
            return new float[] {answers.answer(t.variant, sample), answers.confidence(t.variant, sample)};
        }
        Variant v = variants.get(t.variant);
        double a = v.accuracy() == null ? 0 : v.accuracy();
        double p = a;
        float confidence;
        boolean decided = false;
        boolean correct = false;
        if (t.escalateBelow > 0) {
            Cascade c = t.request.cascade;
            double acc = c != null ? c.accuracy() : a;
            if (t.firstStage && !t.escalateTo.isEmpty()) {
                double e = c != null ? c.escalationRate() : 1 - a;
                boolean unsure = answerRandom.nextDouble() < e;
                p = unsure ? clamp((a - (1 - e) * acc) / Math.max(e, 1e-9)) : acc;
                confidence = unsure ? t.escalateBelow / 2 : (1 + t.escalateBelow) / 2;
            } else {
                p = acc;
                confidence = CONFIDENT;
            }
            correct = answerRandom.nextDouble() < p;
            decided = true;
        } else {
            confidence = 0;
        }
        if (!decided) {
            correct = answerRandom.nextDouble() < p;
            confidence = correct ? CONFIDENT : UNSURE_WRONG;
        }
        int label = correct ? 0 : 1 + answerRandom.nextInt(9);
        return new float[] {label, confidence};
    }

    /**
     * Whether the answer is right: with answers for every member, the voted label against the
     * sample's label; otherwise a catalog ensemble voted OK over all its members is right with
     * its measured accuracy, and any other answer is compared with the true label 0.
     */
    boolean correct(SimRequest r, RequestResult result) {
        if (result.label() < 0) {
            return false;
        }
        if (answers != null && result.variants().stream().allMatch(m -> answers.has(VariantViews.baseOf(m)))) {
            return result.label() == trueLabel(r); // the members answered the sample itself
        }
        if (result.status() == RequestStatus.OK && result.variants().size() > 1 && r.plan.vote() != VoteMethod.CASCADE) {
            Double acc = ensembleAccuracy.get(ensembleKey(result.variants(), r.plan.vote().name()));
            if (acc != null) {
                return answerRandom.nextDouble() < acc;
            }
        }
        return result.label() == 0;
    }

    private static List<Float> probabilities(int label, float confidence) {
        Float[] p = new Float[10];
        float rest = (1 - confidence) / 9;
        for (int i = 0; i < 10; i++) {
            p[i] = i == label ? confidence : rest;
        }
        return List.of(p);
    }

    private static double clamp(double x) {
        return Math.max(0, Math.min(1, x));
    }

    static String ensembleKey(List<String> members, String vote) {
        List<String> sorted = new ArrayList<>(members);
        Collections.sort(sorted);
        return String.join("+", sorted) + ":" + vote;
    }

    static String cascadeKey(List<String> stages, double threshold) {
        return String.join(">", stages) + "@" + Math.round(threshold * 1e4);
    }

    // ---- time ----

    long ms(long ns) {
        return BASE_MS + Math.floorDiv(ns, 1_000_000L);
    }

    long nsOfMs(long epochMs) {
        return (epochMs - BASE_MS) * 1_000_000L;
    }

    long hopNs(Hop hop) {
        HopLatencies from = busyHops != null && rateAt(now) > busyHops.aboveRps() ? busyHops.hops() : hops;
        return Math.round(from.sampleMs(hop, hopRandom) * 1e6);
    }

    private int second(SimRequest r) {
        return (int) ((r.createdNs - warmupNs) / 1_000_000_000L);
    }

    // ---- devices ({@link DeviceLayer}: placement across devices) ----

    /** Before {@link #run}: the replicas run on {@code d}'s devices, which may re-place them while it runs. */
    void attach(DeviceLayer d) {
        this.devices = d;
        d.attached(this, servable);
    }

    /** Before {@link #run}: each request's floor from {@code f} instead of {@code config.floors()} in turn. */
    void floors(FloorSchedule f) {
        this.floorSchedule = f;
    }

    /** The replicas taking {@code variant}'s tasks now. */
    Replica[] replicasOf(String variant) {
        return replicas.getOrDefault(variant, new Replica[0]);
    }

    /** A new replica of {@code variant}, reporting its status from {@code firstStatusNs}; it gets tasks once {@link #route}d. */
    Replica newReplica(String variant, String id, long firstStatusNs) {
        Variant v = variants.get(variant);
        int maxBatch = v.batching().maxBatch();
        Replica r = new Replica(id, id, v, config.partitionsPerReplica(), config.capacity(), new BatchCost(v.profile(), maxBatch),
                this);
        allReplicas.add(r);
        events.schedule(firstStatusNs, STATUS_TICK, r, 0);
        return r;
    }

    /** From now on {@code variant}'s tasks go to {@code rs}, and the selector decides on {@code serving}. */
    void route(String variant, Replica[] rs, Catalog serving) {
        replicas.put(variant, rs);
        servable = serving;
    }

    void at(long atNs, Runnable r) {
        events.schedule(atNs, CALLBACK, r, 0);
    }

    /** The batch running on {@code r} (its current version) completes at {@code atNs}. */
    void scheduleBatchDone(Replica r, long atNs) {
        events.schedule(atNs, BATCH_DONE, r, r.doneVersion);
    }

    boolean finished() {
        return arrivalsDone && outstanding == 0;
    }

    long warmupNs() {
        return warmupNs;
    }

    /** Hears every parts decision, (request id, what), in order (tests); a run of whole requests has none. */
    void traceParts(java.util.function.BiConsumer<String, String> listener) {
        if (parts != null) {
            parts.trace(listener);
        }
    }

    /** The current virtual time (ns). */
    long now() {
        return now;
    }

    void schedule(long atNs, int kind, Object subject, long arg) {
        events.schedule(atNs, kind, subject, arg);
    }

    SimConfig config() {
        return config;
    }

    Catalog catalog() {
        return catalog;
    }

    /** What the selector decides on now: the task's servable variants (those placed, with devices). */
    Catalog serving() {
        return servable;
    }

    AggregationDecider decider() {
        return decider;
    }

    /** Replicas in this run. */
    public int replicaCount() {
        return allReplicas.size();
    }

    long endOfArrivalsNs() {
        return endOfArrivalsNs;
    }
}
