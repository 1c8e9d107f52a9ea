package dev.sluice.launcher;

import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.Tensor;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * A bad-input corpus, generated deterministically from a seed: structure-aware mutations of valid
 * requests in both encodings Sluice reads. Avro (Confluent wire format on sluice.requests): wrong
 * magic bytes and schema ids, records too short, truncated bodies, trailing bytes, random bodies,
 * a field's value written as another type, each field set to a value the selector must refuse
 * (empty, huge, negative, NaN, infinite, out of range, wrong names, datatypes, shapes and
 * sizes), and blind byte flips. JSON (OIP on sluice.requests.json): each field missing, of the
 * wrong JSON type, or huge, NaN and Infinity, truncations, trailing garbage, text that is not
 * JSON or not UTF-8, deep nesting, and blind byte flips. Plus the hand-picked cases of issue 16.
 *
 * <p>Not in it, on purpose: JSON fields the OIP encoding does not have (parts: unknown fields are
 * ignored, as OIP servers do), and a pinned policy naming a variant the catalog lacks (answered
 * REJECTED: variants come and go with the live catalog).
 *
 * <p>Every case but the blind flips must be refused: an INVALID result under its id, or a
 * dead letter with a reason. A blind flip may leave a request that is still valid, so it must
 * only get exactly one terminal outcome. Nothing is written to disk.
 */
final class BadInputCorpus {
    /** What a case must get. */
    enum Expect {
        /** an INVALID result or a dead letter, with a reason */
        REFUSED,
        /** exactly one terminal outcome, whatever it is (a blind mutation may leave a valid request) */
        ANY,
        /** a valid request: one OK answer, the model's label */
        VALID,
        /** the second record re-uses the first one's id: the first answered OK, the second INVALID */
        DUPLICATE
    }

    /** One record to write; {@code id} keys its result (null when it cannot be answered by id). */
    record Case(int n, String kind, Expect expect, String topic, byte[] key, byte[] value, String id, int image) {
        boolean json() {
            return topic.equals(Topics.DEFAULT.requestsJson());
        }
    }

    static final String TASK = "fashion-mnist";
    private static final int PIXELS = 784;

    private final Random rng;
    private final SluiceSerdes serdes;
    private final float[][] images;
    private final long now;
    private final long deadlineMs;
    private final List<Case> cases = new ArrayList<>();

    BadInputCorpus(long seed, SluiceSerdes serdes, float[][] images, long now, long deadlineMs) {
        this.rng = new Random(seed);
        this.serdes = serdes;
        this.images = images;
        this.now = now;
        this.deadlineMs = deadlineMs;
    }

    List<Case> cases() {
        return cases;
    }

    /** Generates {@code avro} Avro cases, {@code json} JSON cases, the hand-picked ones, and {@code valid} valid requests spread among them. */
    BadInputCorpus generate(int avro, int json, int valid) {
        List<Function<Integer, Case>> avroKinds = List.of(this::wrongMagic, this::unknownSchemaId, this::tooShort,
                this::truncatedAvro, this::trailingBytes, this::randomBody, this::randomBytes, this::typeSwap, this::fieldValue,
                this::fieldValue, this::fieldValue, this::avroFlip);
        List<Function<Integer, Case>> jsonKinds = List.of(this::missingField, this::wrongJsonType, this::wrongJsonType,
                this::hugeJsonValue, this::truncatedJson, this::trailingJson, this::notJson, this::jsonFlip);
        List<Case> bad = new ArrayList<>();
        for (int i = 0; i < avro; i++) {
            bad.add(avroKinds.get(rng.nextInt(avroKinds.size())).apply(i));
        }
        for (int i = 0; i < json; i++) {
            bad.add(jsonKinds.get(rng.nextInt(jsonKinds.size())).apply(avro + i));
        }
        bad.addAll(handPicked(avro + json));
        java.util.Collections.shuffle(bad, rng);
        int every = Math.max(1, bad.size() / Math.max(1, valid));
        int v = 0;
        for (int i = 0; i < bad.size(); i++) {
            if (i % every == 0 && v < valid) {
                int img = rng.nextInt(images.length);
                String id = "ok-" + v;
                boolean asJson = v % 3 == 2;
                cases.add(new Case(-1 - v, asJson ? "valid json" : "valid avro", Expect.VALID, asJson ? Topics.DEFAULT.requestsJson()
                        : Topics.DEFAULT.requests(), utf8(id), asJson ? utf8(json(id, img, Map.of())) : avro(valid(id, img).build()), id, img));
                v++;
            }
            cases.add(bad.get(i));
        }
        return this;
    }

