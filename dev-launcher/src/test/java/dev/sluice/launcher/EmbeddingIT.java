package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.Tensor;
import dev.sluice.common.DeliveryMode;
import dev.sluice.common.TopicFollower;
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.gateway.GatewayConfig;
import dev.sluice.gateway.GatewayServer;
import dev.sluice.gateway.oip.GRPCInferenceServiceGrpc;
import dev.sluice.gateway.oip.InferParameter;
import dev.sluice.gateway.oip.InferTensorContents;
import dev.sluice.gateway.oip.ModelInferRequest;
import dev.sluice.gateway.oip.ModelInferResponse;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A model that answers with output tensors, not class scores, served end to end: the embedding
 * task of models/catalog-embedding.yaml on the real in-JVM broker and ONNX Runtime, through the
 * Avro client, the JSON topic and the OIP gateway (HTTP and gRPC). A single member's embedding is
 * passed through, a MEAN plan averages the two variants', and a plan that votes for a class over
 * them is refused with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingIT {
    private static final Path CATALOG = Path.of("../models/catalog-embedding.yaml");
    private static final String TASK = "fashion-mnist-embedding";
    private static final int DIM = 64;
    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final ObjectMapper json = new ObjectMapper();
    private Catalog catalog;
    private FashionMnist test;
    private SluiceStack stack;
    private SluiceClient client;
    private GatewayServer gateway;
    private ManagedChannel channel;

    @BeforeAll
    void start() {
        catalog = Catalog.load(CATALOG);
        test = FashionMnist.test();
        stack = SluiceStack.start(null, null, serdes, catalog, CATALOG.toAbsolutePath().getParent(),
                new SluiceStack.Options(DeliveryMode.EXACTLY_ONCE_RESULTS, 20, "infaas", -1, Device.CPU, 1, 2),
                new SimpleMeterRegistry());
        client = SluiceClient.connect(stack.kafka(), serdes);
        gateway = GatewayServer.start(stack.kafka(), serdes, catalog, GatewayConfig.defaults().withPorts(0, 0),
                new SimpleMeterRegistry());
        channel = Grpc.newChannelBuilderForAddress("localhost", gateway.grpcPort(), InsecureChannelCredentials.create()).build();
    }

    @AfterAll
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (gateway != null) {
            gateway.close();
        }
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** {@code variant}'s embedding of test image {@code image}, straight from ONNX Runtime. */
    private float[] embedding(String variant, int image) {
        try (OnnxModel m = OnnxModel.load(catalog.variant(variant).orElseThrow(), CATALOG.toAbsolutePath().getParent(),
                Device.CPU, 1)) {
            return m.run(test.images()[image], 1);
        }
    }

    private static float[] floats(Tensor t) {
        ByteBuffer b = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5, what + " [" + i + "]");
        }
    }

    private InferenceResult infer(String id, int image, String policy) throws Exception {
        long now = System.currentTimeMillis();
        InferenceRequest.Builder r = InferenceRequest.newBuilder().setId(id).setTask(TASK).setCreatedAtMs(now)
                .setDeadlineMs(now + 20_000).setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28},
                        test.images()[image])));
        if (policy != null) {
            r.setPolicy(policy);
        }
        return client.submit(r.build()).get(60, TimeUnit.SECONDS);
    }

    @Test
    void aSingleMembersEmbeddingIsPassedThroughAsTheModelComputedIt() throws Exception {
        InferenceResult r = infer("one-0", 0, null);
        assertEquals(ResultStatus.OK, r.getStatus(), r.toString());
        assertEquals(-1, r.getLabel(), "no class");
        assertTrue(r.getProbabilities().isEmpty());
        assertEquals(1, r.getVariants().size());
        assertEquals(1, r.getOutputs().size());
        Tensor t = r.getOutputs().get(0);
        assertEquals("embedding", t.getName());
        assertEquals("FP32", t.getDatatype());
        assertEquals(List.of(1L, (long) DIM), t.getShape());
        float[] got = floats(t);
        assertClose(embedding(r.getVariants().get(0), 0), got, "the executor's embedding");
        double norm = 0;
        for (float f : got) {
            norm += f * f;
        }
        assertEquals(1.0, norm, 1e-4, "unit length, as the model makes it");
    }

    @Test
    void aMeanPlanAveragesTheTwoVariantsEmbeddings() throws Exception {
        InferenceResult r = infer("mean-1", 1, "fixed:embed-mlp+embed-cnn:mean");
        assertEquals(ResultStatus.OK, r.getStatus(), r.toString());
        assertEquals(List.of("embed-mlp", "embed-cnn"), r.getVariants());
        assertEquals(2, r.getVotes().size());
        float[] a = embedding("embed-mlp", 1);
        float[] b = embedding("embed-cnn", 1);
        float[] mean = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            mean[i] = (a[i] + b[i]) / 2;
        }
        assertClose(mean, floats(r.getOutputs().get(0)), "the element-wise mean");
    }

    @Test
    void aVoteForAClassOverEmbeddingsIsRefusedWithTheReason() throws Exception {
        InferenceResult r = infer("vote-2", 2, "fixed:embed-mlp+embed-cnn:majority");
        assertEquals(ResultStatus.INVALID, r.getStatus(), r.toString());
        assertTrue(r.getReason().startsWith("vote MAJORITY counts classes, but "), r.getReason());
        assertTrue(r.getReason().contains("answered with output tensors (embedding FP32 [1, 64]), not a class"), r.getReason());
        assertTrue(r.getOutputs().isEmpty());
    }

    private static String jsonRequest(String id, String extra, float[] image) {
        StringBuilder data = new StringBuilder();
        for (float f : image) {
            data.append(data.length() == 0 ? "" : ",").append(f);
        }
        return "{\"id\":\"" + id + "\",\"task\":\"" + TASK + "\",\"timeout_ms\":20000" + extra
                + ",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[" + data + "]}]}";
    }

    @Test
    void theJsonTopicCarriesTheEmbeddingAndRefusesAClassifiersOutputName() throws Exception {
        Map<String, String> requests = Map.of(
                "json-emb", jsonRequest("json-emb", ",\"policy\":\"fixed:embed-cnn\",\"outputs\":[{\"name\":\"embedding\"}]",
                        test.images()[3]),
                "json-label", jsonRequest("json-label", ",\"outputs\":[{\"name\":\"label\"}]", test.images()[3]));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(stack.kafka().clientConfig(), new StringSerializer(),
                new StringSerializer())) {
            for (var e : requests.entrySet()) {
                p.send(new ProducerRecord<>(Topics.DEFAULT.requestsJson(), e.getKey(), e.getValue())).get();
            }
        }
        Map<String, JsonNode> byId = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = TopicFollower.committedConsumer(stack.kafka(), Topics.DEFAULT.resultsJson(),
                new StringDeserializer(), TopicFollower.Start.BEGINNING)) {
            long until = System.currentTimeMillis() + 60_000;
            while (byId.size() < requests.size() && System.currentTimeMillis() < until) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (requests.containsKey(r.key())) {
                        byId.put(r.key(), json.readTree(r.value()));
                    }
                }
            }
        }
        JsonNode emb = byId.get("json-emb");
        assertFalse(emb.has("error"), emb.toString());
        assertEquals(TASK, emb.get("model_name").asText());
        assertEquals(1, emb.get("outputs").size(), emb.toString());
        JsonNode t = emb.get("outputs").get(0);
        assertEquals("embedding", t.get("name").asText());
        assertEquals("FP32", t.get("datatype").asText());
        assertEquals("[1," + DIM + "]", t.get("shape").toString());
        float[] got = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            got[i] = (float) t.get("data").get(i).asDouble();
        }
        assertClose(embedding("embed-cnn", 3), got, "the JSON result's embedding");
        JsonNode label = byId.get("json-label");
        assertEquals("INVALID: unknown output 'label' (outputs: embedding) for model '" + TASK + "'",
                label.get("error").asText(), label.toString());
    }

    @Test
    void theGatewayAnswersWithTheEmbeddingOverHttpAndGrpc() throws Exception {
        ObjectNode body = json.createObjectNode();
        body.putObject("parameters").put("policy", "fixed:embed-mlp");
        ObjectNode in = body.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        in.putArray("shape").add(1).add(1).add(28).add(28);
        ArrayNode data = in.putArray("data");
        for (float f : test.images()[4]) {
            data.add(f);
        }
        HttpResponse<String> http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(gateway.baseUrl() + "/models/" + TASK + "/infer")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, http.statusCode(), http.body());
        JsonNode out = json.readTree(http.body()).get("outputs").get(0);
        assertEquals("embedding", out.get("name").asText());
        assertEquals(DIM, out.get("data").size());
        assertEquals(embedding("embed-mlp", 4)[0], out.get("data").get(0).floatValue(), 1e-5);

        HttpResponse<String> meta = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(gateway.baseUrl() + "/models/" + TASK)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("embedding", json.readTree(meta.body()).get("outputs").get(0).get("name").asText(), meta.body());

        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (float f : test.images()[4]) {
            c.addFp32Contents(f);
        }
        ModelInferResponse g = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName(TASK)
                        .putParameters("policy", InferParameter.newBuilder().setStringParam("fixed:embed-mlp").build())
                        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32")
                                .addAllShape(List.of(1L, 1L, 28L, 28L)).setContents(c))
                        .build());
        assertEquals("embedding", g.getOutputs(0).getName());
        assertEquals(List.of(1L, (long) DIM), g.getOutputs(0).getShapeList());
        assertEquals(DIM, g.getOutputs(0).getContents().getFp32ContentsCount());
        float[] expected = embedding("embed-mlp", 4);
        for (int i = 0; i < DIM; i++) {
            assertEquals(expected[i], g.getOutputs(0).getContents().getFp32Contents(i), 1e-5);
        }
    }
}
