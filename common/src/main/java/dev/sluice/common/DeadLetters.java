package dev.sluice.common;

import dev.sluice.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead letters that can always be written: the original bytes up to {@link #MAX_VALUE_BYTES}
 * (a longer value keeps its first bytes, its size in {@link Topics#DLQ_ORIGINAL_BYTES_HEADER}
 * and its source topic, partition and offset, where the whole record still is), the original
 * headers while they stay small, and the reason, clipped to {@link #MAX_REASON_CHARS}.
 * Together far below any producer's {@code max.request.size}, so a record too large to forward
 * is never too large to dead-letter.
 */
public final class DeadLetters {
    /** Most bytes of the original value a dead letter carries. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    /** Most bytes of the original key. */
    public static final int MAX_KEY_BYTES = 1024;
    /** Most bytes of original headers copied (whole headers, in order, while they fit). */
    public static final int MAX_COPIED_HEADER_BYTES = 16 * 1024;
    /** Longest reason kept. */
    public static final int MAX_REASON_CHARS = 1000;

    private DeadLetters() {}

    /** The dead-letter headers: what fits of {@code original}, the reason and where the record came from (null topic: unknown). */
    public static Headers headers(Headers original, String reason, String topic, int partition, long offset, byte[] value) {
        RecordHeaders h = new RecordHeaders();
        int copied = 0;
        if (original != null) {
            for (Header header : original) {
                if (header.key().startsWith("sluice.dlq.")) {
                    continue; // a dead letter of a dead letter says only why this time
                }
                int size = header.key().length() + (header.value() == null ? 0 : header.value().length);
                if (copied + size > MAX_COPIED_HEADER_BYTES) {
                    break;
                }
                copied += size;
                h.add(header);
            }
        }
        h.add(Topics.DLQ_REASON_HEADER, utf8(clip(reason, MAX_REASON_CHARS)));
        if (topic != null) {
            h.add(Topics.DLQ_SOURCE_TOPIC_HEADER, utf8(topic));
            h.add(Topics.DLQ_SOURCE_PARTITION_HEADER, utf8(Integer.toString(partition)));
            h.add(Topics.DLQ_SOURCE_OFFSET_HEADER, utf8(Long.toString(offset)));
        }
        if (value != null && value.length > MAX_VALUE_BYTES) {
            h.add(Topics.DLQ_ORIGINAL_BYTES_HEADER, utf8(Integer.toString(value.length)));
        }
        return h;
    }

    /** The value a dead letter carries: the original, or its first {@link #MAX_VALUE_BYTES}. */
    public static byte[] value(byte[] value) {
        return value == null || value.length <= MAX_VALUE_BYTES ? value : Arrays.copyOf(value, MAX_VALUE_BYTES);
    }

    public static byte[] key(byte[] key) {
        return key == null || key.length <= MAX_KEY_BYTES ? key : Arrays.copyOf(key, MAX_KEY_BYTES);
    }

    /** A string key clipped to {@link #MAX_KEY_BYTES} characters' worth (at most 4 bytes each, so safe). */
    public static String key(String key) {
        return clip(key, MAX_KEY_BYTES / 4);
    }

    /** A dead letter for deployment's dead-letter topic {@code dlqTopic}. */
    public static ProducerRecord<byte[], byte[]> record(String dlqTopic, byte[] key, byte[] value, Headers original,
            String reason, String topic, int partition, long offset) {
        return new ProducerRecord<>(dlqTopic, null, key(key), value(value),
                headers(original, reason, topic, partition, offset, value));
    }

    /** {@code s} cut to {@code max} characters, marked with an ellipsis and the full length when cut. */
    public static String clip(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        String tail = "... (" + s.length() + " chars)";
        return s.substring(0, Math.max(0, max - tail.length())) + tail;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
