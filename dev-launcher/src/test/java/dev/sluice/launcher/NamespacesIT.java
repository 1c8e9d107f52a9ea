package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.common.DeliveryMode;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two deployments under different prefixes on one broker (issue 17, namespaces): each serves its
 * own catalog (team-a only {@code linear}, team-b only {@code mlp}) and both are sent the very
 * same request ids. Were any topic, group, transactional id or catalog shared, a deployment would
 * answer the other's requests, plan the other's variant, or answer a re-used id INVALID.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamespacesIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final int REQUESTS = 30;
    private static final Topics TEAM_A = Topics.prefixed("team-a.", "team-a.");
    private static final Topics TEAM_B = Topics.prefixed("team-b-", "grp-b.");
    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private EmbeddedKafka broker;
    private SluiceStack a;
    private SluiceStack b;
    private FashionMnist test;

    @BeforeAll
    void start() {
        test = FashionMnist.test();
        broker = EmbeddedKafka.start();
        Catalog all = Catalog.load(CATALOG);
        Path dir = CATALOG.toAbsolutePath().getParent();
        a = SluiceStack.start(broker.bootstrap(), null, TEAM_A, serdes, new Catalog(List.of(all.variant("linear").orElseThrow())), dir,
                options(), new SimpleMeterRegistry());
        b = SluiceStack.start(broker.bootstrap(), null, TEAM_B, serdes, new Catalog(List.of(all.variant("mlp").orElseThrow())), dir,
                options(), new SimpleMeterRegistry());
    }

    private static SluiceStack.Options options() {
        return new SluiceStack.Options(DeliveryMode.EXACTLY_ONCE_RESULTS, 20, "infaas", -1, Device.CPU, 1, 2);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, broker}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing the rest matters more
                }
            }
        }
    }

    private List<InferenceResult> serve(SluiceStack stack) throws Exception {
        try (SluiceClient client = SluiceClient.connect(stack.kafka(), serdes, "it-" + stack.kafka().topics().topicPrefix())) {
            List<CompletableFuture<InferenceResult>> futures = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (int i = 0; i < REQUESTS; i++) {
                futures.add(client.submit(InferenceRequest.newBuilder().setId("same-id-" + i).setTask("fashion-mnist")
                        .setCreatedAtMs(now).setDeadlineMs(now + 30_000).setMinAccuracy(0.0)
                        .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[i]))).build()));
            }
            client.flush();
            List<InferenceResult> out = new ArrayList<>();
            for (CompletableFuture<InferenceResult> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(0, client.duplicates(), "no request answered twice");
            return out;
        }
    }

    /** Request id -> result status of every record on {@code topic}, read from the beginning. */
    private Map<String, List<String>> resultsOn(String topic) {
        Map<String, List<String>> seen = new HashMap<>();
        var results = serdes.<InferenceResult>deserializer();
        for (var r : TopicSnapshot.read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()), topic)) {
            InferenceResult v = results.deserialize(topic, r.value());
            seen.computeIfAbsent(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(v.getStatus() + " " + v.getVariants());
        }
        return seen;
    }

    @Test
    void twoPrefixedDeploymentsOnOneClusterNeverSeeEachOthersRecords() throws Exception {
        List<InferenceResult> fromA = serve(a);
        List<InferenceResult> fromB = serve(b);
        for (InferenceResult r : fromA) {
            assertEquals(ResultStatus.OK, r.getStatus(), r.toString());
            assertEquals(List.of("linear"), r.getVariants(), "team-a serves only its own catalog: " + r);
        }
        for (InferenceResult r : fromB) {
            assertEquals(ResultStatus.OK, r.getStatus(), "the same ids are new to team-b: " + r);
            assertEquals(List.of("mlp"), r.getVariants(), "team-b serves only its own catalog: " + r);
        }

        // each results topic holds exactly its deployment's answers, one per id
        Map<String, List<String>> onA = resultsOn(TEAM_A.results());
        Map<String, List<String>> onB = resultsOn(TEAM_B.results());
        assertEquals(REQUESTS, onA.size(), onA.toString());
        assertEquals(REQUESTS, onB.size(), onB.toString());
        onA.values().forEach(v -> assertEquals(List.of("OK [linear]"), v));
        onB.values().forEach(v -> assertEquals(List.of("OK [mlp]"), v));

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertTrue(topics.containsAll(List.of("team-a.sluice.requests", "team-a.sluice.tasks.linear",
                    "team-b-sluice.requests", "team-b-sluice.tasks.mlp", "team-b-sluice.catalog")), topics.toString());
            // (the embedded broker's own sluice.warmup is not a deployment's; Streams' changelogs take the group prefix)
            assertFalse(topics.stream().anyMatch(t -> t.startsWith("sluice.") && !t.equals("sluice.warmup")),
                    "no unprefixed topic: " + topics);
            assertTrue(topics.contains("grp-b.sluice-aggregator-pending-changelog"), topics.toString());
            Set<String> groups = admin.listGroups().all().get(30, TimeUnit.SECONDS).stream().map(GroupListing::groupId)
                    .collect(Collectors.toSet());
            assertTrue(groups.containsAll(List.of("team-a.sluice-selector", "team-a.sluice-aggregator",
                    "team-a.sluice-json-bridge", "team-a.sluice-executor-linear", "grp-b.sluice-selector",
                    "grp-b.sluice-aggregator", "grp-b.sluice-json-bridge", "grp-b.sluice-executor-mlp")), groups.toString());
            assertFalse(groups.stream().anyMatch(g -> g.startsWith("sluice-") && !g.equals("sluice-warmup")),
                    "no unprefixed group: " + groups);
        }
    }
}
