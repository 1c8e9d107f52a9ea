package dev.sluice.aggregator;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.PendingRequest;
import dev.sluice.avro.Plan;
import dev.sluice.decision.vote.Voters;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.time.InstantSource;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Wires plans and partials into one {@link AggregatorProcessor}, its result sink and (when the
 * config enables it) its cancellations sink.
 */
public final class AggregatorTopology {
    public static final String PLANS_SOURCE = "plans";
    public static final String PARTIALS_SOURCE = "partials";
    public static final String PROCESSOR = "aggregator";
    public static final String RESULTS_SINK = "results";
    public static final String CANCELLATIONS_SINK = "cancellations";
    /** request id -> plan and outputs received so far. */
    public static final String PENDING_STORE = "pending";
    /** due time + request id -> request id: plan deadlines (+ grace) and orphan timeouts. */
    public static final String DUE_INDEX_STORE = "pending-due";
    /**
     * request id -> a 64-bit hash of the answered request's origin (where its client record was
     * written; {@code Long.MIN_VALUE} when unknown), to tell a redelivery from a re-used id; also
     * id + separator + origin hash of each duplicate answered INVALID.
     */
    public static final String ANSWERED_STORE = "answered";
    /** answered-at + request id -> request id, to purge {@link #ANSWERED_STORE} after the retention. */
    public static final String ANSWERED_INDEX_STORE = "answered-index";

    private AggregatorTopology() {}

    public static Topology build(SluiceSerdes serdes, AggregatorConfig cfg, InstantSource clock,
                                 AggregatorMetrics metrics) {
        return build(serdes, cfg, clock, metrics, Voters.unweighted());
    }

    /** @param voters shared by every stream task (its weights are thread-safe) */
    public static Topology build(SluiceSerdes serdes, AggregatorConfig cfg, InstantSource clock,
                                 AggregatorMetrics metrics, Voters voters) {
        return build(serdes, cfg, clock, metrics, voters, Topics.DEFAULT);
    }

    /**
     * Reading and writing the topics of {@code names} (a deployment's prefix). With
     * {@link AggregatorConfig#forwardCancellations()} it also writes the ids it answered early to
     * {@link Topics#cancellations()}, keyed and valued by the id: a hint that executors may skip the
     * request's members still queued (every executor host follows it).
     */
    public static Topology build(SluiceSerdes serdes, AggregatorConfig cfg, InstantSource clock,
                                 AggregatorMetrics metrics, Voters voters, Topics names) {
        Topology t = new Topology();
        // Both topics are keyed by request id and co-partitioned, so one task sees a request's every record.
        t.addSource(PLANS_SOURCE, Serdes.String().deserializer(), serdes.<Plan>deserializer(), names.plans());
        t.addSource(PARTIALS_SOURCE, Serdes.String().deserializer(), serdes.<ModelOutput>deserializer(), names.partials());
        t.addProcessor(PROCESSOR, () -> new AggregatorProcessor(cfg, clock, metrics, voters), PLANS_SOURCE, PARTIALS_SOURCE);
        t.addStateStore(store(PENDING_STORE, serdes.<PendingRequest>serde()), PROCESSOR);
        t.addStateStore(store(DUE_INDEX_STORE, Serdes.String()), PROCESSOR);
        t.addStateStore(store(ANSWERED_STORE, Serdes.Long()), PROCESSOR);
        t.addStateStore(store(ANSWERED_INDEX_STORE, Serdes.String()), PROCESSOR);
        t.addSink(RESULTS_SINK, names.results(), Serdes.String().serializer(),
                serdes.<InferenceResult>serializer(), PROCESSOR);
        for (String tenant : cfg.tenantResults()) {
            t.addSink(tenantSink(tenant), names.tenantResults(tenant), Serdes.String().serializer(),
                    serdes.<InferenceResult>serializer(), PROCESSOR);
        }
        if (cfg.forwardCancellations()) {
            t.addSink(CANCELLATIONS_SINK, names.cancellations(), Serdes.String().serializer(),
                    Serdes.String().serializer(), PROCESSOR);
        }
        return t;
    }

    /** The sink of one routed tenant's result topic. */
    static String tenantSink(String tenant) {
        return "results-" + tenant;
    }

    private static <V> StoreBuilder<?> store(String name, Serde<V> valueSerde) {
        // in memory, restored from the changelog after a restart: RocksDB cost more CPU than the decisions
        KeyValueBytesStoreSupplier supplier = Stores.inMemoryKeyValueStore(name);
        return Stores.keyValueStoreBuilder(supplier, Serdes.String(), valueSerde).withLoggingEnabled(Map.of());
    }
}
