package dev.sluice.schemas;

import dev.sluice.avro.CatalogEntry;
import dev.sluice.avro.ExecutorStatus;
import dev.sluice.avro.Feedback;
import dev.sluice.avro.InferenceRequest;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.PartialRequest;
import dev.sluice.avro.PendingRequest;
import dev.sluice.avro.Plan;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/** The top-level record schemas Sluice writes, current and every committed earlier version. */
public final class KnownSchemas {
    private KnownSchemas() {}

    /** Current schemas of every record type that travels on a topic or in a state store. */
    public static List<Schema> current() {
        return List.of(InferenceRequest.getClassSchema(), Plan.getClassSchema(), InferenceTask.getClassSchema(),
                ModelOutput.getClassSchema(), InferenceResult.getClassSchema(), ExecutorStatus.getClassSchema(),
                CatalogEntry.getClassSchema(), PendingRequest.getClassSchema(), Feedback.getClassSchema(),
                PartialRequest.getClassSchema());
    }

    /** Historical versions shipped from {@code schemas/history} (file names listed in its index). */
    public static List<Schema> history() {
        List<Schema> out = new ArrayList<>();
        for (String file : historyFiles()) {
            try (InputStream in = resource("sluice/avro-history/" + file)) {
                out.add(new Schema.Parser().setValidateDefaults(false).parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema history " + file, e);
            }
        }
        return out;
    }

    public static List<String> historyFiles() {
        List<String> files = new ArrayList<>();
        try (InputStream in = resource("sluice/avro-history/index.txt");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    files.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    public static List<Schema> all() {
        List<Schema> all = new ArrayList<>(current());
        all.addAll(history());
        return all;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = KnownSchemas.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("missing resource " + name);
        }
        return in;
    }
}
