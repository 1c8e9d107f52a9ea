package dev.sluice.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.executor.profile.ModelProfiler;
import dev.sluice.executor.runtime.Device;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Measures every variant's accuracy and latency on this machine and writes them into the catalog. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Measure accuracy (Java ONNX Runtime, 10k test images) and p50/p95/p99 latency per batch size "
                + "of every catalog variant on this machine, and write them into the catalog.")
final class ProfileCommand implements Callable<Integer> {
    @Option(names = "--catalog", defaultValue = Catalog.DEFAULT_FILE, description = "catalog to update (default: ${DEFAULT-VALUE})")
    Path catalogFile;

    @Option(names = "--variants", split = ",", description = "only these variants (default: all)")
    List<String> only;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--threads", defaultValue = "2", description = "intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seconds", defaultValue = "1.5", description = "measuring time per batch size (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--batches", split = ",", defaultValue = "1,2,4,8,16,32,64", description = "batch sizes (default: ${DEFAULT-VALUE})")
    int[] batches;

    @Override
    public Integer call() throws IOException {
        Catalog catalog = Catalog.load(catalogFile);
        Path dir = catalogFile.toAbsolutePath().getParent();
        FashionMnist test = FashionMnist.test();
        ModelProfiler profiler = new ModelProfiler(Device.parse(device), threads, batches, seconds);
        int mismatches = 0;
        for (Variant v : catalog.variants()) {
            if (only != null && !only.contains(v.id())) {
                continue;
            }
            ModelProfiler.Measurement m = profiler.measure(v, dir, test, System.out::println);
            Double python = pythonAccuracy(dir, v.id());
            Variant measured = new Variant(v.id(), v.task(), v.modalities(), v.file(), v.input(), v.output(),
                    v.preprocessing(), m.variant().accuracy(), python, m.profile(), v.batching());
            if (python != null && Math.abs(python - m.accuracy()) > 0.0005) {
                System.out.printf("WARNING %s: Java accuracy %.4f differs from the training script's %.4f%n", v.id(),
                        m.accuracy(), python);
                mismatches++;
            }
            catalog = catalog.with(measured);
            catalog.save(catalogFile, header());
        }
        System.out.println("catalog written: " + catalogFile);
        return mismatches == 0 ? 0 : 3;
    }

    private static Double pythonAccuracy(Path dir, String variant) throws IOException {
        Path report = dir.resolve("reports").resolve("train-" + variant + ".json");
        if (!Files.isRegularFile(report)) {
            return null;
        }
        JsonNode n = new ObjectMapper().readTree(report.toFile());
        return n.has("test_accuracy") ? n.get("test_accuracy").asDouble() : null;
    }

    private static String header() {
        return "# Sluice model catalog. accuracy (Java ONNX Runtime on the 10k Fashion-MNIST test set),\n"
                + "# python_accuracy (the training script's figure) and profile (latency per batch size)\n"
                + "# are written by ./sluice profile on the machine that serves; never type them in.\n";
    }
}
