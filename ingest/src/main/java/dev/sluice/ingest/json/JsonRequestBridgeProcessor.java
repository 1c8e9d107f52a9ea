package dev.sluice.ingest.json;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.ingest.json.RequestParseOutcome.Parsed;
import dev.sluice.ingest.json.RequestParseOutcome.Rejected;
import dev.sluice.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Moves one JSON request record: parsed and answerable ones to the Avro request sink keyed by
 * request id, unanswerable ones (no id, not JSON, not UTF-8) to the dead-letter sink with the
 * original key and value bytes. Output types are {@code Object} because the two sinks differ.
 */
final class JsonRequestBridgeProcessor implements Processor<byte[], byte[], Object, Object> {
    private final OipJsonRequestParser parser;
    private final InstantSource clock;
    private final String requestsSink;
    private final String dlqSink;
    private ProcessorContext<Object, Object> context;

    JsonRequestBridgeProcessor(OipJsonRequestParser parser, InstantSource clock, String requestsSink, String dlqSink) {
        this.parser = parser;
        this.clock = clock;
        this.requestsSink = requestsSink;
        this.dlqSink = dlqSink;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RequestParseOutcome outcome = parser.parse(record.value());
        if (outcome instanceof Parsed parsed) {
            toRequests(record, parsed.request());
        } else if (outcome instanceof Rejected rejected && rejected.answerable()) {
            toRequests(record, rejected.toInvalidRequest(clock.millis()));
        } else {
            Rejected rejected = (Rejected) outcome;
            context.forward(record.withHeaders(dlqHeaders(record.headers(), rejected.reason())), dlqSink);
        }
    }

    private void toRequests(Record<byte[], byte[]> record, InferenceRequest request) {
        context.forward(record.withKey(request.getId()).withValue(request), requestsSink);
    }

    /** The record's own headers plus the reason and source coordinates, as UTF-8 text. */
    private Headers dlqHeaders(Headers original, String reason) {
        Headers h = new RecordHeaders(original.toArray());
        h.add(Topics.DLQ_REASON_HEADER, utf8(reason));
        context.recordMetadata().ifPresent((RecordMetadata m) -> {
            h.add(Topics.DLQ_SOURCE_TOPIC_HEADER, utf8(m.topic()));
            h.add(Topics.DLQ_SOURCE_PARTITION_HEADER, utf8(Integer.toString(m.partition())));
            h.add(Topics.DLQ_SOURCE_OFFSET_HEADER, utf8(Long.toString(m.offset())));
        });
        return h;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
