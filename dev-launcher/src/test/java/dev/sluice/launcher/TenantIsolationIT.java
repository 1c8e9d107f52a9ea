package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.common.AccessPolicy;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.ScramUsers;
import dev.sluice.embedded.StandaloneKafka;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenants kept apart on a real broker that authenticates with SCRAM and authorizes by ACL
 * ({@link StandaloneKafka} in its secure mode, what {@code sluice up --secure} and
 * {@code sluice broker --secure} run), every component running as its own Kafka user: each
 * tenant gets its own answers on its own topic; tenant A is refused (an authorization error) on
 * tenant B's topic and on the shared sluice.results; an executor's user is refused on
 * sluice.requests; a wrong password does not log in. Then a tenant over its rate quota is
 * answered REJECTED with the reason, and the refusals are counted by tenant.
 */
class TenantIsolationIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final String A = "acme";
    private static final String B = "globex";
    /** The tenant with a quota. */
    private static final String Q = "initech";
    private static final double Q_RATE = 5;
    private static final int PER_TENANT = 40;

    private static StandaloneKafka kafka;
    private static ScramUsers users;
    private static SluiceStack stack;
    private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private static final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private static FashionMnist test;

    @BeforeAll
    static void start() throws Exception {
        Catalog catalog = Catalog.load(CATALOG);
        Catalog served = new Catalog(catalog.variants().stream().filter(v -> v.id().equals("linear")).toList());
        Path root = Path.of("target", "tenant-isolation-it").toAbsolutePath();
        deleteTree(root);
        test = FashionMnist.test();
        kafka = StandaloneKafka.start(new StandaloneKafka.Options(1, 0, root.resolve("kafka")).secure(ScramUsers.newPassword()));
        SluiceStack.Options o = new SluiceStack.Options(DeliveryMode.EXACTLY_ONCE_RESULTS, 20, "infaas", -1, Device.CPU, 1, 2)
                .withTenants(Set.of(A, B, Q)).withTenantQuotas(Map.of(Q, Q_RATE));
        users = ScramUsers.loadOrCreate(root.resolve("clients"), SluiceStack.users(o));
        stack = SluiceStack.startSecure(kafka, false, users, serdes, served, CATALOG.toAbsolutePath().getParent(), o, registry);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static KafkaSettings as(String user) {
        return users.settings(kafka.bootstrap(), user);
    }

    private static InferenceRequest request(String id, String tenant, int image) {
        long now = System.currentTimeMillis();
        return InferenceRequest.newBuilder().setId(id).setTask("fashion-mnist").setTenant(tenant).setCreatedAtMs(now)
                .setDeadlineMs(now + 60_000)
                .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, test.images()[image % test.size()])))
                .build();
    }

    /** Sends {@code n} requests as {@code tenant}'s own user and returns their answers, by id. */
    private static Map<String, InferenceResult> sendAs(String tenant, String prefix, int n) throws Exception {
        Map<String, CompletableFuture<InferenceResult>> futures = new LinkedHashMap<>();
        try (SluiceClient client = SluiceClient.connectAsTenant(as(AccessPolicy.tenantUser(tenant)), serdes, tenant)) {
            for (int i = 0; i < n; i++) {
                String id = prefix + i;
                futures.put(id, client.submit(request(id, tenant, i)));
            }
            client.flush();
            Map<String, InferenceResult> answers = new TreeMap<>();
            for (var e : futures.entrySet()) {
                answers.put(e.getKey(), e.getValue().get(120, TimeUnit.SECONDS));
            }
            return answers;
        }
    }

    /** Ids of every record on {@code topic} (committed), read as the super user. */
    private static List<String> idsOn(String topic) {
        return TopicSnapshot.read(kafka.clientConfig(StandaloneKafka.ADMIN_USER, kafka.options().adminPassword()), topic).stream()
                .map(r -> new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    /** What reading {@code topic} as {@code user} gives: the records, or the exception the broker answers with. */
    private static RuntimeException readAs(String user, String topic) {
        Map<String, Object> c = as(user).clientConfig();
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long until = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < until) {
                try {
                    if (!consumer.poll(Duration.ofMillis(500)).isEmpty()) {
                        return null; // it read records
                    }
                } catch (RuntimeException e) {
                    return e;
                }
            }
        }
        return null;
    }

    /** What writing one record to {@code topic} as {@code user} gives: null, or the exception the broker answers with. */
    private static Throwable writeAs(String user, String topic) {
        Map<String, Object> p = as(user).clientConfig();
        p.put("max.block.ms", 10_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, new byte[1])).get(20, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            return e.getCause() == null ? e : e.getCause();
        }
    }

    @Test
    void eachTenantReadsItsOwnAnswersAndNoOneElses() throws Exception {
        Map<String, InferenceResult> a = sendAs(A, "a-", PER_TENANT);
        Map<String, InferenceResult> b = sendAs(B, "b-", PER_TENANT);
        long aOk = a.values().stream().filter(r -> r.getStatus() == ResultStatus.OK).count();
        long bOk = b.values().stream().filter(r -> r.getStatus() == ResultStatus.OK).count();
        System.out.printf("isolation: tenant %s sent %d, got %d answers on %s (%d OK); tenant %s sent %d, got %d on %s (%d OK)%n",
                A, PER_TENANT, a.size(), Topics.DEFAULT.tenantResults(A), aOk, B, PER_TENANT, b.size(), Topics.DEFAULT.tenantResults(B), bOk);
        assertEquals(PER_TENANT, aOk);
        assertEquals(PER_TENANT, bOk);

        List<String> onA = idsOn(Topics.DEFAULT.tenantResults(A));
        List<String> onB = idsOn(Topics.DEFAULT.tenantResults(B));
        System.out.printf("isolation: %s holds %d records (%d of %s's ids); %s holds %d records (%d of %s's ids)%n",
                Topics.DEFAULT.tenantResults(A), onA.size(), onA.stream().filter(id -> id.startsWith("b-")).count(), B,
                Topics.DEFAULT.tenantResults(B), onB.size(), onB.stream().filter(id -> id.startsWith("a-")).count(), A);
        assertEquals(a.keySet(), Set.copyOf(onA), "A's topic holds A's answers, once each, and nothing else");
        assertEquals(PER_TENANT, onA.size());
        assertEquals(b.keySet(), Set.copyOf(onB));
        assertEquals(PER_TENANT, onB.size());

        RuntimeException aOnB = readAs(AccessPolicy.tenantUser(A), Topics.DEFAULT.tenantResults(B));
        System.out.println("isolation: " + AccessPolicy.tenantUser(A) + " reading " + Topics.DEFAULT.tenantResults(B) + " -> " + aOnB);
        assertTrue(aOnB instanceof TopicAuthorizationException, "A must be refused on B's topic, got " + aOnB);
        assertEquals(Set.of(Topics.DEFAULT.tenantResults(B)), ((TopicAuthorizationException) aOnB).unauthorizedTopics());

        RuntimeException aOnShared = readAs(AccessPolicy.tenantUser(A), Topics.DEFAULT.results());
        System.out.println("isolation: " + AccessPolicy.tenantUser(A) + " reading " + Topics.DEFAULT.results() + " -> " + aOnShared);
        assertTrue(aOnShared instanceof TopicAuthorizationException, "A must be refused on the shared results, got " + aOnShared);

        RuntimeException aOnOwn = readAs(AccessPolicy.tenantUser(A), Topics.DEFAULT.tenantResults(A));
        System.out.println("isolation: " + AccessPolicy.tenantUser(A) + " reading " + Topics.DEFAULT.tenantResults(A) + " -> "
                + (aOnOwn == null ? "records" : aOnOwn.toString()));
        assertEquals(null, aOnOwn, "A reads its own topic");

        RuntimeException executorOnRequests = readAs(AccessPolicy.EXECUTOR, Topics.DEFAULT.requests());
        System.out.println("isolation: " + AccessPolicy.EXECUTOR + " reading " + Topics.DEFAULT.requests() + " -> " + executorOnRequests);
        assertTrue(executorOnRequests instanceof TopicAuthorizationException, "executors must not read requests, got "
                + executorOnRequests);

        // B may write neither A's answers nor A's requests, nor the shared request topic (where it could name any tenant)
        for (String topic : List.of(Topics.DEFAULT.tenantResults(A), Topics.DEFAULT.tenantRequests(A), Topics.DEFAULT.requests())) {
            Throwable refused = writeAs(AccessPolicy.tenantUser(B), topic);
            System.out.println("isolation: " + AccessPolicy.tenantUser(B) + " writing " + topic + " -> " + refused);
            assertTrue(refused instanceof TopicAuthorizationException, "got " + refused);
        }

        // B naming A in a request on its own topic: the topic says it is B's, so the answer goes to B, not to A
        try (SluiceClient client = SluiceClient.connectAsTenant(as(AccessPolicy.tenantUser(B)), serdes, B)) {
            InferenceResult spoofed = client.submit(request("b-as-a", A, 7)).get(120, TimeUnit.SECONDS);
            List<String> onANow = idsOn(Topics.DEFAULT.tenantResults(A));
            System.out.println("isolation: " + B + " sent a request naming tenant " + A + " on " + Topics.DEFAULT.tenantRequests(B)
                    + " -> answered " + spoofed.getStatus() + " on " + Topics.DEFAULT.tenantResults(B) + "; on "
                    + Topics.DEFAULT.tenantResults(A) + ": " + onANow.stream().filter(id -> id.equals("b-as-a")).count());
            assertEquals(ResultStatus.OK, spoofed.getStatus());
            assertTrue(!onANow.contains("b-as-a"), "B's request reached A's answers");
        }

        Map<String, Object> wrong = new KafkaSettings(kafka.bootstrap(), Map.copyOf(ScramUsers.clientProperties(
                AccessPolicy.tenantUser(A), "not-the-password"))).clientConfig();
        RuntimeException login = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(wrong, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.partitionsFor(Topics.DEFAULT.tenantResults(A), Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            login = e;
        }
        System.out.println("isolation: " + AccessPolicy.tenantUser(A) + " with a wrong password -> " + login);
        assertTrue(login instanceof SaslAuthenticationException, "got " + login);
    }

    @Test
    void aTenantOverItsQuotaIsRejectedWithTheReason() throws Exception {
        int n = 40;
        long t0 = System.currentTimeMillis();
        Map<String, InferenceResult> q = sendAs(Q, "q-", n);
        long sentMs = System.currentTimeMillis() - t0;
        Map<ResultStatus, Long> byStatus = new TreeMap<>();
        q.values().forEach(r -> byStatus.merge(r.getStatus(), 1L, Long::sum));
        long rejected = byStatus.getOrDefault(ResultStatus.REJECTED, 0L);
        long ok = byStatus.getOrDefault(ResultStatus.OK, 0L);
        double counted = registry.find("sluice.selector.quota.rejected").tag("tenant", Q).counter().count();
        String reason = q.values().stream().filter(r -> r.getStatus() == ResultStatus.REJECTED).map(InferenceResult::getReason)
                .findFirst().orElse(null);
        System.out.printf("quota: tenant %s at %.0f requests/s sent %d at once (all answered within %d ms): %s; "
                + "sluice_selector_quota_rejected_total{tenant=%s} = %.0f; reason: %s%n", Q, Q_RATE, n, sentMs, byStatus, Q,
                counted, reason);
        assertEquals(n, ok + rejected, "every request OK or REJECTED");
        assertTrue(ok >= Q_RATE, "the burst of " + Q_RATE + " is admitted");
        // the bucket holds 5 and refills at 5/s while the requests are read
        assertTrue(ok <= Q_RATE + Math.ceil(Q_RATE * sentMs / 1000.0) + 1, "admitted " + ok + " in " + sentMs + " ms");
        assertTrue(rejected > 0);
        assertEquals(rejected, (long) counted, "each refusal counted");
        assertTrue(reason.startsWith("tenant 'initech' is over its quota of 5 requests/s"), reason);
        // an unlimited tenant sending as much at the same time is not refused
        Map<String, InferenceResult> a = sendAs(A, "a-burst-", n);
        assertEquals(n, a.values().stream().filter(r -> r.getStatus() == ResultStatus.OK).count());
    }

    private static void deleteTree(Path root) throws Exception {
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
