package dev.sluice.selector;

import dev.sluice.avro.FallbackRun;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.PartialRequest;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.Tensor;
import dev.sluice.avro.VoteMethod;
import dev.sluice.common.DeadLetters;
import dev.sluice.decision.VariantViews;
import dev.sluice.decision.load.LoadView;
import dev.sluice.decision.parts.PartPlanner;
import dev.sluice.decision.policy.Policies;
import dev.sluice.decision.policy.Selection;
import dev.sluice.decision.policy.SelectionPolicy;
import dev.sluice.decision.policy.SelectionRequest;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.schemas.Topics;
import dev.sluice.decision.quota.TenantQuotas;
import dev.sluice.schemas.WireFormatDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Reads raw request bytes, and for each: undecodable -> dead letter with the reason; invalid ->
 * an INVALID plan; otherwise the policy's decision -> a plan plus one task per chosen variant.
 * Under exactly-once all outputs of one request commit in the same transaction.
 *
 * <p>The policy sees only the variants whose modalities the request carries. A request in
 * several parts (same id, {@code part_count} above 1) is kept in the {@code parts} store until
 * its last part, and re-planned as each part arrives: every plan gets the next revision, says
 * how many parts are still missing, and only members not already running get a task.
 */
final class SelectorProcessor implements Processor<String, byte[], String, Object> {
    static final String PLANS_SINK = "plans-sink";
    static final String TASKS_SINK = "tasks-sink";
    static final String DLQ_SINK = "dlq-sink";
    /** Request parameter: "false" holds the parts of a request until the last one instead of answering early. */
    public static final String SPECULATE_PARAMETER = "speculate";
    /** How long past its deadline the state of a request whose parts never all came is kept. */
    static final Duration PARTS_RETENTION = Duration.ofSeconds(30);
    private static final Duration EXPIRY_SCAN = Duration.ofSeconds(1);

    private final WireFormatDecoder<InferenceRequest> requests;
    private final Supplier<Catalog> catalog;
    private final Policies policies;
    private final SelectorConfig config;
    private final RequestValidator validator;
    private final LoadView load;
    private final InstantSource clock;
    private final SelectorMetrics metrics;
    private final SelectorCache cache;
    private final TenantQuotas quotas;
    private final Topics names;
    private final Map<Set<String>, Catalog> servableCatalogs = new HashMap<>();
    private Catalog servableFor; // the catalog instance servableCatalogs were cut from
    /** Longest client-given text (a task name) echoed into a plan; longer ones are clipped. */
    static final int MAX_ECHOED_CHARS = 256;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PartialRequest> parts;
    /** {@link Plan#getRequestOrigin} of the record being processed. */
    private String origin;

    SelectorProcessor(WireFormatDecoder<InferenceRequest> requests, Supplier<Catalog> catalog, Policies policies, SelectorConfig config,
            LoadView load, InstantSource clock, SelectorMetrics metrics) {
        this(requests, catalog, policies, config, load, clock, metrics, SelectorCache.OFF, new TenantQuotas(config.tenantQuotas()),
                Topics.DEFAULT);
    }

    /**
     * @param quotas per-tenant rates, shared by every processor of the selector
     * @param names the deployment's topics: a request read from a tenant's own request topic is that tenant's
     */
    SelectorProcessor(WireFormatDecoder<InferenceRequest> requests, Supplier<Catalog> catalog, Policies policies,
            SelectorConfig config, LoadView load, InstantSource clock, SelectorMetrics metrics, SelectorCache cache,
            TenantQuotas quotas, Topics names) {
        this.cache = cache;
        this.quotas = quotas;
        this.names = names;
        this.requests = requests;
        this.catalog = catalog;
        this.policies = policies;
        this.config = config;
        this.validator = new RequestValidator(config.maxInputBytes());
        this.load = load;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.parts = context.getStateStore(SelectorTopology.PARTS_STORE);
        context.schedule(EXPIRY_SCAN, PunctuationType.WALL_CLOCK_TIME, wallClockMs -> expireParts(clock.millis()));
    }

