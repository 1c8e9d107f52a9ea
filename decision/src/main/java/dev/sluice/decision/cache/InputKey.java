package dev.sluice.decision.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The prediction cache's key for a request: its task and a SHA-256 hash (first 128 bits, hex) over
 * every input tensor's name, datatype, shape and bytes, in the order given. Two requests share a
 * key exactly when they carry the same tensors for the same task.
 */
public final class InputKey {
    /** One input tensor as the request carries it (the data's position and limit are left as they are). */
    public record Input(String name, String datatype, List<Long> shape, ByteBuffer data) {}

    private InputKey() {}

    public static PredictionCache.Key of(String task, List<Input> inputs) {
        MessageDigest d = sha256();
        for (Input in : inputs) {
            d.update(in.name().getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(in.datatype().getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            ByteBuffer shape = ByteBuffer.allocate(8 * (in.shape().size() + 1));
            shape.putLong(in.shape().size());
            in.shape().forEach(shape::putLong);
            d.update(shape.array());
            ByteBuffer data = in.data().duplicate();
            ByteBuffer length = ByteBuffer.allocate(8).putLong(data.remaining());
            d.update(length.array());
            d.update(data);
        }
        byte[] h = d.digest();
        return new PredictionCache.Key(task, HexFormat.of().formatHex(h, 0, 16));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
