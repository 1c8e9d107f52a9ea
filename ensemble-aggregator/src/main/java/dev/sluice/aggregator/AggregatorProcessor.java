package dev.sluice.aggregator;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.PendingRequest;
import dev.sluice.avro.Plan;
import dev.sluice.decision.aggregate.AggregationDecider;
import dev.sluice.decision.aggregate.PlanView;
import dev.sluice.decision.aggregate.RequestResult;
import dev.sluice.decision.aggregate.RevisionDecider;
import dev.sluice.decision.vote.Voters;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Moves plans and model outputs (both keyed by request id) into the {@code pending} store,
 * asks {@link RevisionDecider} (pure, in sluice-decision, over the plain values
 * {@link DecisionValues} makes of the records) whether to answer, and forwards each request's one result.
 *
 * <p>Time index stores hold "look again at" entries: a plan's due time (deadline + grace) and
 * an orphan's drop time. {@code answered} remembers answered ids for a retention so that
 * late, redelivered or duplicate records never produce a second result (outputs arriving after
 * an early answer are counted late like any other).
 *
 * <p>An early answer (the outstanding members could no longer change it) is counted, and, when
 * enabled, its request id goes to the cancellations sink so executors may skip its queued members;
 * so does the members' answer to a request whose deadline default's fallback run has not reported
 * (its task, no longer wanted, may still be queued).
 */
public final class AggregatorProcessor implements Processor<String, SpecificRecord, String, Object> {
    private final AggregatorConfig cfg;
    private final InstantSource clock;
    private final AggregatorMetrics metrics;
    private final AggregationDecider decider;
    private final RevisionDecider revisions;

    /** Answered-store value of a request whose origin is unknown. */
    static final long NO_ORIGIN = Long.MIN_VALUE;
    /** Separates the id from the origin in the answered-store keys of answered duplicates. */
    private static final String DUPLICATE_SEPARATOR = "\u0000duplicate\u0000";

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingRequest> pending;
    private KeyValueStore<String, String> dueIndex;
    private KeyValueStore<String, Long> answered;
    private KeyValueStore<String, String> answeredIndex;
    private AtomicLong pendingCount;

    public AggregatorProcessor(AggregatorConfig cfg, InstantSource clock, AggregatorMetrics metrics, Voters voters) {
        this.cfg = cfg;
        this.clock = clock;
        this.metrics = metrics;
        this.decider = new AggregationDecider(cfg.grace(), voters);
        this.revisions = new RevisionDecider(decider);
    }

    public AggregatorProcessor(AggregatorConfig cfg, InstantSource clock, AggregatorMetrics metrics) {
        this(cfg, clock, metrics, Voters.unweighted());
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        pending = context.getStateStore(AggregatorTopology.PENDING_STORE);
        dueIndex = context.getStateStore(AggregatorTopology.DUE_INDEX_STORE);
        answered = context.getStateStore(AggregatorTopology.ANSWERED_STORE);
        answeredIndex = context.getStateStore(AggregatorTopology.ANSWERED_INDEX_STORE);
        pendingCount = metrics.trackPending(this);
        pendingCount.set(countPending());
        context.schedule(cfg.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, wallClockMs -> onTick());
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String id = record.key();
        if (id == null || id.isEmpty() || record.value() == null) {
            return; // nothing to correlate; tombstones carry no work
        }
        long now = clock.millis();
        if (record.value() instanceof Plan plan) {
            onPlan(id, plan, now);
        } else if (record.value() instanceof ModelOutput output) {
            onOutput(id, output, now);
        } else {
            throw new IllegalArgumentException("unexpected record type " + record.value().getClass().getName());
        }
    }

    @Override
    public void close() {
        metrics.untrackPending(this);
    }

    private void onPlan(String id, Plan plan, long now) {
        Long firstOrigin = answered.get(id);
        if (firstOrigin != null) {
            if (reusesId(plan, firstOrigin)) {
                answerDuplicate(id, plan, null, now);
            } else {
                metrics.duplicatePlan();
            }
            return;
        }
        PendingRequest p = pending.get(id);
        if (p != null && p.getPlan() != null && !RevisionDecider.replaces(plan.getRevision(), p.getPlan().getRevision())) {
            if (reusesId(plan, originKey(p.getPlan())) && !p.getDuplicateOrigins().contains(plan.getRequestOrigin())) {
                // answered after the first request's own answer, so its client never sees this one first
                List<String> dups = new ArrayList<>(p.getDuplicateOrigins());
                dups.add(plan.getRequestOrigin());
                pending.put(id, new PendingRequest(p.getPlan(), p.getOutputs(), p.getFirstSeenMs(), p.getProvisional(), dups));
            } else {
                metrics.duplicatePlan();
            }
            return;
        }
        if (p != null && p.getPlan() == null) {
            dueIndex.delete(orphanKey(id, p)); // the plan came: no longer an orphan
        }
        if (plan.getCached() != null) { // the selector's prediction cache answered: no member runs
            finish(id, plan, DecisionValues.cachedResult(plan, now), now);
            return;
        }
        // a later revision (a request in parts, re-planned as they arrive) replaces the plan; outputs stay
        List<ModelOutput> outputs = p == null ? List.of() : p.getOutputs();
        PendingRequest updated = new PendingRequest(plan, new ArrayList<>(outputs), p == null ? now : p.getFirstSeenMs(),
                p == null ? null : p.getProvisional(), p == null ? new ArrayList<>() : p.getDuplicateOrigins());
        decideOrStore(id, updated, now, p == null);
    }