    /** The topic the record came from (its name carries the deployment's prefix; the decoder looks up schemas by it). */
    private String sourceTopic() {
        return context.recordMetadata().map(RecordMetadata::topic).orElse(Topics.DEFAULT.requests());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long receivedAt = clock.millis();
        origin = origin(record);
        WireFormatDecoder.Decoded<InferenceRequest> decoded = requests.decode(sourceTopic(), record.value());
        if (!decoded.ok()) {
            deadLetter(record, "undecodable request: " + decoded.failure());
            return;
        }
        InferenceRequest req = decoded.value();
        String topicTenant = names.tenantOfRequests(sourceTopic());
        if (topicTenant != null) { // only that tenant may write its topic: the topic says whose request it is
            req.setTenant(topicTenant);
        }
        if (req.getId() == null || req.getId().isBlank() || req.getId().length() > RequestValidator.MAX_ID_CHARS) {
            deadLetter(record, "unanswerable request: its id is " + (req.getId() == null || req.getId().isBlank() ? "empty"
                    : req.getId().length() + " characters, more than " + RequestValidator.MAX_ID_CHARS)
                    + " (the id keys every record of the request, up to its result)");
            return;
        }
        String policyName = policyOf(req);
        Optional<String> invalid = validator.validate(req, catalog.get(), record.timestamp(), receivedAt);
        if (req.getPolicy() != null && !policies.has(req.getPolicy()) && invalid.isEmpty()) {
            invalid = Optional.of(policies.whyUnknown(req.getPolicy()));
        }
        PartialRequest partial = req.getPartCount() > 1 ? parts.get(req.getId()) : null;
        Optional<String> expired = invalid.isPresent() ? Optional.empty()
                : RequestValidator.expiredWhileQueued(req, record.timestamp(), receivedAt);
        if (expired.isPresent() && partial != null) {
            metrics.part("expired"); // a late part of a request already planned: the aggregator answers it at its deadline
            return;
        }
        if (expired.isPresent()) {
            metrics.decided(policyName, "expired", "", 0);
            forwardPlan(record, plan(req, PlanDecision.EXPIRED, expired.get(), List.of(), null, policyName, receivedAt, 0)
                    .setPartCount(req.getPartCount()).build());
            return;
        }
        if (invalid.isPresent()) {
            metrics.decided(policyName, "invalid", "", 0);
            // a bad part ends its whole request: the INVALID plan outranks any earlier revision
            int revision = nextRevision(partial == null ? null : partial.getLastPlan());
            forwardPlan(record, plan(req, PlanDecision.INVALID, invalid.get(), List.of(), null, policyName, receivedAt, 0)
                    .setRevision(revision).setPartCount(req.getPartCount()).build());
            if (partial != null) {
                parts.delete(req.getId());
            }
            return;
        }
        if (partial == null) { // a request in several parts is charged once, for its first part
            TenantQuotas.Decision quota = quotas.admit(req.getTenant(), receivedAt);
            if (!quota.admitted()) {
                metrics.decided(policyName, "reject", "", 0);
                metrics.overQuota(req.getTenant());
                forwardPlan(record, plan(req, PlanDecision.REJECT, quota.reason(), List.of(), null, policyName, receivedAt, 0)
                        .setPartCount(req.getPartCount()).build());
                return;
            }
        }
        if (req.getPartCount() == 1) {
            SelectorCache.Lookup cached = cache.lookup(req, policyName, receivedAt);
            if (cached.answer().isPresent()) { // the prediction cache answers: no member runs
                dev.sluice.avro.CachedAnswer a = cached.answer().get();
                forwardPlan(record, plan(req, PlanDecision.SERVE, "prediction cache", a.getVariants(), null, policyName,
                        receivedAt, 0).setCached(a).build());
                return;
            }
            cache.dispatched(cached, serve(record, req, policyName, receivedAt, null, cached.deadlineDefault()).plan());
            return;
        }
        onPart(record, req, partial, policyName, receivedAt);
    }