    // ---------------------------------------------------------------- Avro

    private InferenceRequest.Builder valid(String id, int image) {
        return InferenceRequest.newBuilder().setId(id).setTask(TASK).setCreatedAtMs(now).setDeadlineMs(now + deadlineMs)
                .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, images[image])));
    }

    private byte[] avro(InferenceRequest r) {
        return serdes.<InferenceRequest>serializer().serialize(Topics.DEFAULT.requests(), r);
    }

    private Case avroCase(int n, String kind, Expect e, byte[] value, String id, int image) {
        return new Case(n, kind, e, Topics.DEFAULT.requests(), id == null ? null : utf8(id), value, id, image);
    }

    private static String id(int n) {
        return "fz-" + n;
    }

    private byte[] header() {
        return Arrays.copyOf(avro(valid("h", 0).build()), 5);
    }

    private Case wrongMagic(int n) {
        byte[] v = avro(valid(id(n), img()).build());
        v[0] = (byte) (1 + rng.nextInt(255));
        return avroCase(n, "avro: wrong magic byte", Expect.REFUSED, v, null, -1);
    }

    private Case unknownSchemaId(int n) {
        byte[] v = avro(valid(id(n), img()).build());
        ByteBuffer.wrap(v, 1, 4).putInt(rng.nextInt());
        return avroCase(n, "avro: unknown schema id", Expect.REFUSED, v, null, -1);
    }

    private Case tooShort(int n) {
        byte[] v = Arrays.copyOf(header(), rng.nextInt(5));
        return avroCase(n, "avro: shorter than the header", Expect.REFUSED, v, null, -1);
    }

    private Case truncatedAvro(int n) {
        byte[] v = avro(valid(id(n), img()).build());
        return avroCase(n, "avro: truncated body", Expect.REFUSED, Arrays.copyOf(v, 5 + rng.nextInt(v.length - 5)), null, -1);
    }

    private Case trailingBytes(int n) {
        byte[] v = avro(valid(id(n), img()).build());
        byte[] t = Arrays.copyOf(v, v.length + 1 + rng.nextInt(64));
        for (int i = v.length; i < t.length; i++) {
            t[i] = (byte) rng.nextInt(256);
        }
        return avroCase(n, "avro: trailing bytes", Expect.REFUSED, t, id(n), -1);
    }

    private Case randomBody(int n) {
        byte[] body = new byte[1 + rng.nextInt(4000)];
        rng.nextBytes(body);
        return avroCase(n, "avro: random body", Expect.REFUSED, concat(header(), body), null, -1);
    }

    private Case randomBytes(int n) {
        byte[] v = new byte[1 + rng.nextInt(4000)];
        rng.nextBytes(v);
        return avroCase(n, "avro: random bytes", Expect.REFUSED, v, null, -1);
    }

    /** One field (not the id) written as a value of another Avro type under the request's own schema id. */
    private Case typeSwap(int n) {
        Schema schema = InferenceRequest.getClassSchema();
        List<Schema.Field> fields = schema.getFields();
        Schema.Field victim = fields.get(1 + rng.nextInt(fields.size() - 1));
        List<Schema.Field> altered = new ArrayList<>();
        Schema other = null;
        for (Schema.Field f : fields) {
            if (f == victim) {
                other = otherType(f.schema());
                altered.add(new Schema.Field(f.name(), other));
            } else {
                altered.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
            }
        }
        Schema writer = Schema.createRecord("InferenceRequest", null, "dev.sluice.avro", false, altered);
        InferenceRequest r = valid(id(n), img()).build();
        GenericData.Record g = new GenericData.Record(writer);
        for (Schema.Field f : fields) {
            g.put(f.name(), f == victim ? valueOf(other) : r.get(f.name()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericData.Record>(writer, specificData()).write(g, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return avroCase(n, "avro: " + victim.name() + " written as " + other.getType().getName(), Expect.REFUSED,
                concat(header(), out.toByteArray()), id(n), -1);
    }

    private static GenericData specificData() {
        return org.apache.avro.specific.SpecificData.get();
    }

    /** A type whose binary encoding cannot be read as {@code s}'s. */
    private Schema otherType(Schema s) {
        return switch (s.getType()) {
            case STRING -> rng.nextBoolean() ? Schema.create(Schema.Type.DOUBLE) : Schema.createArray(Schema.create(Schema.Type.DOUBLE));
            case LONG, INT -> rng.nextBoolean() ? Schema.create(Schema.Type.STRING) : Schema.createMap(Schema.create(Schema.Type.STRING));
            case DOUBLE -> Schema.createArray(Schema.create(Schema.Type.STRING));
            case BOOLEAN -> Schema.create(Schema.Type.STRING);
            default -> Schema.create(rng.nextBoolean() ? Schema.Type.DOUBLE : Schema.Type.STRING);
        };
    }

    private Object valueOf(Schema s) {
        return switch (s.getType()) {
            case DOUBLE -> rng.nextDouble() * 1e6;
            case STRING -> randomText(1 + rng.nextInt(40));
            case ARRAY -> s.getElementType().getType() == Schema.Type.DOUBLE
                    ? List.of(rng.nextDouble(), rng.nextDouble(), 1e300) : List.of(randomText(5), randomText(9));
            case MAP -> Map.of(randomText(4), randomText(6));
            default -> throw new IllegalArgumentException(s.toString());
        };
    }

    /** One field set to a value the selector must refuse. */
    private Case fieldValue(int n) {
        String id = id(n);
        int image = img();
        InferenceRequest.Builder b = valid(id, image);
        float[] pixels = images[image].clone();
        String what;
        switch (rng.nextInt(26)) {
            case 0 -> { b.setTask(pick("", "no-such-task", "x".repeat(5000), TASK + " ", "FASHION-MNIST")); what = "task"; }
            case 1 -> { b.setCreatedAtMs(Long.MAX_VALUE); what = "created_at_ms after the deadline"; }
            case 2 -> { b.setDeadlineMs(pick(0L, -1L, Long.MIN_VALUE, now - 1 - rng.nextInt(1_000_000))); what = "deadline_ms in the past"; }
            case 3 -> { b.setMinAccuracy(pick(Double.NaN, -0.5, 1.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1e-9, 1e308)); what = "min_accuracy"; }
            case 4 -> { b.setModalities(pick(List.of("audio"), List.of(), List.of("image", "audio"), List.of("nope"),
                    List.of("image", "image"))); what = "modalities"; }
            case 5 -> { b.setTraceparent("00-" + "a".repeat(257 + rng.nextInt(2000))); what = "traceparent too long"; }
            case 6 -> { b.setPolicy(pick("no-such-policy", "fixed:nope", "", "cascade:", "fixed:")); what = "policy"; }
            case 7 -> { b.setPartIndex(pick(-1, 1, 100, Integer.MIN_VALUE)); what = "part_index"; }
            case 8 -> { b.setPartCount(pick(0, -5, 17, Integer.MAX_VALUE, Integer.MIN_VALUE)); what = "part_count"; }
            case 9 -> { b.setInputs(List.of()); what = "no inputs"; }
            case 10 -> { b.setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, pixels),
                    Tensors.fp32("input2", new long[] {1, 1, 28, 28}, pixels))); what = "two inputs"; }
            case 11 -> { b.setInputs(List.of(Tensors.fp32(pick("pixels", "", "x".repeat(500), "INPUT", "image "),
                    new long[] {1, 1, 28, 28}, pixels))); what = "input name"; }
            case 12 -> { b.setInputs(List.of(withDatatype(Tensors.fp32("input", new long[] {1, 1, 28, 28}, pixels),
                    pick("FP64", "INT32", "UINT8", "BYTES", "", "fp32", "FP16", "BOOL")))); what = "datatype"; }
            case 13 -> { b.setInputs(List.of(tensor("input", pick(new long[] {}, new long[] {784}, new long[] {1, 784},
                    new long[] {2, 1, 28, 28}, new long[] {1, 1, 28, 27}, new long[] {1, 1, -28, -28}, new long[] {1, 1, 28, 28, 1},
                    new long[] {0, 1, 28, 28}, new long[] {1, 1, Long.MAX_VALUE, 28}), floatBytes(pixels)))); what = "shape"; }
            case 14 -> { b.setInputs(List.of(tensor("input", new long[] {1, 1, 28, 28}, new byte[pick(0, 1, 783 * 4, 785 * 4, 3135,
                    300_000)]))); what = "data size"; }
            case 15, 16 -> { pixels[rng.nextInt(PIXELS)] = pick(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
                b.setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, pixels))); what = "pixel NaN or infinite"; }
            case 17, 18 -> { pixels[rng.nextInt(PIXELS)] = pick(1e30f, -1e30f, 1.0001f, -0.5f, Float.MAX_VALUE, -Float.MIN_VALUE * 1e6f, 2f);
                b.setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, pixels))); what = "pixel out of range"; }
            case 19 -> { b.setParameters(Map.of("sluice.invalid", "the client marked it invalid")); what = "parameters"; }
            case 20 -> { b.setInputs(List.of(tensor("input", new long[] {1, 1, 28, 28}, new byte[300_000 - 300_000 % 4])));
                what = "oversized input"; }
            case 21 -> { b.setTask("").setInputs(List.of()); what = "empty task and inputs"; }
            case 22 -> { b.setModalities(List.of("image")).setInputs(List.of(Tensors.fp32("audio", new long[] {1, 1, 28, 28}, pixels)));
                what = "tensor named for another modality"; }
            case 23 -> { b.setDeadlineMs(now).setCreatedAtMs(now); what = "deadline equal to created_at"; }
            case 24 -> { b.setMinAccuracy(-Double.MIN_VALUE); what = "min_accuracy below 0"; }
            default -> { b.setInputs(List.of(tensor("input", new long[] {1, 1, 28, 28}, floatBytes(Arrays.copyOf(pixels, 700)))));
                what = "fewer values than the shape"; }
        }
        return avroCase(n, "avro field: " + what, Expect.REFUSED, avro(b.build()), id, image);
    }

    private static Tensor withDatatype(Tensor t, String datatype) {
        return Tensor.newBuilder(t).setDatatype(datatype).build();
    }

    private static Tensor tensor(String name, long[] shape, byte[] data) {
        return Tensor.newBuilder().setName(name).setDatatype("FP32").setShape(Tensors.toList(shape))
                .setData(ByteBuffer.wrap(data)).build();
    }

    /** 1 or 2 bytes flipped after the id (so that an answer, if any, comes under the case's id). */
    private Case avroFlip(int n) {
        byte[] v = avro(valid(id(n), img()).build());
        int start = 5 + 1 + id(n).length(); // header, the id's length (one byte under 64 characters), the id
        int flips = 1 + rng.nextInt(2);
        for (int i = 0; i < flips; i++) {
            int at = start + rng.nextInt(v.length - start);
            v[at] ^= (byte) (1 << rng.nextInt(8));
        }
        return avroCase(n, "avro: blind bit flips", Expect.ANY, v, id(n), -1);
    }

    // ---------------------------------------------------------------- JSON

    private String json(String id, int image, Map<String, String> replaced) {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("id", quote(id));
        f.put("task", quote(TASK));
        f.put("timeout_ms", Long.toString(deadlineMs));
        f.put("inputs", "[" + tensorJson(replaced, image) + "]");
        replaced.forEach((k, val) -> {
            if (!k.startsWith("inputs.")) {
                if (val == null) {
                    f.remove(k);
                } else {
                    f.put(k, val);
                }
            }
        });
        StringBuilder b = new StringBuilder("{");
        f.forEach((k, val) -> b.append(b.length() > 1 ? "," : "").append(quote(k)).append(':').append(val));
        return b.append('}').toString();
    }

    private String tensorJson(Map<String, String> replaced, int image) {
        Map<String, String> t = new java.util.LinkedHashMap<>();
        t.put("name", quote("input"));
        t.put("datatype", quote("FP32"));
        t.put("shape", "[1,1,28,28]");
        StringBuilder data = new StringBuilder("[");
        for (int i = 0; i < PIXELS; i++) {
            data.append(i > 0 ? "," : "").append(images[image][i]);
        }
        t.put("data", data.append(']').toString());
        if (replaced.containsKey("inputs")) {
            return replaced.get("inputs");
        }
        replaced.forEach((k, val) -> {
            if (k.startsWith("inputs.")) {
                if (val == null) {
                    t.remove(k.substring(7));
                } else {
                    t.put(k.substring(7), val);
                }
            }
        });
        StringBuilder b = new StringBuilder("{");
        t.forEach((k, val) -> b.append(b.length() > 1 ? "," : "").append(quote(k)).append(':').append(val));
        return b.append('}').toString();
    }

    private Case jsonCase(int n, String kind, Expect e, String json, String id) {
        return jsonCase(n, kind, e, utf8(json), id);
    }

    private Case jsonCase(int n, String kind, Expect e, byte[] value, String id) {
        return new Case(n, kind, e, Topics.DEFAULT.requestsJson(), id == null ? null : utf8(id), value, id, -1);
    }

    private Case missingField(int n) {
        String field = pick("id", "task", "inputs", "inputs.name", "inputs.datatype", "inputs.shape", "inputs.data");
        Map<String, String> m = new HashMap<>();
        m.put(field, null);
        return jsonCase(n, "json: no " + field, Expect.REFUSED, json(id(n), img(), m), field.equals("id") ? null : id(n));
    }

    private Case wrongJsonType(int n) {
        String[][] table = {
            {"id", "42", "true", "[\"a\"]", "{\"x\":1}", "null", "\"\"", "\"   \""},
            {"task", "7", "[]", "{}", "null", "true"},
            {"timeout_ms", "\"soon\"", "true", "[]", "{}", "-5", "0"},
            {"deadline_ms", "\"tomorrow\"", "[1]", "-1", "0"},
            {"min_accuracy", "\"high\"", "[]", "true", "{}", "2", "-0.1"},
            {"priority", "\"urgent\"", "[]", "{}", "1e40"},
            {"inputs", "{}", "\"x\"", "1", "null", "[]", "[1]", "[\"input\"]", "[[]]"},
            {"inputs.name", "1", "[]", "null", "\"pixels\"", "\"\""},
            {"inputs.datatype", "1", "\"FP99\"", "\"\"", "null", "[]", "\"INT64\""},
            {"inputs.shape", "\"1,1,28,28\"", "[1,1,\"28\",28]", "[1.5,1,28,28]", "[]", "null", "{}", "[1,784]", "[-1,1,28,28]",
                "[1e20,1,28,28]", "[1,1,28,28,1]"},
            {"inputs.data", "\"abc\"", "{}", "null", "[true,false]", "[\"0.5\"]", "[]", "[[0.1,0.2]]", "[0.5]"},
            {"parameters", "\"x\"", "[]", "1"},
            {"modalities", "\"image\"", "[1]", "{}", "[]", "[\"audio\"]"},
            {"traceparent", "[]", "{}"},
            {"policy", "7", "\"no-such-policy\"", "[]"},
        };
        String[] row = table[rng.nextInt(table.length)];
        String value = row[1 + rng.nextInt(row.length - 1)];
        Map<String, String> m = new HashMap<>();
        m.put(row[0], value);
        boolean answerable = !row[0].equals("id");
        return jsonCase(n, "json: " + row[0] + " = " + clip(value), Expect.REFUSED, json(id(n), img(), m), answerable ? id(n) : null);
    }

    private Case hugeJsonValue(int n) {
        Map<String, String> m = new HashMap<>();
        String what;
        switch (rng.nextInt(10)) {
            case 0 -> { m.put("timeout_ms", pick("1e300", "-1e300", "9223372036854775808", "NaN", "Infinity")); what = "timeout_ms"; }
            case 1 -> { m.put("min_accuracy", pick("NaN", "Infinity", "-Infinity", "1e308", "-1e308")); what = "min_accuracy"; }
            case 2 -> { m.put("inputs.data", dataWith(pick("NaN", "Infinity", "-Infinity", "1e30", "-1e30", "1e309", "3.5"))); what = "a pixel"; }
            case 3 -> { m.put("inputs.shape", pick("[9223372036854775807,1,28,28]", "[1,1,100000,100000]")); what = "shape"; }
            case 4 -> { m.put("task", quote("t".repeat(10_000))); what = "task of 10,000 characters"; }
            case 5 -> { m.put("traceparent", quote("0".repeat(300 + rng.nextInt(5000)))); what = "traceparent"; }
            case 6 -> { m.put("inputs.data", dataOfLength(pick(783, 785, 1568, 0))); what = "data length"; }
            case 7 -> { m.put("priority", pick("2147483648", "-2147483649", "1e300")); what = "priority"; }
            case 8 -> { m.put("inputs.name", quote("n".repeat(10_000))); what = "input name"; }
            default -> { m.put("deadline_ms", pick("1", "-9223372036854775808", Long.toString(now - 1))); what = "deadline_ms in the past"; }
        }
        String id = rng.nextInt(8) == 0 ? "i".repeat(257 + rng.nextInt(1000)) : id(n);
        boolean answerable = id.length() <= 256;
        return jsonCase(n, "json: huge or odd " + (answerable ? what : "id"), Expect.REFUSED, json(id, img(), m),
                answerable ? id : null);
    }

    private String dataWith(String bad) {
        StringBuilder d = new StringBuilder("[");
        int at = rng.nextInt(PIXELS);
        for (int i = 0; i < PIXELS; i++) {
            d.append(i > 0 ? "," : "").append(i == at ? bad : "0.5");
        }
        return d.append(']').toString();
    }

    private static String dataOfLength(int n) {
        StringBuilder d = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            d.append(i > 0 ? "," : "").append("0.25");
        }
        return d.append(']').toString();
    }

    private Case truncatedJson(int n) {
        byte[] v = utf8(json(id(n), img(), Map.of()));
        return jsonCase(n, "json: truncated", Expect.REFUSED, Arrays.copyOf(v, rng.nextInt(v.length - 1)), null);
    }

    private Case trailingJson(int n) {
        String garbage = pick("}", "]", ",", "x", "{}", "{\"id\":\"other\"}", " 1", "\u0000");
        return jsonCase(n, "json: trailing " + clip(garbage), Expect.REFUSED, json(id(n), img(), Map.of()) + garbage, null);
    }

    private Case notJson(int n) {
        byte[] v;
        String what;
        switch (rng.nextInt(8)) {
            case 0 -> { v = new byte[1 + rng.nextInt(2000)]; rng.nextBytes(v); what = "random bytes"; }
            case 1 -> { v = new byte[] {(byte) 0xC3, (byte) 0x28, '{', '}'}; what = "invalid UTF-8"; }
            case 2 -> { v = new byte[0]; what = "empty"; }
            case 3 -> { v = utf8(pick("null", "[]", "42", "\"str\"", "true", "{}")); what = "not an object"; }
            case 4 -> { v = utf8("[".repeat(2000 + rng.nextInt(5000))); what = "deep nesting"; }
            case 5 -> { v = utf8("{\"id\":" + "[".repeat(3000) + "]".repeat(3000) + "}"); what = "deeply nested id"; }
            case 6 -> { v = utf8("{\"id\":\"" + id(n) + "\",}"); what = "trailing comma"; }
            default -> { v = utf8("{'id':'" + id(n) + "'}"); what = "single quotes"; }
        }
        return jsonCase(n, "json: " + what, Expect.REFUSED, v, null);
    }

    /** 1 or 2 bits flipped after the id's value, so an answer comes under the case's id. */
    private Case jsonFlip(int n) {
        byte[] v = utf8(json(id(n), img(), Map.of()));
        int start = ("{\"id\":\"" + id(n) + "\"").length();
        int flips = 1 + rng.nextInt(2);
        for (int i = 0; i < flips; i++) {
            int at = start + rng.nextInt(v.length - start);
            v[at] ^= (byte) (1 << rng.nextInt(8));
        }
        return jsonCase(n, "json: blind bit flips", Expect.ANY, v, id(n));
    }

    // ---------------------------------------------------------------- hand-picked (issue 16)

    private List<Case> handPicked(int first) {
        List<Case> h = new ArrayList<>();
        int n = first;
        Map<String, String> big = new HashMap<>();
        big.put("parameters", "{\"note\":" + quote("p".repeat(1_150_000)) + "}");
        h.add(jsonCase(n, "issue 16: JSON request of 1.1 MB", Expect.REFUSED, json(id(n), img(), big), id(n)));
        n++;
        byte[] random = new byte[600];
        rng.nextBytes(random);
        random[0] = 0;
        h.add(avroCase(n++, "issue 16: random Avro bytes after magic 0", Expect.REFUSED, random, null, -1));
        byte[] magic1 = avro(valid(id(n), img()).build());
        magic1[0] = 1;
        h.add(avroCase(n++, "issue 16: magic byte 1", Expect.REFUSED, magic1, null, -1));
        byte[] whole = avro(valid(id(n), img()).build());
        h.add(avroCase(n++, "issue 16: truncated Avro", Expect.REFUSED, Arrays.copyOf(whole, whole.length / 2), null, -1));
        h.add(jsonCase(n, "issue 16: numeric JSON id", Expect.REFUSED, "{\"id\":12345,\"task\":\"" + TASK + "\",\"inputs\":[]}", null));
        n++;
        byte[] unknown = avro(valid(id(n), img()).build());
        ByteBuffer.wrap(unknown, 1, 4).putInt(0x7eadbeef);
        h.add(avroCase(n++, "issue 16: unknown schema id", Expect.REFUSED, unknown, null, -1));
        float[] hot = images[0].clone();
        Arrays.fill(hot, 1e30f);
        h.add(avroCase(n, "issue 16: pixels of 1e30", Expect.REFUSED, avro(valid(id(n), 0)
                .setInputs(List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, hot))).build()), id(n), 0));
        n++;
        h.add(avroCase(n, "issue 16: wrong input tensor name", Expect.REFUSED, avro(valid(id(n), 0)
                .setInputs(List.of(Tensors.fp32("pixels", new long[] {1, 1, 28, 28}, images[0]))).build()), id(n), 0));
        n++;
        h.add(avroCase(n, "issue 16: trailing bytes after the Avro record", Expect.REFUSED,
                concat(avro(valid(id(n), 1).build()), new byte[] {1, 2, 3}), id(n), 1));
        n++;
        h.add(avroCase(n, "issue 16: deadline already past", Expect.REFUSED, avro(valid(id(n), 2).setDeadlineMs(now - 5_000)
                .build()), id(n), 2));
        n++;
        // a re-used id: the same id in a second record (another origin) while the first is pending or answered
        String dup = "dup-" + n;
        h.add(avroCase(n, "issue 16: re-used request id (first)", Expect.DUPLICATE, avro(valid(dup, 3).build()), dup, 3));
        n++;
        h.add(avroCase(n, "issue 16: re-used request id (second)", Expect.DUPLICATE, avro(valid(dup, 4).build()), dup, 4));
        return h;
    }

    // ---------------------------------------------------------------- helpers

    private int img() {
        return rng.nextInt(images.length);
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[rng.nextInt(options.length)];
    }

    private String randomText(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + rng.nextInt(26)));
        }
        return b.toString();
    }

    private static byte[] floatBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String clip(String s) {
        return s.length() > 24 ? s.substring(0, 24) + "..." : s;
    }
}
