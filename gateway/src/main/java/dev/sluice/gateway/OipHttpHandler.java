package dev.sluice.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.gateway.GatewayAnswer.Answered;
import dev.sluice.gateway.GatewayAnswer.Failed;
import dev.sluice.models.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The OIP (KServe v2) REST API on Jetty's core handler API:
 * <pre>
 * GET  /v2                          server metadata
 * GET  /v2/health/live              200 when live
 * GET  /v2/health/ready             200 when ready, 400 when not (the protocol's "4xx is false")
 * GET  /v2/models/{model}           model metadata, 404 for an unknown model
 * GET  /v2/models/{model}/ready     200 / 400, 404 for an unknown model
 * POST /v2/models/{model}/infer     an inference; errors as {"error": "..."} with 400, 404, 429, 503 or 504
 * </pre>
 * The body is read without blocking and the response written when the result arrives, so a
 * request waiting on the pipeline holds no thread.
 */
final class OipHttpHandler extends Handler.Abstract.NonBlocking {
    static final String PROTOCOL = "http";
    private static final String JSON = "application/json";

    private final InferenceGateway gateway;
    private final JsonMapper mapper = JsonMapper.builder().build();
    private final String version;

    OipHttpHandler(InferenceGateway gateway, String version) {
        this.gateway = gateway;
        this.version = version;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        List<String> parts = segments(path);
        if (parts.isEmpty() || !parts.get(0).equals("v2")) {
            return error(response, callback, 404, "no such endpoint: " + path + " (the API lives under /v2)");
        }
        boolean get = method.equals("GET") || method.equals("HEAD");
        if (parts.size() == 1) {
            return get ? json(response, callback, 200, serverMetadata()) : notAllowed(response, callback, "GET");
        }
        if (parts.size() == 3 && parts.get(1).equals("health") && (parts.get(2).equals("live") || parts.get(2).equals("ready"))) {
            if (!get) {
                return notAllowed(response, callback, "GET");
            }
            boolean live = parts.get(2).equals("live");
            boolean ok = live ? gateway.live() : gateway.ready();
            return json(response, callback, ok ? 200 : 400, mapper.createObjectNode().put(live ? "live" : "ready", ok));
        }
        if (parts.size() >= 3 && parts.get(1).equals("models")) {
            String model = parts.get(2);
            if (parts.size() == 3) {
                if (!get) {
                    return notAllowed(response, callback, "GET");
                }
                Optional<ModelMetadata> m = gateway.metadata(model);
                return m.isPresent() ? json(response, callback, 200, modelMetadata(m.get()))
                        : error(response, callback, 404, unknownModel(model));
            }
            if (parts.size() == 4 && parts.get(3).equals("ready")) {
                if (!get) {
                    return notAllowed(response, callback, "GET");
                }
                if (gateway.metadata(model).isEmpty()) {
                    return error(response, callback, 404, unknownModel(model));
                }
                boolean ready = gateway.modelReady(model);
                return json(response, callback, ready ? 200 : 400, mapper.createObjectNode().put("name", model).put("ready", ready));
            }
            if (parts.size() == 4 && parts.get(3).equals("infer")) {
                if (!method.equals("POST")) {
                    return notAllowed(response, callback, "POST");
                }
                infer(request, response, callback, model);
                return true;
            }
        }
        return error(response, callback, 404, "no such endpoint: " + method + " " + path);
    }

    private void infer(Request request, Response response, Callback callback, String model) {
        int max = gateway.config().maxBodyBytes();
        long declared = request.getLength();
        if (declared > max) {
            error(response, callback, 413, "body of " + declared + " bytes is over the limit of " + max);
            return;
        }
        Content.Source.asByteArrayAsync(request, max).whenComplete((body, readError) -> {
            if (readError != null) {
                error(response, callback, 400, "could not read the body (at most " + max + " bytes): " + readError.getMessage());
                return;
            }
            gateway.infer(model, body, PROTOCOL).whenComplete((answer, e) -> {
                if (e != null) {
                    error(response, callback, 500, "internal error: " + e);
                } else if (answer instanceof Answered a) {
                    int status = a.failure() == null ? 200 : a.failure().httpStatus();
                    json(response, callback, status, a.response().toJson());
                } else {
                    Failed f = (Failed) answer;
                    ObjectNode body2 = mapper.createObjectNode().put("error", f.message());
                    if (f.clientId() != null) {
                        body2.put("id", f.clientId());
                    }
                    if (f.kind() == GatewayAnswer.Kind.BUSY) {
                        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                    }
                    json(response, callback, f.kind().httpStatus(), body2);
                }
            });
        });
    }

    private ObjectNode serverMetadata() {
        ObjectNode n = mapper.createObjectNode().put("name", "sluice").put("version", version);
        n.putArray("extensions");
        ArrayNode models = n.putArray("models");
        gateway.models().forEach(models::add);
        return n;
    }

    private ObjectNode modelMetadata(ModelMetadata m) {
        ObjectNode n = mapper.createObjectNode().put("name", m.name());
        n.putArray("versions");
        n.put("platform", m.platform());
        tensors(n.putArray("inputs"), m.inputs());
        tensors(n.putArray("outputs"), m.outputs());
        ArrayNode variants = n.putObject("parameters").putArray("variants");
        m.variants().forEach(variants::add);
        return n;
    }

    private static void tensors(ArrayNode into, List<TensorSpec> specs) {
        for (TensorSpec t : specs) {
            ArrayNode shape = into.addObject().put("name", t.name()).put("datatype", t.datatype()).putArray("shape");
            t.shape().forEach(shape::add);
        }
    }

    private String unknownModel(String model) {
        return "unknown model '" + model + "' (models: " + String.join(", ", gateway.models()) + ")";
    }

    private boolean notAllowed(Response response, Callback callback, String allowed) {
        response.getHeaders().put(HttpHeader.ALLOW, allowed);
        return error(response, callback, 405, "method not allowed here; use " + allowed);
    }

    private boolean error(Response response, Callback callback, int status, String message) {
        return json(response, callback, status, mapper.createObjectNode().put("error", message));
    }

    private boolean json(Response response, Callback callback, int status, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            bytes = ("{\"error\":\"cannot render the response\"}").getBytes(StandardCharsets.UTF_8);
            status = 500;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }

    private static List<String> segments(String path) {
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }
}