    /**
     * One part of a request in several parts: merge it with the parts so far, then plan for the
     * modalities now present or hold it until the last part, as {@link PartPlanner} says.
     */
    private void onPart(Record<String, byte[]> record, InferenceRequest part, PartialRequest partial, String policyName,
            long receivedAt) {
        String id = part.getId();
        PartPlanner.SoFar soFar = partial == null ? null : soFar(partial);
        if (PartPlanner.isDuplicate(soFar, part.getPartIndex())) {
            metrics.part("duplicate");
            return;
        }
        InferenceRequest merged;
        List<Integer> seen;
        if (partial == null) {
            merged = InferenceRequest.newBuilder(part).build();
            seen = List.of(part.getPartIndex());
        } else {
            Optional<String> mismatch = RequestParts.mismatch(partial.getRequest(), part);
            if (mismatch.isPresent()) {
                metrics.decided(policyName, "invalid", "", 0);
                forwardPlan(record, plan(partial.getRequest(), PlanDecision.INVALID, mismatch.get(), List.of(), null, policyName,
                        receivedAt, 0).setRevision(nextRevision(partial.getLastPlan())).setPartCount(part.getPartCount()).build());
                parts.delete(id);
                return;
            }
            merged = RequestParts.merge(partial.getRequest(), part);
            seen = new ArrayList<>(partial.getPartsSeen());
            seen.add(part.getPartIndex());
        }
        Plan last = partial == null ? null : partial.getLastPlan();
        List<String> dispatched = partial == null ? List.of() : partial.getDispatched();
        boolean speculate = !"false".equalsIgnoreCase(merged.getParameters().get(SPECULATE_PARAMETER));
        PartPlanner.Step step = PartPlanner.onPart(soFar, seen.size(), part.getPartCount(), speculate);
        if (step instanceof PartPlanner.Hold hold) {
            if (hold.announce()) { // tell the aggregator the request exists, so it answers at the deadline if parts never come
                last = plan(merged, PlanDecision.SERVE, "waiting for " + hold.missing() + " of " + part.getPartCount() + " parts",
                        List.of(), null, policyName, receivedAt, 0).setPartsMissing(hold.missing())
                        .setPartCount(part.getPartCount()).build();
                forwardPlan(record, last);
            }
            metrics.part("held");
            parts.put(id, new PartialRequest(merged, seen, dispatched, last));
            return;
        }
        PartPlanner.Replan replan = (PartPlanner.Replan) step;
        Served served = serve(record, merged, policyName, receivedAt,
                new Revision(replan, part.getPartCount(), last, soFar), null);
        metrics.part("planned");
        if (!replan.provisional()) {
            parts.delete(id);
        } else {
            parts.put(id, new PartialRequest(merged, seen, served.dispatched(), served.plan()));
        }
    }

    private static PartPlanner.SoFar soFar(PartialRequest partial) {
        Plan last = partial.getLastPlan();
        return new PartPlanner.SoFar(partial.getPartsSeen(), partial.getDispatched(),
                last == null ? OptionalInt.empty() : OptionalInt.of(last.getRevision()),
                last == null ? List.of() : last.getVariants());
    }

    /** Where a plan stands among its request's revisions; null for a request in one part. */
    private record Revision(PartPlanner.Replan step, int partCount, Plan previous, PartPlanner.SoFar soFar) {}

    private record Served(Plan plan, List<String> dispatched) {}