    private void onOutput(String id, ModelOutput output, long now) {
        if (answered.get(id) != null) {
            metrics.lateOutput();
            return;
        }
        PendingRequest p = pending.get(id);
        if (p == null) {
            // arrived before its plan (no order across topics): buffer, drop if the plan never comes
            PendingRequest orphan = new PendingRequest(null, new ArrayList<>(List.of(output)), now, null, new ArrayList<>());
            pending.put(id, orphan);
            dueIndex.put(orphanKey(id, orphan), id);
            pendingCount.incrementAndGet();
            return;
        }
        if (p.getOutputs().stream().anyMatch(o -> o.getVariant().equals(output.getVariant()))) {
            metrics.duplicateOutput();
            return;
        }
        // kept even when the plan does not name its variant: with parts still missing a later
        // revision may, and a re-planned member's output can overtake the MOVED notice naming it
        List<ModelOutput> outputs = new ArrayList<>(p.getOutputs());
        outputs.add(output);
        PendingRequest updated = new PendingRequest(p.getPlan(), outputs, p.getFirstSeenMs(), p.getProvisional(),
                p.getDuplicateOrigins());
        if (updated.getPlan() == null) {
            pending.put(id, updated);
        } else {
            decideOrStore(id, updated, now, false);
        }
    }

    private void decideOrStore(String id, PendingRequest p, long now, boolean isNew) {
        PlanView plan = DecisionValues.plan(p.getPlan());
        RequestResult provisional = DecisionValues.result(p.getProvisional());
        RevisionDecider.Step step = revisions.next(plan, DecisionValues.outputs(p.getOutputs()), provisional, now);
        if (step.kind() == RevisionDecider.Kind.FINAL) {
            answer(id, step, p.getPlan(), plan, provisional, now);
            return;
        }
        PendingRequest keep = p;
        if (step.kind() == RevisionDecider.Kind.PROVISIONAL) {
            InferenceResult result = DecisionValues.result(step.result(), p.getPlan());
            if (step.emitted(plan)) {
                emit(id, result, p.getPlan(), now);
            }
            metrics.provisional(step.emitted(plan));
            keep = new PendingRequest(p.getPlan(), p.getOutputs(), p.getFirstSeenMs(), result, p.getDuplicateOrigins());
        }
        pending.put(id, keep);
        if (isNew) {
            pendingCount.incrementAndGet();
        }
        dueIndex.put(TimeIndexKey.of(decider.dueAtMs(plan), id), id);
    }

    /**
     * Writes {@code result} to sluice.results and, when the plan's tenant is one the aggregator
     * routes ({@link AggregatorConfig#tenantResults}), to that tenant's own result topic too, in
     * the same transaction.
     */
    private void emit(String id, InferenceResult result, Plan plan, long now) {
        context.forward(new Record<>(id, result, now), AggregatorTopology.RESULTS_SINK);
        String tenant = plan == null ? null : plan.getTenant();
        if (tenant != null && cfg.tenantResults().contains(tenant)) {
            context.forward(new Record<>(id, result, now), AggregatorTopology.tenantSink(tenant));
        }
    }

    /** Emits a result that needs no decision (a cached answer) and forgets the request as {@link #answer} does. */
    private void finish(String id, Plan avroPlan, InferenceResult result, long now) {
        emit(id, result, avroPlan, now);
        metrics.result(result);
        PendingRequest stored = pending.delete(id);
        if (stored != null) {
            pendingCount.decrementAndGet();
            if (stored.getPlan() != null) {
                dueIndex.delete(TimeIndexKey.of(decider.dueAtMs(DecisionValues.plan(stored.getPlan())), id));
            }
        }
        answered.put(id, originKey(avroPlan));
        answeredIndex.put(TimeIndexKey.of(now, id), id);
    }

    /**
     * Whether {@code plan} sent a fast fallback run that has not reported, while {@code result} is
     * the members' answer: its task may still be queued, and executors skip it when told.
     */
    private static boolean fallbackStillOut(Plan plan, InferenceResult result, PendingRequest stored) {
        if (plan.getFallbackRun() == null || result.getDefaultAnswer()) {
            return false;
        }
        String fallback = plan.getFallbackRun().getVariant();
        return stored == null || stored.getOutputs().stream().noneMatch(o -> o.getVariant().equals(fallback));
    }

