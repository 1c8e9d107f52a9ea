package dev.sluice.common;

import dev.sluice.schemas.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production exception handler of every Sluice Streams app. An output that cannot be
 * written because of what it is (too large for the producer or broker, or not serialisable)
 * must not stop the app, or the record that made it would stop it again after every restart:
 * such an output is dropped and the input record that produced it goes to the dead-letter topic
 * ({@code errors.dead.letter.queue.topic.name}, default {@link Topics#dlq()} of {@link Topics#DEFAULT}) through
 * {@link DeadLetters}, with the reason. Retriable errors are retried; anything else fails the
 * thread as Kafka Streams' default handler does (a broker or authorisation problem is not the
 * record's fault and skipping would lose work).
 *
 * <p>The processors bound what they forward themselves (the JSON bridge answers an oversized
 * request INVALID); this is the net under them.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterProductionHandler.class);
    private String dlqTopic = Topics.DEFAULT.dlq();

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (topic != null && !topic.toString().isBlank()) {
            dlqTopic = topic.toString();
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RecordTooLargeException) {
            int size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
            return deadLetter(context, "output to " + record.topic() + " too large (" + size + " bytes of key and value): "
                    + exception.getMessage());
        }
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        return Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
            SerializationExceptionOrigin origin) {
        return deadLetter(context, "cannot serialise the output to " + record.topic() + " (" + origin + "): " + exception);
    }

    private Response deadLetter(ErrorHandlerContext context, String reason) {
        if (context.topic() == null || context.sourceRawValue() == null) { // from a punctuator: no input record to keep
            log.warn("output dropped: {} (no source record)", reason);
            return Response.resume();
        }
        log.warn("output dropped, its input {}-{}@{} dead-lettered: {}", context.topic(), context.partition(),
                context.offset(), reason);
        return Response.resume(List.of(DeadLetters.record(dlqTopic, context.sourceRawKey(), context.sourceRawValue(),
                context.headers(), reason, context.topic(), context.partition(), context.offset())));
    }
}