    /**
     * Decides for {@code req} with the modalities it carries and sends what {@link PartPlanner}
     * says: the plan and the tasks of members not yet dispatched, the previous revision's members
     * again, a plan without members, or a rejection.
     *
     * @param deadlineDefault the answer for the aggregator to give if no member answers by the deadline, or null
     */
    private Served serve(Record<String, byte[]> record, InferenceRequest req, String policyName, long receivedAt,
            Revision revision, dev.sluice.avro.CachedAnswer deadlineDefault) {
        Map<String, Tensor> byModality = ModalityInputs.of(req.getModalities(), req.getInputs());
        Catalog now = catalog.get();
        if (now != servableFor) { // the live catalog changed: cut the servable views again
            servableCatalogs.clear();
            servableFor = now;
        }
        Catalog servable = servableCatalogs.computeIfAbsent(Set.copyOf(byModality.keySet()), now::servableWith);
        boolean provisional = revision != null && revision.step().provisional();
        double floor = PartPlanner.floor(req.getMinAccuracy(), provisional, provisional
                ? PartPlanner.bestPresent(servable, req.getTask()) : OptionalDouble.empty());
        long t0 = System.nanoTime();
        SelectionPolicy policy = policies.get(policyName);
        Selection s = policy.decide(new SelectionRequest(req.getId(), req.getTask(), req.getCreatedAtMs(), req.getDeadlineMs(),
                req.getPriority(), floor, req.getTier(), List.copyOf(byModality.keySet())),
                servable, load.snapshot(receivedAt), receivedAt);
        long nanos = System.nanoTime() - t0;
        Plan previous = revision == null ? null : revision.previous();
        PartPlanner.Outcome outcome = PartPlanner.afterDecision(s, provisional, revision == null ? null : revision.soFar());
        List<String> dispatched = PartPlanner.dispatchedAfter(outcome, revision == null ? null : revision.soFar());
        if (!(outcome instanceof PartPlanner.Dispatch dispatch)) {
            metrics.decided(policyName, "reject", "", nanos);
            Plan plan;
            if (outcome instanceof PartPlanner.KeepPrevious keep) {
                plan = revised(Plan.newBuilder(previous).setReason(keep.reason()).setPlannedAtMs(clock.millis()), revision).build();
            } else if (outcome instanceof PartPlanner.Unchanged) {
                return new Served(previous, dispatched);
            } else if (outcome instanceof PartPlanner.AwaitParts await) { // the aggregator waits for the rest or the deadline
                plan = revised(plan(req, PlanDecision.SERVE, await.reason(), List.of(), null, policyName, receivedAt,
                        nanos / 1000), revision).build();
            } else {
                plan = revised(plan(req, PlanDecision.REJECT, ((PartPlanner.Reject) outcome).reason(), List.of(), null,
                        policyName, receivedAt, nanos / 1000), revision).build();
            }
            forwardPlan(record, plan);
            return new Served(plan, dispatched);
        }
        double predicted = s.estimatedLatencyMs() - config.overheadMs();
        Variant fallback = revision == null && SelectorCache.wantsDefault(req)
                ? fallbackRun(servable, req.getTask(), dispatch.now()) : null;
        Plan plan = revised(plan(req, PlanDecision.SERVE, null, s.variants(), s.vote(), policyName, receivedAt, nanos / 1000)
                .setPredictedMs(Double.isFinite(predicted) && predicted > 0 ? predicted : -1), revision).setDeadlineDefault(deadlineDefault)
                .setFallbackRun(fallback == null ? null : new FallbackRun(fallback.id(), fallback.accuracy())).build();
        forwardPlan(record, plan);
        if (fallback != null) { // beside the members: answers only if none does by the deadline
            List<Tensor> inputs = ModalityInputs.forVariant(fallback, byModality);
            context.forward(new Record<String, Object>(req.getId(), InferenceTask.newBuilder()
                    .setRequestId(req.getId()).setVariant(fallback.id()).setTask(req.getTask())
                    .setInput(inputs.get(0)).setExtraInputs(inputs.subList(1, inputs.size()))
                    .setCreatedAtMs(req.getCreatedAtMs()).setDeadlineMs(req.getDeadlineMs()).setEnqueuedAtMs(clock.millis())
                    .setPriority(req.getPriority()).setTraceparent(req.getTraceparent()).build(), record.timestamp()), TASKS_SINK);
            load.onDispatch(fallback.id());
        }
        for (String member : dispatch.now()) {
            metrics.decided(policyName, "serve", member, nanos);
            Variant v = servable.variant(VariantViews.baseOf(member)).orElseThrow();
            List<Tensor> inputs = ModalityInputs.forVariant(v, byModality);
            InferenceTask task = InferenceTask.newBuilder()
                    .setRequestId(req.getId()).setVariant(member).setTask(req.getTask())
                    .setInput(inputs.get(0)).setExtraInputs(inputs.subList(1, inputs.size()))
                    .setCreatedAtMs(req.getCreatedAtMs())
                    .setDeadlineMs(req.getDeadlineMs()).setEnqueuedAtMs(clock.millis())
                    .setPriority(req.getPriority()).setTraceparent(req.getTraceparent())
                    .setEscalateTo(dispatch.escalateTo()).setEscalateBelow((float) s.escalateBelow())
                    .setFallbacks(s.fallbacks()).build();
            context.forward(new Record<String, Object>(req.getId(), task, record.timestamp()), TASKS_SINK);
            load.onDispatch(VariantViews.baseOf(member));
        }
        return new Served(plan, PartPlanner.dispatchedAfter(dispatch, revision == null ? null : revision.soFar()));
    }

