package dev.sluice.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.sluice.common.DeliveryMode;
import dev.sluice.executor.runtime.Device;
import dev.sluice.gateway.GatewayConfig;
import dev.sluice.gateway.GatewayServer;
import dev.sluice.gateway.oip.GRPCInferenceServiceGrpc;
import dev.sluice.gateway.oip.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.sluice.gateway.oip.InferParameter;
import dev.sluice.gateway.oip.InferTensorContents;
import dev.sluice.gateway.oip.ModelInferRequest;
import dev.sluice.gateway.oip.ModelInferResponse;
import dev.sluice.gateway.oip.ModelMetadataRequest;
import dev.sluice.gateway.oip.ModelMetadataResponse;
import dev.sluice.gateway.oip.ModelReadyRequest;
import dev.sluice.gateway.oip.ServerLiveRequest;
import dev.sluice.gateway.oip.ServerReadyRequest;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OIP (KServe v2) gateway on a real in-JVM broker with the real models of the zoo, called by
 * clients nobody here wrote: Java's HttpClient, curl, Python's urllib, and a grpc-java client.
 * One broker, one stack and one gateway for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayIT {
    private static final Path CATALOG = Path.of(System.getProperty("sluice.catalog", "../models/catalog.yaml"));
    private static final String MODEL = "fashion-mnist";
    private final SluiceSerdes serdes = SluiceSerdes.fingerprint();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Catalog catalog;
    private FashionMnist test;
    private SluiceStack stack;
    private GatewayServer gateway;
    private ManagedChannel channel;
    private GRPCInferenceServiceBlockingStub grpc;

    @BeforeAll
    void start() {
        catalog = Catalog.load(CATALOG);
        test = FashionMnist.test();
        stack = SluiceStack.start(null, null, serdes, catalog, CATALOG.toAbsolutePath().getParent(),
                new SluiceStack.Options(DeliveryMode.EXACTLY_ONCE_RESULTS, 20, "infaas", -1, Device.CPU, 1, 1),
                new SimpleMeterRegistry());
        gateway = GatewayServer.start(stack.kafka(), serdes, catalog, GatewayConfig.defaults().withPorts(0, 0), registry);
        channel = Grpc.newChannelBuilderForAddress("localhost", gateway.grpcPort(), InsecureChannelCredentials.create()).build();
        grpc = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (gateway != null) {
            gateway.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    // ---------------------------------------------------------------- HTTP, java.net.http

    @Test
    void httpHealthAndMetadataFollowTheProtocol() throws Exception {
        assertEquals(200, get("/health/live").statusCode());
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode());
        assertTrue(json.readTree(ready.body()).get("ready").asBoolean());

        HttpResponse<String> meta = get("/models/" + MODEL);
        assertEquals(200, meta.statusCode());
        JsonNode m = json.readTree(meta.body());
        assertEquals(MODEL, m.get("name").asText());
        assertEquals("input", m.get("inputs").get(0).get("name").asText());
        assertEquals("FP32", m.get("inputs").get(0).get("datatype").asText());
        assertEquals("[-1,1,28,28]", m.get("inputs").get(0).get("shape").toString());
        List<String> outputs = new ArrayList<>();
        m.get("outputs").forEach(o -> outputs.add(o.get("name").asText()));
        assertEquals(List.of("label", "confidence", "probabilities"), outputs);
        assertEquals("[-1,10]", m.get("outputs").get(2).get("shape").toString());

        assertEquals(200, get("/models/" + MODEL + "/ready").statusCode());
        HttpResponse<String> unknown = get("/models/imagenet/ready");
        assertEquals(404, unknown.statusCode());
        assertTrue(json.readTree(unknown.body()).get("error").asText().contains("fashion-mnist"), unknown.body());
        assertEquals(404, get("/models/imagenet").statusCode());
        assertEquals(405, send("GET", "/models/" + MODEL + "/infer", null).statusCode());
    }

    @Test
    void httpInferAnswersWithTheModelsLabelAndProbabilities() throws Exception {
        int correct = 0;
        int n = 20;
        for (int i = 0; i < n; i++) {
            ObjectNode body = imageRequest(i, 2_000, 0.0);
            body.put("id", "client-" + i);
            HttpResponse<String> r = post(MODEL, body);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
            JsonNode a = json.readTree(r.body());
            assertEquals(MODEL, a.get("model_name").asText(), "model_name is the model called, not a variant");
            assertEquals("client-" + i, a.get("id").asText(), "the client's id comes back");
            assertFalse(a.has("error"), r.body());
            assertEquals("OK", a.get("parameters").get("status").asText());
            JsonNode label = output(a, "label");
            assertEquals("INT64", label.get("datatype").asText());
            int l = label.get("data").get(0).asInt();
            JsonNode probs = output(a, "probabilities");
            assertEquals("[1,10]", probs.get("shape").toString());
            double sum = 0;
            int argmax = 0;
            for (int c = 0; c < 10; c++) {
                double p = probs.get("data").get(c).asDouble();
                sum += p;
                argmax = p > probs.get("data").get(argmax).asDouble() ? c : argmax;
            }
            assertEquals(1.0, sum, 1e-3, "probabilities of a single-variant answer sum to 1");
            assertEquals(l, argmax, "the label is the most probable class");
            assertEquals(probs.get("data").get(l).asDouble(), output(a, "confidence").get("data").get(0).asDouble(), 1e-6);
            correct += l == test.labels()[i] ? 1 : 0;
        }
        assertTrue(correct >= n * 0.7, correct + " of " + n + " correct");
    }

    @Test
    void httpHonoursRequestedOutputsAndTheEnvelopeInParameters() throws Exception {
        ObjectNode body = imageRequest(3, 2_000, 0.93);
        body.put("id", "floor");
        body.putArray("outputs").addObject().put("name", "label");
        ((ObjectNode) body.get("parameters")).put("tenant", "team-a").put("priority", 5).put("note", "kept");
        HttpResponse<String> r = post(MODEL, body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode a = json.readTree(r.body());
        assertEquals(1, a.get("outputs").size(), "only the output asked for");
        assertEquals("label", a.get("outputs").get(0).get("name").asText());
        String variant = a.get("parameters").get("variants").asText();
        assertTrue(catalog.variant(variant).orElseThrow().accuracy() >= 0.93, "served by " + variant + " under floor 0.93");

        ObjectNode badOutput = imageRequest(3, 2_000, 0.0);
        badOutput.putArray("outputs").addObject().put("name", "logits");
        HttpResponse<String> bad = post(MODEL, badOutput);
        assertEquals(400, bad.statusCode());
        assertTrue(json.readTree(bad.body()).get("error").asText().contains("unknown output 'logits'"), bad.body());
    }

    @Test
    void httpErrorsCarryTheStatusAClientExpects() throws Exception {
        // a bad shape is refused before Kafka, by the bridge's own parser
        ObjectNode badShape = imageRequest(0, 1_000, 0.0);
        ((ArrayNode) badShape.get("inputs").get(0).get("shape")).removeAll().add(1).add(784).add(2);
        HttpResponse<String> invalid = post(MODEL, badShape);
        assertEquals(400, invalid.statusCode(), invalid.body());
        assertTrue(json.readTree(invalid.body()).get("error").asText().contains("'data' has 784 elements"), invalid.body());

        // a datatype Sluice does not take is refused by name
        ObjectNode fp16 = imageRequest(0, 1_000, 0.0);
        ((ObjectNode) fp16.get("inputs").get(0)).put("datatype", "FP16");
        HttpResponse<String> unsupported = post(MODEL, fp16);
        assertEquals(400, unsupported.statusCode());
        assertTrue(json.readTree(unsupported.body()).get("error").asText().contains("'FP16'"), unsupported.body());

        // the selector checks the shape against the catalog: INVALID from the pipeline is a 400 too
        ObjectNode wrongModelShape = imageRequest(0, 1_000, 0.0);
        ObjectNode in = (ObjectNode) wrongModelShape.get("inputs").get(0);
        in.putArray("shape").add(1).add(784);
        HttpResponse<String> pipelineInvalid = post(MODEL, wrongModelShape);
        assertEquals(400, pipelineInvalid.statusCode(), pipelineInvalid.body());
        JsonNode pi = json.readTree(pipelineInvalid.body());
        assertEquals("INVALID", pi.get("parameters").get("status").asText(), pipelineInvalid.body());
        assertTrue(pi.get("error").asText().startsWith("INVALID"), pipelineInvalid.body());

        // no variant is that accurate: the selector's admission rejects it
        HttpResponse<String> rejected = post(MODEL, imageRequest(0, 1_000, 0.999));
        assertEquals(503, rejected.statusCode(), rejected.body());
        JsonNode rj = json.readTree(rejected.body());
        assertEquals("REJECTED", rj.get("parameters").get("status").asText());
        assertTrue(rj.get("error").asText().startsWith("REJECTED"), rejected.body());

        // fixed-high ignores the deadline, which passes before the model runs
        ObjectNode late = imageRequest(0, 2, 0.0);
        ((ObjectNode) late.get("parameters")).put("policy", "fixed-high");
        HttpResponse<String> deadline = post(MODEL, late);
        assertEquals(504, deadline.statusCode(), deadline.body());
        assertEquals("DEADLINE_EXCEEDED", json.readTree(deadline.body()).get("parameters").get("status").asText());

        HttpResponse<String> unknownModel = post("imagenet", imageRequest(0, 1_000, 0.0));
        assertEquals(404, unknownModel.statusCode());
        HttpResponse<String> notJson = send("POST", "/models/" + MODEL + "/infer", "{not json");
        assertEquals(400, notJson.statusCode());
        assertTrue(json.readTree(notJson.body()).get("error").asText().startsWith("not valid JSON"), notJson.body());
        HttpResponse<String> stray = post(MODEL, imageRequest(0, 1_000, 0.0).put("timeout", 5));
        assertEquals(400, stray.statusCode());
        assertTrue(stray.body().contains("unknown field 'timeout'"), stray.body());

        assertTrue(count("http", "invalid") >= 4 && count("http", "rejected") >= 1 && count("http", "deadline_exceeded") >= 1,
                "gateway metrics count outcomes");
    }

    @Test
    void aFullGatewayRefusesWith429AndRetryAfterInsteadOfQueueing() throws Exception {
        SimpleMeterRegistry small = new SimpleMeterRegistry();
        try (GatewayServer narrow = GatewayServer.start(stack.kafka(), serdes, catalog,
                GatewayConfig.defaults().withPorts(0, -1).withMaxInFlight(2), small)) {
            String url = narrow.baseUrl() + "/models/" + MODEL + "/infer";
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                        .POST(HttpRequest.BodyPublishers.ofString(imageRequest(i, 3_000, 0.0).toString())).build();
                calls.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int busy = 0;
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                HttpResponse<String> r = c.get(30, TimeUnit.SECONDS);
                if (r.statusCode() == 429) {
                    busy++;
                    assertEquals("1", r.headers().firstValue("retry-after").orElse(null));
                    assertTrue(json.readTree(r.body()).get("error").asText().contains("too many requests in flight (2)"));
                } else {
                    assertEquals(200, r.statusCode(), r.body());
                    ok++;
                }
            }
            assertTrue(busy > 0, "24 concurrent calls through 2 slots: some must be refused");
            assertTrue(ok >= 2, ok + " answered");
            assertEquals(0, narrow.gateway().inFlight(), "every slot is given back");
            assertEquals(busy, (int) small.get("sluice.gateway.requests").tag("outcome", "busy").counter().count());
            assertEquals(ok, (int) small.get("sluice.gateway.requests").tag("outcome", "ok").counter().count());
        }
    }

    // ---------------------------------------------------------------- HTTP, curl and Python

    @Test
    void curlCallsTheGateway() throws Exception {
        Path body = Files.createTempFile("sluice-oip", ".json");
        try {
            Files.writeString(body, imageRequest(7, 2_000, 0.0).put("id", "curl-1").toString());
            Process p = new ProcessBuilder("curl", "-s", "-S", "-w", "\n%{http_code}", "-H", "Content-Type: application/json",
                    "--data-binary", "@" + body, gateway.baseUrl() + "/models/" + MODEL + "/infer")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            String[] lines = out.strip().split("\n");
            assertEquals("200", lines[lines.length - 1], out);
            JsonNode a = json.readTree(lines[0]);
            assertEquals("curl-1", a.get("id").asText());
            assertEquals(MODEL, a.get("model_name").asText());
            assertTrue(output(a, "label").get("data").get(0).asInt() >= 0);
        } finally {
            Files.deleteIfExists(body);
        }
    }

    @Test
    void pythonUrllibCallsTheGateway() throws Exception {
        String script = String.join("\n",
                "import json, sys, urllib.request, urllib.error",
                "base, pixels = sys.argv[1], json.loads(sys.stdin.read())",
                "live = urllib.request.urlopen(base + '/health/live').status",
                "req = {'id': 'py-1', 'parameters': {'timeout_ms': 2000, 'min_accuracy': 0.9},",
                "       'inputs': [{'name': 'input', 'datatype': 'FP32', 'shape': [1, 1, 28, 28], 'data': pixels}],",
                "       'outputs': [{'name': 'label'}, {'name': 'probabilities'}]}",
                "r = urllib.request.urlopen(urllib.request.Request(base + '/models/fashion-mnist/infer',",
                "    data=json.dumps(req).encode(), headers={'Content-Type': 'application/json'}))",
                "a = json.loads(r.read())",
                "try:",
                "    urllib.request.urlopen(urllib.request.Request(base + '/models/fashion-mnist/infer', data=b'[]'))",
                "    err = None",
                "except urllib.error.HTTPError as e:",
                "    err = [e.code, json.loads(e.read())['error']]",
                "print(json.dumps({'live': live, 'status': r.status, 'id': a['id'], 'model': a['model_name'],",
                "    'outputs': [o['name'] for o in a['outputs']], 'label': a['outputs'][0]['data'][0],",
                "    'sum': sum(a['outputs'][1]['data']), 'error': err}))");
        ArrayNode pixels = json.createArrayNode();
        for (float f : test.images()[11]) {
            pixels.add(f);
        }
        Process p = new ProcessBuilder("python3", "-c", script, gateway.baseUrl()).redirectErrorStream(true).start();
        p.getOutputStream().write(pixels.toString().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        JsonNode a = json.readTree(out);
        assertEquals(200, a.get("live").asInt());
        assertEquals(200, a.get("status").asInt());
        assertEquals("py-1", a.get("id").asText());
        assertEquals(MODEL, a.get("model").asText());
        assertEquals("[\"label\",\"probabilities\"]", a.get("outputs").toString());
        assertEquals(1.0, a.get("sum").asDouble(), 1e-3);
        assertEquals(400, a.get("error").get(0).asInt());
        assertEquals("the body must be a JSON object", a.get("error").get(1).asText());
    }

    @Test
    void pythonRequestsCallsTheGateway() throws Exception {
        String python = python("import requests").orElse(null);
        Assumptions.assumeTrue(python != null, "Python requests not installed (apt-get install python3-requests); skipped");
        String script = String.join("\n",
                "import json, sys, requests",
                "base, pixels = sys.argv[1], json.loads(sys.stdin.read())",
                "s = requests.Session()",
                "ready = s.get(base + '/health/ready', timeout=10)",
                "meta = s.get(base + '/models/fashion-mnist', timeout=10).json()",
                "body = {'id': 'rq-1', 'parameters': {'timeout_ms': 2000, 'tenant': 'py'},",
                "        'inputs': [{'name': 'input', 'datatype': 'FP32', 'shape': [1, 1, 28, 28], 'data': pixels}]}",
                "r = s.post(base + '/models/fashion-mnist/infer', json=body, timeout=10)",
                "a = r.json()",
                "unknown = s.post(base + '/models/imagenet/infer', json=body, timeout=10)",
                "body['inputs'][0]['datatype'] = 'BF16'",
                "bad = s.post(base + '/models/fashion-mnist/infer', json=body, timeout=10)",
                "print(json.dumps({'ready': ready.status_code, 'inputs': meta['inputs'][0]['name'], 'status': r.status_code,",
                "    'ctype': r.headers['Content-Type'], 'id': a['id'], 'outputs': [o['name'] for o in a['outputs']],",
                "    'label': a['outputs'][0]['data'][0], 'unknown': unknown.status_code, 'bad': bad.status_code,",
                "    'bad_error': bad.json()['error']}))");
        ArrayNode pixels = json.createArrayNode();
        for (float f : test.images()[13]) {
            pixels.add(f);
        }
        Process p = new ProcessBuilder(python, "-c", script, gateway.baseUrl()).redirectErrorStream(true).start();
        p.getOutputStream().write(pixels.toString().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        JsonNode a = json.readTree(out);
        assertEquals(200, a.get("ready").asInt());
        assertEquals("input", a.get("inputs").asText());
        assertEquals(200, a.get("status").asInt(), out);
        assertEquals("application/json", a.get("ctype").asText());
        assertEquals("rq-1", a.get("id").asText());
        assertEquals("[\"label\",\"confidence\",\"probabilities\"]", a.get("outputs").toString());
        assertEquals(test.labels()[13], a.get("label").asInt(), "image 13 is one every variant gets right");
        assertEquals(404, a.get("unknown").asInt());
        assertEquals(400, a.get("bad").asInt());
        assertTrue(a.get("bad_error").asText().contains("'BF16'"), out);
    }

    // ---------------------------------------------------------------- gRPC, grpc-java

    @Test
    void grpcHealthAndMetadata() {
        assertTrue(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertTrue(grpc.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).build()).getReady());
        ModelMetadataResponse m = grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName(MODEL).build());
        assertEquals(MODEL, m.getName());
        assertEquals(List.of(-1L, 1L, 28L, 28L), m.getInputs(0).getShapeList());
        assertEquals("probabilities", m.getOutputs(2).getName());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> grpc.modelReady(ModelReadyRequest.newBuilder().setName("imagenet").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    @Test
    void grpcInferWithTypedAndRawContents() {
        for (boolean raw : new boolean[] {false, true}) {
            int image = raw ? 5 : 4;
            ModelInferResponse r = grpc.withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(grpcRequest(image, 2_000, 0.89, raw)
                    .toBuilder().setId("g-" + raw).build());
            assertEquals(MODEL, r.getModelName());
            assertEquals("g-" + raw, r.getId());
            assertEquals("OK", r.getParametersOrThrow("status").getStringParam());
            assertEquals("label", r.getOutputs(0).getName());
            assertEquals("INT64", r.getOutputs(0).getDatatype());
            long label = r.getOutputs(0).getContents().getInt64Contents(0);
            assertTrue(label >= 0 && label < 10);
            assertEquals(10, r.getOutputs(2).getContents().getFp32ContentsCount());
            String variant = r.getParametersOrThrow("variants").getStringParam();
            assertTrue(catalog.variant(variant).orElseThrow().accuracy() >= 0.89, variant);
        }
    }

    @Test
    void grpcErrorsCarryTheStatusAClientExpects() {
        ModelInferRequest bad = grpcRequest(0, 1_000, 0.0, false).toBuilder()
                .setInputs(0, grpcRequest(0, 1_000, 0.0, false).getInputs(0).toBuilder().clearShape().addAllShape(List.of(1L, 10L)))
                .build();
        assertEquals(Status.Code.INVALID_ARGUMENT, code(bad));
        ModelInferRequest bytes = grpcRequest(0, 1_000, 0.0, false).toBuilder()
                .setInputs(0, grpcRequest(0, 1_000, 0.0, false).getInputs(0).toBuilder().setDatatype("BYTES")).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.modelInfer(bytes));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("BYTES"), e.getStatus().getDescription());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(grpcRequest(0, 1_000, 0.999, false)));
        ModelInferRequest late = grpcRequest(0, 2, 0.0, false).toBuilder()
                .putParameters("policy", InferParameter.newBuilder().setStringParam("fixed-high").build()).build();
        assertEquals(Status.Code.DEADLINE_EXCEEDED, code(late));
        assertEquals(Status.Code.NOT_FOUND, code(grpcRequest(0, 1_000, 0.0, false).toBuilder().setModelName("imagenet").build()));
    }

    // ---------------------------------------------------------------- Python grpc, where installed

    @Test
    void pythonGrpcCallsTheGateway() throws Exception {
        String python = python("import grpc, grpc_tools").orElse(null);
        Assumptions.assumeTrue(python != null,
                "Python grpc not installed (apt-get install python3-grpcio python3-grpc-tools); skipped");
        Path dir = Files.createTempDirectory("sluice-pygrpc");
        Path proto = Path.of("../gateway/src/main/protobuf/grpc_predict_v2.proto").toAbsolutePath();
        Process gen = new ProcessBuilder(python, "-m", "grpc_tools.protoc", "-I" + proto.getParent(),
                "--python_out=" + dir, "--grpc_python_out=" + dir, proto.toString()).redirectErrorStream(true).start();
        String genOut = new String(gen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gen.waitFor(), genOut);
        String script = String.join("\n",
                "import sys, struct, grpc",
                "sys.path.insert(0, sys.argv[1])",
                "import grpc_predict_v2_pb2 as pb, grpc_predict_v2_pb2_grpc as rpc",
                "stub = rpc.GRPCInferenceServiceStub(grpc.insecure_channel('localhost:' + sys.argv[2]))",
                "pixels = [float(x) for x in sys.stdin.read().split()]",
                "req = pb.ModelInferRequest(model_name='fashion-mnist', id='py-grpc')",
                "req.parameters['timeout_ms'].int64_param = 2000",
                "t = req.inputs.add(name='input', datatype='FP32', shape=[1, 1, 28, 28])",
                "req.raw_input_contents.append(struct.pack('<784f', *pixels))",
                "r = stub.ModelInfer(req, timeout=10)",
                "try:",
                "    stub.ModelInfer(pb.ModelInferRequest(model_name='imagenet'), timeout=10)",
                "    code = 'none'",
                "except grpc.RpcError as e:",
                "    code = e.code().name",
                "print(stub.ServerLive(pb.ServerLiveRequest()).live, r.id, r.outputs[0].name,",
                "      r.outputs[0].contents.int64_contents[0], code)");
        StringBuilder pixels = new StringBuilder();
        for (float f : test.images()[2]) {
            pixels.append(f).append(' ');
        }
        Process p = new ProcessBuilder(python, "-c", script, dir.toString(), Integer.toString(gateway.grpcPort()))
                .redirectErrorStream(true).start();
        p.getOutputStream().write(pixels.toString().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        String[] f = out.split("\n");
        String[] words = f[f.length - 1].split(" ");
        assertEquals("True", words[0], out);
        assertEquals("py-grpc", words[1]);
        assertEquals("label", words[2]);
        assertTrue(Integer.parseInt(words[3]) >= 0);
        assertEquals("NOT_FOUND", words[4]);
    }

    // ---------------------------------------------------------------- helpers

    private Status.Code code(ModelInferRequest r) {
        return assertThrows(StatusRuntimeException.class, () -> grpc.withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(r))
                .getStatus().getCode();
    }

    private ModelInferRequest grpcRequest(int image, long timeoutMs, double floor, boolean raw) {
        ModelInferRequest.InferInputTensor.Builder in = ModelInferRequest.InferInputTensor.newBuilder()
                .setName("input").setDatatype("FP32").addAllShape(List.of(1L, 1L, 28L, 28L));
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(MODEL)
                .putParameters("timeout_ms", InferParameter.newBuilder().setInt64Param(timeoutMs).build())
                .putParameters("min_accuracy", InferParameter.newBuilder().setDoubleParam(floor).build());
        float[] pixels = test.images()[image];
        if (raw) {
            ByteBuffer buf = ByteBuffer.allocate(pixels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : pixels) {
                buf.putFloat(f);
            }
            b.addInputs(in).addRawInputContents(ByteString.copyFrom(buf.flip()));
        } else {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            for (float f : pixels) {
                c.addFp32Contents(f);
            }
            b.addInputs(in.setContents(c));
        }
        return b.build();
    }

    private ObjectNode imageRequest(int image, long timeoutMs, double floor) {
        ObjectNode body = json.createObjectNode();
        body.putObject("parameters").put("timeout_ms", timeoutMs).put("min_accuracy", floor);
        ObjectNode in = body.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        in.putArray("shape").add(1).add(1).add(28).add(28);
        ArrayNode data = in.putArray("data");
        for (float f : test.images()[image]) {
            data.add(f);
        }
        return body;
    }

    private static JsonNode output(JsonNode answer, String name) {
        for (JsonNode o : answer.get("outputs")) {
            if (o.get("name").asText().equals(name)) {
                return o;
            }
        }
        throw new AssertionError("no output '" + name + "' in " + answer);
    }

    private double count(String protocol, String outcome) {
        Counter c = registry.find("sluice.gateway.requests").tag("protocol", protocol).tag("outcome", outcome).counter();
        assertNotNull(c, "no sluice.gateway.requests{protocol=" + protocol + ",outcome=" + outcome + "}");
        return c.count();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    private HttpResponse<String> post(String model, ObjectNode body) throws IOException, InterruptedException {
        return send("POST", "/models/" + model + "/infer", body.toString());
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A Python interpreter that has these imports: the one on the PATH, else Debian's (where
     * apt-get installs python3-grpcio and python3-requests, when the PATH leads to another).
     */
    private static java.util.Optional<String> python(String imports) {
        for (String python : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(python, "-c", imports).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) {
                    return java.util.Optional.of(python);
                }
            } catch (IOException e) {
                // not there: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.empty();
    }
}
