package dev.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.avro.InferenceResult;
import dev.sluice.gateway.GatewayAnswer.Answered;
import dev.sluice.gateway.GatewayAnswer.Failed;
import dev.sluice.gateway.GatewayAnswer.Kind;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.json.OipInferRequestParser;
import dev.sluice.ingest.json.OipInferRequestParser.Call;
import dev.sluice.ingest.json.OipInferResponse;
import dev.sluice.ingest.json.OipJsonRequestParser;
import dev.sluice.ingest.json.RequestParseOutcome.Parsed;
import dev.sluice.ingest.json.RequestParseOutcome.Rejected;
import dev.sluice.models.Catalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one job, whatever the transport: turn an OIP inference call into a Sluice request,
 * produce it with the {@link SluiceClient}, and turn its one final result into an OIP answer.
 * Admission is a semaphore of {@link GatewayConfig#maxInFlight()} permits, taken without waiting:
 * when it is empty the call fails at once as {@link Kind#BUSY}. The HTTP and gRPC adapters only
 * convert. Thread-safe.
 *
 * <p>Metrics: {@code sluice.gateway.requests} (counter; tags protocol, outcome),
 * {@code sluice.gateway.in.flight} (gauge), {@code sluice.gateway.latency} (timer; tags protocol,
 * outcome; call received to answer ready, with a percentile histogram).
 */
public final class InferenceGateway {
    private static final Logger log = LoggerFactory.getLogger(InferenceGateway.class);

    private final SluiceClient client;
    private final Catalog catalog;
    private final GatewayConfig config;
    private final InstantSource clock;
    private final OipInferRequestParser parser;
    private final Semaphore permits;
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final String idPrefix;
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean accepting = true;

    public InferenceGateway(SluiceClient client, Catalog catalog, GatewayConfig config, MeterRegistry registry,
            InstantSource clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.parser = new OipInferRequestParser(new OipJsonRequestParser(clock), config.defaultTimeoutMs(),
                catalog::outputsProblem);
        this.permits = new Semaphore(config.maxInFlight());
        // unique across gateway replicas and restarts: the pipeline answers each request id once
        this.idPrefix = "gw-" + Long.toString(System.currentTimeMillis(), 36) + "-"
                + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xffffffL, 36) + "-";
        Gauge.builder("sluice.gateway.in.flight", this, InferenceGateway::inFlight)
                .description("inference calls admitted and not yet answered").register(registry);
    }

    /** Calls admitted and not yet answered. */
    public int inFlight() {
        return config.maxInFlight() - permits.availablePermits();
    }

    public GatewayConfig config() {
        return config;
    }

    /** Live: the process serves HTTP and gRPC. */
    public boolean live() {
        return true;
    }

    /** Ready: connected to Kafka (the client reads results) and not stopping. */
    public boolean ready() {
        return accepting;
    }

    /** A model (a task) is ready when the server is and the catalog serves the task. */
    public boolean modelReady(String model) {
        return ready() && catalog.tasks().contains(model);
    }

    public Optional<ModelMetadata> metadata(String model) {
        return ModelMetadata.of(catalog, model);
    }

    public List<String> models() {
        return catalog.tasks().stream().sorted().toList();
    }

    /** Stops admitting calls (ready turns false); calls in flight still get their answers. */
    public void stopAccepting() {
        accepting = false;
    }

    /** Serves one call whose body is raw JSON bytes (HTTP). */
    public CompletableFuture<GatewayAnswer> infer(String model, byte[] body, String protocol) {
        return admit(model, protocol, requestId -> parser.parse(model, body, requestId));
    }

    /** Serves one call whose body is a JSON tree in the OIP REST shape (gRPC, converted). */
    public CompletableFuture<GatewayAnswer> infer(String model, JsonNode body, String protocol) {
        return admit(model, protocol, requestId -> parser.parse(model, body, requestId));
    }

    private CompletableFuture<GatewayAnswer> admit(String model, String protocol, Function<String, Call> parse) {
        long startNanos = System.nanoTime();
        CompletableFuture<GatewayAnswer> answer;
        if (!accepting) {
            answer = CompletableFuture.completedFuture(new Failed(Kind.UNAVAILABLE, "the gateway is stopping", null));
        } else if (model == null || !catalog.tasks().contains(model)) {
            answer = CompletableFuture.completedFuture(new Failed(Kind.NOT_FOUND,
                    "unknown model '" + model + "' (models: " + String.join(", ", models()) + ")", null));
        } else if (!permits.tryAcquire()) {
            answer = CompletableFuture.completedFuture(new Failed(Kind.BUSY,
                    "too many requests in flight (" + config.maxInFlight() + "); retry later", null));
        } else {
            try {
                answer = submit(model, parse.apply(idPrefix + sequence.incrementAndGet()));
            } catch (RuntimeException e) {
                log.warn("gateway call failed: {}", e.toString());
                answer = CompletableFuture.completedFuture(new Failed(Kind.INTERNAL, "internal error: " + e, null));
            }
            answer = answer.whenComplete((a, e) -> permits.release());
        }
        return answer.whenComplete((a, e) -> record(protocol, a, startNanos));
    }

    private CompletableFuture<GatewayAnswer> submit(String model, Call call) {
        if (call.outcome() instanceof Rejected r) {
            return CompletableFuture.completedFuture(new Failed(Kind.INVALID, r.reason(), call.clientId()));
        }
        var request = ((Parsed) call.outcome()).request();
        long waitMs = Math.max(0, request.getDeadlineMs() - clock.millis()) + config.resultGraceMs();
        return client.submit(request)
                .orTimeout(waitMs, TimeUnit.MILLISECONDS)
                .handle((result, error) -> {
                    if (error == null) {
                        return answer(result, model, call);
                    }
                    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof TimeoutException) {
                        return new Failed(Kind.DEADLINE_EXCEEDED, "no result within " + waitMs
                                + " ms (the deadline and " + config.resultGraceMs() + " ms of grace)", call.clientId());
                    }
                    return new Failed(Kind.UNAVAILABLE, "could not send the request to Kafka: " + cause, call.clientId());
                });
    }

    private static GatewayAnswer answer(InferenceResult result, String model, Call call) {
        OipInferResponse response = OipInferResponse.of(result, model, call.clientId(), call.requestedOutputs());
        return new Answered(response, failureOf(response));
    }


    /** The failure a pipeline result is to a client (its status as {@link OipInferResponse} reports it); null for an answer. */
    static Kind failureOf(OipInferResponse response) {
        return switch (response.status()) {
            case OK, PARTIAL -> response.error() == null ? null : Kind.INTERNAL;
            case INVALID -> Kind.INVALID;
            case REJECTED -> Kind.REJECTED;
            case DEADLINE_EXCEEDED -> Kind.DEADLINE_EXCEEDED;
        };
    }

    private void record(String protocol, GatewayAnswer a, long startNanos) {
        String outcome = a == null ? "internal" : a.outcome();
        String key = protocol + "/" + outcome;
        counters.computeIfAbsent(key, k -> Counter.builder("sluice.gateway.requests")
                .description("OIP inference calls by protocol and outcome")
                .tags("protocol", protocol, "outcome", outcome).register(registry)).increment();
        timers.computeIfAbsent(key, k -> Timer.builder("sluice.gateway.latency")
                .description("OIP inference call received to answer ready")
                .tags("protocol", protocol, "outcome", outcome)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry))
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