    /**
     * The fast fallback run of a request that asked for a default answer: the task's cheapest
     * profiled variant that can take the request's inputs, unless it is among the members sent a
     * task (then it answers anyway); null when there is none.
     */
    static Variant fallbackRun(Catalog servable, String task, List<String> dispatched) {
        Variant cheapest = servable.forTask(task).stream().filter(Variant::isProfiled).findFirst().orElse(null);
        if (cheapest == null || dispatched.stream().map(VariantViews::baseOf).anyMatch(cheapest.id()::equals)) {
            return null;
        }
        return cheapest;
    }

    /** The revision of the plan after {@code last} (null: none yet, so 0). */
    private static int nextRevision(Plan last) {
        return PartPlanner.nextRevision(last == null ? OptionalInt.empty() : OptionalInt.of(last.getRevision()));
    }

    private static Plan.Builder revised(Plan.Builder plan, Revision revision) {
        if (revision == null) {
            return plan;
        }
        return plan.setRevision(revision.step().revision()).setPartsMissing(revision.step().missing())
                .setPartCount(revision.partCount());
    }

    /** Drops the state of requests whose missing parts can no longer matter: the aggregator has answered them at the deadline. */
    private void expireParts(long nowMs) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, PartialRequest> it = parts.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (kv.value.getRequest().getDeadlineMs() + PARTS_RETENTION.toMillis() < nowMs) {
                    expired.add(kv.key);
                }
            }
        }
        for (String id : expired) {
            parts.delete(id);
            metrics.part("expired");
        }
    }

    private String policyOf(InferenceRequest req) {
        return req.getPolicy() != null && policies.has(req.getPolicy()) ? req.getPolicy() : config.defaultPolicy();
    }

    /** {@code vote}: the policy's vote method, or null for majority over several variants (pass-through for one). */
    private Plan.Builder plan(InferenceRequest req, PlanDecision decision, String reason, List<String> variants, String vote,
            String policy, long receivedAt, long decisionUs) {
        VoteMethod method = vote != null ? VoteMethod.valueOf(vote)
                : variants.size() > 1 ? VoteMethod.MAJORITY : VoteMethod.PASS_THROUGH;
        return Plan.newBuilder().setRequestId(req.getId()).setTask(DeadLetters.clip(req.getTask(), MAX_ECHOED_CHARS))
                .setDecision(decision).setReason(DeadLetters.clip(reason, DeadLetters.MAX_REASON_CHARS))
                .setRequestOrigin(origin)
                .setVariants(variants).setVote(method)
                .setPolicy(policy).setCreatedAtMs(req.getCreatedAtMs()).setDeadlineMs(req.getDeadlineMs())
                .setReceivedAtMs(receivedAt).setPlannedAtMs(clock.millis()).setDecisionUs(decisionUs)
                .setFinalOnly(req.getFinalOnly()).setOutputs(req.getOutputs())
                .setTenant(DeadLetters.clip(req.getTenant(), MAX_ECHOED_CHARS))
                .setTraceparent(DeadLetters.clip(req.getTraceparent(), RequestValidator.MAX_TRACEPARENT_CHARS));
    }

    private void forwardPlan(Record<String, byte[]> in, Plan plan) {
        context.forward(new Record<String, Object>(plan.getRequestId(), plan, in.timestamp()), PLANS_SINK);
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        metrics.deadLetter();
        Optional<RecordMetadata> meta = context.recordMetadata();
        var h = DeadLetters.headers(record.headers(), reason, meta.map(RecordMetadata::topic).orElse(null),
                meta.map(RecordMetadata::partition).orElse(-1), meta.map(RecordMetadata::offset).orElse(-1L), record.value());
        context.forward(new Record<String, Object>(DeadLetters.key(record.key()), DeadLetters.value(record.value()),
                record.timestamp(), h), DLQ_SINK);
    }

    /**
     * Where the client's record of this request was written: the JSON bridge's header for a
     * request it forwarded, else this record's own coordinates; null when neither is known.
     */
    private String origin(Record<String, byte[]> record) {
        Header h = record.headers().lastHeader(Topics.ORIGIN_HEADER);
        if (h != null && h.value() != null && h.value().length <= 512) {
            return new String(h.value(), StandardCharsets.UTF_8);
        }
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse(null);
    }
}
