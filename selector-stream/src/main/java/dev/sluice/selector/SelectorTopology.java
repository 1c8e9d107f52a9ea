package dev.sluice.selector;

import dev.sluice.decision.load.LoadView;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.PartialRequest;
import dev.sluice.avro.Plan;
import dev.sluice.models.Catalog;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import dev.sluice.decision.VariantViews;
import dev.sluice.decision.policy.Policies;
import dev.sluice.decision.quota.TenantQuotas;
import dev.sluice.schemas.WireFormatDecoder;
import java.time.InstantSource;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Wiring of the selector: requests in; plans, per-variant tasks and dead letters out; the parts store. */
public final class SelectorTopology {
    /** Requests in several parts, merged so far (changelog-backed, in memory). */
    public static final String PARTS_STORE = "parts";

    private SelectorTopology() {}

    @SuppressWarnings("unchecked")
    public static Topology build(SluiceSerdes serdes, Catalog catalog, SelectorConfig config, LoadView load,
            InstantSource clock, SelectorMetrics metrics) {
        return build(serdes, catalog, config, new Policies(config.policies()), load, clock, metrics);
    }

    /** With a policy registry shared with other parts of the app (e.g. the feedback listener). */
    public static Topology build(SluiceSerdes serdes, Catalog catalog, SelectorConfig config, Policies policies,
            LoadView load, InstantSource clock, SelectorMetrics metrics) {
        return build(serdes, () -> catalog, config, policies, load, clock, metrics);
    }

    /** Deciding on whatever {@code catalog} holds at each request: the live catalog. */
    public static Topology build(SluiceSerdes serdes, Supplier<Catalog> catalog, SelectorConfig config, Policies policies,
            LoadView load, InstantSource clock, SelectorMetrics metrics) {
        return build(serdes, catalog, config, policies, load, clock, metrics, SelectorCache.OFF);
    }

    /** With the prediction cache ({@link SelectorCache}; {@link SelectorCache#OFF} for none). */
    public static Topology build(SluiceSerdes serdes, Supplier<Catalog> catalog, SelectorConfig config, Policies policies,
            LoadView load, InstantSource clock, SelectorMetrics metrics, SelectorCache cache) {
        return build(serdes, catalog, config, policies, load, clock, metrics, cache, Topics.DEFAULT);
    }

    /** Reading and writing the topics of {@code names} (a deployment's prefix). */
    public static Topology build(SluiceSerdes serdes, Supplier<Catalog> catalog, SelectorConfig config, Policies policies,
            LoadView load, InstantSource clock, SelectorMetrics metrics, SelectorCache cache, Topics names) {
        policies.get(config.defaultPolicy()); // fail at start-up on an unknown default
        Topology t = new Topology();
        // one set of buckets for every stream task of this selector: a tenant's rate holds across partitions
        TenantQuotas quotas = new TenantQuotas(config.tenantQuotas());
        // sluice.requests and each tenant's own request topic (sluice.requests.<tenant>, co-partitioned with it)
        t.addSource("requests", new StringDeserializer(), new ByteArrayDeserializer(), names.requestTopics());
        t.addProcessor("select", () -> new SelectorProcessor(new WireFormatDecoder<>(serdes, InferenceRequest.getClassSchema()), catalog, policies,
                config, load, clock, metrics, cache, quotas, names), "requests");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PARTS_STORE), Serdes.String(),
                serdes.<PartialRequest>serde()).withLoggingEnabled(Map.of()), "select");
        Serializer<Object> plans = (Serializer<Object>) (Serializer<?>) serdes.<Plan>serializer();
        Serializer<Object> tasks = (Serializer<Object>) (Serializer<?>) serdes.<InferenceTask>serializer();
        Serializer<Object> raw = (topic, data) -> new ByteArraySerializer().serialize(topic, (byte[]) data);
        t.addSink(SelectorProcessor.PLANS_SINK, names.plans(), new StringSerializer(), plans, "select");
        t.addSink(SelectorProcessor.TASKS_SINK, (key, value, ctx) -> names.tasks(VariantViews.baseOf(((InferenceTask) value).getVariant())),
                new StringSerializer(), tasks, "select");
        t.addSink(SelectorProcessor.DLQ_SINK, names.dlq(), new StringSerializer(), raw, "select");
        return t;
    }
}
