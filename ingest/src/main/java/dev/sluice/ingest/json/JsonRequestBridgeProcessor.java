package dev.sluice.ingest.json;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.common.DeadLetters;
import dev.sluice.ingest.json.RequestParseOutcome.Parsed;
import dev.sluice.ingest.json.RequestParseOutcome.Rejected;
import dev.sluice.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Moves one JSON request record: parsed and answerable ones to the Avro request sink keyed by
 * request id, unanswerable ones (no id, not JSON, not UTF-8) to the dead-letter sink with the
 * original key and value bytes (the first {@link DeadLetters#MAX_VALUE_BYTES} of a larger one).
 *
 * <p>Requests are serialised here, not in the sink, so that their size is known before they are
 * sent: a request whose Avro record (key, value and headers) would exceed {@code maxRecordBytes}
 * is answered INVALID naming both sizes instead of failing the producer, which would stop the
 * bridge on that record after every restart.
 */
final class JsonRequestBridgeProcessor implements Processor<byte[], byte[], Object, Object> {
    private final OipJsonRequestParser parser;
    private final Serializer<InferenceRequest> serializer;
    private final InstantSource clock;
    private final int maxRecordBytes;
    private final String requestsSink;
    private final String dlqSink;
    private final String requestsTopic;
    private ProcessorContext<Object, Object> context;

    JsonRequestBridgeProcessor(OipJsonRequestParser parser, Serializer<InferenceRequest> serializer, InstantSource clock,
            int maxRecordBytes, String requestsSink, String dlqSink, String requestsTopic) {
        this.parser = parser;
        this.serializer = serializer;
        this.clock = clock;
        this.maxRecordBytes = maxRecordBytes;
        this.requestsSink = requestsSink;
        this.dlqSink = dlqSink;
        this.requestsTopic = requestsTopic;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RequestParseOutcome outcome = parser.parse(record.value());
        if (outcome instanceof Parsed parsed) {
            toRequests(record, parsed.request(), parsed.request().getTask());
        } else if (outcome instanceof Rejected rejected && rejected.answerable()) {
            toRequests(record, rejected.toInvalidRequest(clock.millis()), rejected.task());
        } else {
            deadLetter(record, ((Rejected) outcome).reason());
        }
    }

    private void toRequests(Record<byte[], byte[]> record, InferenceRequest request, String task) {
        byte[] key = request.getId().getBytes(StandardCharsets.UTF_8);
        byte[] value = serializer.serialize(requestsTopic, request);
        long size = key.length + (long) value.length + headerBytes(record.headers());
        if (size > maxRecordBytes) {
            String reason = "request too large: " + size + " bytes as an Avro record (key, value and headers; the JSON was "
                    + record.value().length + " bytes), over the bridge's limit of " + maxRecordBytes
                    + " bytes; send large inputs in a smaller encoding or several parts";
            InferenceRequest invalid = new Rejected(request.getId(), task, reason).toInvalidRequest(clock.millis());
            value = serializer.serialize(requestsTopic, invalid);
            context.forward(new Record<Object, Object>(request.getId(), value, record.timestamp(),
                    withOrigin(new RecordHeaders())), requestsSink);
            return;
        }
        context.forward(record.withKey((Object) request.getId()).withValue(value).withHeaders(withOrigin(record.headers())),
                requestsSink);
    }

    /** The record's headers plus where it was read, so a redelivery keeps its identity (see {@link Topics#ORIGIN_HEADER}). */
    private Headers withOrigin(Headers original) {
        RecordHeaders h = new RecordHeaders();
        for (Header header : original) {
            if (!header.key().equals(Topics.ORIGIN_HEADER)) {
                h.add(header);
            }
        }
        context.recordMetadata().ifPresent(m -> h.add(Topics.ORIGIN_HEADER,
                (m.topic() + "-" + m.partition() + "@" + m.offset()).getBytes(StandardCharsets.UTF_8)));
        return h;
    }

    private void deadLetter(Record<byte[], byte[]> record, String reason) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        Headers h = DeadLetters.headers(record.headers(), reason, m == null ? null : m.topic(), m == null ? -1 : m.partition(),
                m == null ? -1 : m.offset(), record.value());
        context.forward(new Record<Object, Object>(DeadLetters.key(record.key()), DeadLetters.value(record.value()),
                record.timestamp(), h), dlqSink);
    }

    private static long headerBytes(Headers headers) {
        long n = 0;
        for (Header h : headers) {
            n += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return n;
    }
}
