package dev.sluice.selector;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Plan;
import dev.sluice.avro.PlanDecision;
import dev.sluice.avro.VoteMethod;
import dev.sluice.models.Catalog;
import dev.sluice.schemas.Topics;
import dev.sluice.schemas.VariantViews;
import dev.sluice.selector.policy.Policies;
import dev.sluice.selector.policy.Selection;
import dev.sluice.selector.policy.SelectionPolicy;
import dev.sluice.selector.policy.SelectionRequest;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads raw request bytes, and for each: undecodable -> dead letter with the reason; invalid ->
 * an INVALID plan; otherwise the policy's decision -> a plan plus one task per chosen variant.
 * Under exactly-once all outputs of one request commit in the same transaction.
 */
final class SelectorProcessor implements Processor<String, byte[], String, Object> {
    static final String PLANS_SINK = "plans-sink";
    static final String TASKS_SINK = "tasks-sink";
    static final String DLQ_SINK = "dlq-sink";

    private final Deserializer<InferenceRequest> requests;
    private final Catalog catalog;
    private final Policies policies;
    private final SelectorConfig config;
    private final RequestValidator validator;
    private final LiveLoadView load;
    private final InstantSource clock;
    private final SelectorMetrics metrics;
    private ProcessorContext<String, Object> context;

    SelectorProcessor(Deserializer<InferenceRequest> requests, Catalog catalog, Policies policies, SelectorConfig config,
            LiveLoadView load, InstantSource clock, SelectorMetrics metrics) {
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
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long receivedAt = clock.millis();
        InferenceRequest req;
        try {
            if (record.value() == null || record.value().length == 0) {
                throw new IllegalArgumentException("empty record value");
            }
            req = requests.deserialize(Topics.REQUESTS, record.headers(), record.value());
        } catch (RuntimeException e) {
            deadLetter(record, "undecodable request: " + rootMessage(e));
            return;
        }
        String policyName = req.getPolicy() != null && policies.has(req.getPolicy()) ? req.getPolicy() : config.defaultPolicy();
        Optional<String> invalid = validator.validate(req, catalog, receivedAt);
        if (req.getPolicy() != null && !policies.has(req.getPolicy()) && invalid.isEmpty()) {
            invalid = Optional.of(policies.whyUnknown(req.getPolicy()));
        }
        if (invalid.isPresent()) {
            metrics.decided(policyName, "invalid", "", 0);
            forwardPlan(record, plan(req, PlanDecision.INVALID, invalid.get(), List.of(), null, policyName, receivedAt, 0));
            return;
        }
        long t0 = System.nanoTime();
        SelectionPolicy policy = policies.get(policyName);
        Selection s = policy.decide(new SelectionRequest(req.getId(), req.getTask(), req.getCreatedAtMs(), req.getDeadlineMs(),
                req.getPriority(), req.getMinAccuracy(), req.getTier(), req.getModalities()),
                catalog, load.snapshot(receivedAt), receivedAt);
        long nanos = System.nanoTime() - t0;
        if (!s.serve()) {
            metrics.decided(policyName, "reject", "", nanos);
            forwardPlan(record, plan(req, PlanDecision.REJECT, s.reason(), List.of(), null, policyName, receivedAt, nanos / 1000));
            return;
        }
        Plan plan = plan(req, PlanDecision.SERVE, null, s.variants(), s.vote(), policyName, receivedAt, nanos / 1000);
        forwardPlan(record, plan);
        // a cascade dispatches its first stage only; the executor passes the request on when unsure
        List<String> dispatched = s.isCascade() ? s.variants().subList(0, 1) : s.variants();
        List<String> escalateTo = s.isCascade() ? s.variants().subList(1, s.variants().size()) : List.of();
        for (String member : dispatched) {
            metrics.decided(policyName, "serve", member, nanos);
            InferenceTask task = InferenceTask.newBuilder()
                    .setRequestId(req.getId()).setVariant(member).setTask(req.getTask())
                    .setInput(req.getInputs().get(0)).setCreatedAtMs(req.getCreatedAtMs())
                    .setDeadlineMs(req.getDeadlineMs()).setEnqueuedAtMs(clock.millis())
                    .setPriority(req.getPriority()).setTraceparent(req.getTraceparent())
                    .setEscalateTo(escalateTo).setEscalateBelow((float) s.escalateBelow()).build();
            context.forward(new Record<String, Object>(req.getId(), task, record.timestamp()), TASKS_SINK);
            load.onDispatch(VariantViews.baseOf(member));
        }
    }

    /** {@code vote}: the policy's vote method, or null for majority over several variants (pass-through for one). */
    private Plan plan(InferenceRequest req, PlanDecision decision, String reason, List<String> variants, String vote,
            String policy, long receivedAt, long decisionUs) {
        VoteMethod method = vote != null ? VoteMethod.valueOf(vote)
                : variants.size() > 1 ? VoteMethod.MAJORITY : VoteMethod.PASS_THROUGH;
        return Plan.newBuilder().setRequestId(req.getId()).setTask(req.getTask()).setDecision(decision).setReason(reason)
                .setVariants(variants).setVote(method)
                .setPolicy(policy).setCreatedAtMs(req.getCreatedAtMs()).setDeadlineMs(req.getDeadlineMs())
                .setReceivedAtMs(receivedAt).setPlannedAtMs(clock.millis()).setDecisionUs(decisionUs)
                .setFinalOnly(req.getFinalOnly()).setTraceparent(req.getTraceparent()).build();
    }

    private void forwardPlan(Record<String, byte[]> in, Plan plan) {
        context.forward(new Record<String, Object>(plan.getRequestId(), plan, in.timestamp()), PLANS_SINK);
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        metrics.deadLetter();
        RecordHeaders h = new RecordHeaders(record.headers().toArray());
        h.add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        Optional<RecordMetadata> meta = context.recordMetadata();
        meta.ifPresent(m -> {
            h.add(Topics.DLQ_SOURCE_TOPIC_HEADER, m.topic().getBytes(StandardCharsets.UTF_8));
            h.add(Topics.DLQ_SOURCE_PARTITION_HEADER, Integer.toString(m.partition()).getBytes(StandardCharsets.UTF_8));
            h.add(Topics.DLQ_SOURCE_OFFSET_HEADER, Long.toString(m.offset()).getBytes(StandardCharsets.UTF_8));
        });
        context.forward(new Record<String, Object>(record.key(), record.value(), record.timestamp(), h), DLQ_SINK);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
