package dev.sluice.ingest.json;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import java.time.InstantSource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

/**
 * The JSON bridge's wiring: {@code sluice.requests.json} to {@code sluice.requests} (Avro) or
 * {@code sluice.dlq}, and {@code sluice.results} (Avro) to {@code sluice.results.json}.
 */
public final class JsonBridgeTopology {
    static final String REQUESTS_JSON_SOURCE = "requests-json-source";
    static final String PARSE_REQUEST = "parse-json-request";
    static final String REQUESTS_SINK = "requests-sink";
    static final String DLQ_SINK = "dlq-sink";
    static final String RESULTS_SOURCE = "results-source";
    static final String WRITE_RESULT = "write-result-json";
    static final String RESULTS_JSON_SINK = "results-json-sink";

    private JsonBridgeTopology() {}

    public static Topology build(SluiceSerdes serdes, InstantSource clock) {
        return build(serdes, clock, JsonBridgeApp.MAX_RECORD_BYTES);
    }

    /** {@code maxRecordBytes}: the largest request record (key, value and headers) forwarded; larger ones are answered INVALID. */
    public static Topology build(SluiceSerdes serdes, InstantSource clock, int maxRecordBytes) {
        return build(serdes, clock, maxRecordBytes, Topics.DEFAULT);
    }

    /** Reading and writing the topics of {@code names} (a deployment's prefix). */
    public static Topology build(SluiceSerdes serdes, InstantSource clock, int maxRecordBytes, Topics names) {
        OipJsonRequestParser parser = new OipJsonRequestParser(clock);
        ResultJsonWriter writer = new ResultJsonWriter();
        Topology t = new Topology();

        // bytes in, not String: undecodable values must still reach the DLQ unchanged
        t.addSource(REQUESTS_JSON_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), names.requestsJson());
        t.addProcessor(PARSE_REQUEST,
                () -> new JsonRequestBridgeProcessor(parser, serdes.<InferenceRequest>serializer(), clock, maxRecordBytes,
                        REQUESTS_SINK, DLQ_SINK, names.requests()), REQUESTS_JSON_SOURCE);
        // the processor serialises requests itself, to know their size before sending
        t.addSink(REQUESTS_SINK, names.requests(), new StringSerializer(), new ByteArraySerializer(), PARSE_REQUEST);
        t.addSink(DLQ_SINK, names.dlq(), new ByteArraySerializer(), new ByteArraySerializer(), PARSE_REQUEST);

        t.addSource(RESULTS_SOURCE, new StringDeserializer(), serdes.<InferenceResult>deserializer(), names.results());
        t.addProcessor(WRITE_RESULT, () -> new ResultJsonProcessor(writer), RESULTS_SOURCE);
        t.addSink(RESULTS_JSON_SINK, names.resultsJson(), new StringSerializer(), new StringSerializer(), WRITE_RESULT);
        return t;
    }
}