    private void answer(String id, RevisionDecider.Step step, Plan avroPlan, PlanView plan, RequestResult provisional,
                        long now) {
        InferenceResult result = DecisionValues.result(step.result(), avroPlan);
        emit(id, result, avroPlan, now);
        metrics.result(result);
        if (provisional != null && !plan.finalOnly()) {
            metrics.revised(RevisionDecider.corrects(step.result(), provisional));
        }
        if (!step.skippedMembers().isEmpty()) {
            metrics.earlyDecision(step.skippedMembers().size());
            if (cfg.forwardCancellations()) {
                context.forward(new Record<>(id, id, now), AggregatorTopology.CANCELLATIONS_SINK);
            }
        }
        PendingRequest stored = pending.delete(id);
        if (step.skippedMembers().isEmpty() && cfg.forwardCancellations() && fallbackStillOut(avroPlan, result, stored)) {
            // answered by the members: the deadline default's fallback run is no longer wanted
            context.forward(new Record<>(id, id, now), AggregatorTopology.CANCELLATIONS_SINK);
        }
        if (stored != null) {
            pendingCount.decrementAndGet();
            if (stored.getPlan() != null) {
                dueIndex.delete(TimeIndexKey.of(decider.dueAtMs(DecisionValues.plan(stored.getPlan())), id));
            }
        }
        answered.put(id, originKey(avroPlan));
        answeredIndex.put(TimeIndexKey.of(now, id), id);
        if (stored != null) {
            for (String dup : stored.getDuplicateOrigins()) {
                answerDuplicate(id, Plan.newBuilder(avroPlan).setRequestOrigin(dup).build(), avroPlan.getRequestOrigin(), now);
            }
        }
    }

    /**
     * A plan from another client record than the one answered or pending under its id: the id
     * was re-used (a redelivery of the same record has the same origin). Requests in parts share
     * their id on purpose and are not checked; neither are plans without an origin.
     */
    private static boolean reusesId(Plan plan, long firstOriginKey) {
        return plan.getPartCount() == 1 && plan.getRequestOrigin() != null && firstOriginKey != NO_ORIGIN
                && originKey(plan) != firstOriginKey;
    }

    /** Answers a re-used id INVALID, once per origin (redeliveries of the duplicate are dropped too). */
    private void answerDuplicate(String id, Plan duplicate, String firstOrigin, long now) {
        String key = id + DUPLICATE_SEPARATOR + originKey(duplicate);
        if (answered.get(key) != null) {
            metrics.duplicatePlan();
            return;
        }
        InferenceResult result = DecisionValues.result(
                decider.duplicate(DecisionValues.plan(duplicate), firstOrigin, duplicate.getRequestOrigin(), now),
                duplicate);
        emit(id, result, duplicate, now);
        metrics.result(result);
        answered.put(key, originKey(duplicate));
        answeredIndex.put(TimeIndexKey.of(now, key), key);
    }

    /** A 64-bit hash of the plan's origin, what the answered store keeps; {@link #NO_ORIGIN} when unknown. */
    static long originKey(Plan plan) {
        String o = plan.getRequestOrigin();
        if (o == null) {
            return NO_ORIGIN;
        }
        long h = 0xcbf29ce484222325L; // FNV-1a
        for (int i = 0; i < o.length(); i++) {
            h ^= o.charAt(i);
            h *= 0x100000001b3L;
        }
        return h == NO_ORIGIN ? NO_ORIGIN + 1 : h;
    }

    private void onTick() {
        long now = clock.millis();
        for (KeyValue<String, String> due : scanDue(dueIndex, now)) {
            dueIndex.delete(due.key);
            onDue(due.value, now);
        }
        long forgetBefore = now - cfg.answeredRetention().toMillis();
        for (KeyValue<String, String> old : scanDue(answeredIndex, forgetBefore)) {
            answeredIndex.delete(old.key);
            answered.delete(old.value);
        }
    }

    private void onDue(String id, long now) {
        PendingRequest p = pending.get(id);
        if (p == null) {
            return; // answered already; a stale entry
        }
        if (p.getPlan() == null) {
            if (now >= p.getFirstSeenMs() + cfg.orphanTimeout().toMillis()) {
                pending.delete(id);
                pendingCount.decrementAndGet();
                metrics.orphan();
            }
            return;
        }
        decideOrStore(id, p, now, false);
    }

    private String orphanKey(String id, PendingRequest p) {
        return TimeIndexKey.of(p.getFirstSeenMs() + cfg.orphanTimeout().toMillis(), id);
    }

    /** Entries due at or before {@code now}, copied out so the store can be changed while walking them. */
    private static List<KeyValue<String, String>> scanDue(KeyValueStore<String, String> index, long now) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = index.range(TimeIndexKey.first(), TimeIndexKey.dueBy(now))) {
            it.forEachRemaining(due::add);
        }
        return due;
    }

    private long countPending() {
        long n = 0;
        try (KeyValueIterator<String, PendingRequest> it = pending.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }
}
