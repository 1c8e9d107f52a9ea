package dev.sluice.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.executor.profile.CascadeProfiler;
import dev.sluice.executor.profile.EnsembleProfiler;
import dev.sluice.executor.profile.EquivalenceProfiler;
import dev.sluice.executor.profile.ModelProfiler;
import dev.sluice.models.Cascade;
import dev.sluice.models.Catalog;
import dev.sluice.models.Ensemble;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LabelledSet;
import dev.sluice.models.SpokenFashionMnist;
import dev.sluice.models.Substitute;
import dev.sluice.models.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Measures every variant's accuracy and latency on this machine, then the accuracy of every
 * ensemble of 2..4 variants on the validation split, and writes them into the catalog.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Measure accuracy (Java ONNX Runtime, 10k test samples: Fashion-MNIST images, or spoken "
                + "Fashion-MNIST for variants taking audio), p50/p95/p99 latency per batch size "
                + "and resident memory (memory_mb: RSS growth across load and warm-up) of every catalog variant on this machine, then the validation accuracy of every ensemble of "
                + "2..4 variants (majority and probability average), the cascades on the accuracy/cost front and "
                + "the pairwise agreement of the variants (substitutes: cheaper variants agreeing on at least "
                + "--substitute-share of the validation split; the table goes to reports/equivalence.json), "
                + "and write them into the catalog.")
final class ProfileCommand implements Callable<Integer> {
    @Option(names = "--catalog", defaultValue = Catalog.DEFAULT_FILE, description = "catalog to update (default: ${DEFAULT-VALUE})")
    Path catalogFile;

    @Option(names = "--variants", split = ",", description = "only these variants (default: all)")
    List<String> only;

    @Mixin
    ProfilingOptions profiling;

    @Option(names = "--skip-variants", description = "keep the variants' profiles as they are; measure only ensembles and cascades")
    boolean skipVariants;

    @Option(names = "--skip-ensembles", description = "keep the catalog's ensembles and cascades as they are")
    boolean skipEnsembles;

    @Option(names = "--validation", description = "validation split: training-set indices, one a line "
            + "(default: splits/validation-indices.txt beside the catalog)")
    Path validationFile;

    @Option(names = "--max-ensemble", defaultValue = "4", description = "largest ensemble measured (default: ${DEFAULT-VALUE})")
    int maxEnsemble;

    @Option(names = "--substitute-share", defaultValue = "" + EquivalenceProfiler.DEFAULT_SHARE,
            description = "agreement on the validation split that makes a cheaper variant a substitute (default: ${DEFAULT-VALUE})")
    double substituteShare;

    @Option(names = "--memory-only", description = "measure and write only memory_mb, keeping the catalog's accuracy, "
            + "latency profiles and ensembles")
    boolean memoryOnly;

    @Override
    public Integer call() throws IOException {
        Catalog catalog = Catalog.load(catalogFile);
        Path dir = catalogFile.toAbsolutePath().getParent();
        String header = header(catalogFile);
        ModelProfiler profiler = profiling.modelProfiler();
        // memory first, in a process that has run nothing yet (see MemoryProfiler)
        List<Variant> selected = skipVariants && !memoryOnly ? List.of()
                : catalog.variants().stream().filter(v -> only == null || only.contains(v.id())).toList();
        Map<String, Double> memoryMb = profiling.memoryProfiler().measure(selected, dir,
                System.out::println);
        if (memoryOnly) {
            for (Variant v : selected) {
                catalog = catalog.with(v.withMemoryMb(memoryMb.getOrDefault(v.id(), v.memoryMb())));
            }
            catalog.save(catalogFile, header);
            System.out.println("catalog written (memory_mb only): " + catalogFile);
            return 0;
        }
        FashionMnist test = null;
        SpokenFashionMnist spoken = null; // loaded for the first variant that takes audio
        int mismatches = 0;
        for (Variant v : catalog.variants()) {
            if (skipVariants || (only != null && !only.contains(v.id()))) {
                continue;
            }
            LabelledSet data;
            if (imagesOnly(v)) {
                test = test != null ? test : FashionMnist.test();
                data = LabelledSet.images(test);
            } else {
                spoken = spoken != null ? spoken : SpokenFashionMnist.test();
                data = LabelledSet.spoken(spoken);
            }
            ModelProfiler.Measurement m = profiler.measure(v, dir, data, System.out::println);
            Double python = pythonAccuracy(dir, v.id());
            python = python != null ? python : v.pythonAccuracy();
            Variant measured = new Variant(v.id(), v.task(), v.modalities(), v.file(), v.input(), v.inputs(), v.output(),
                    v.preprocessing(), m.variant().accuracy(), python, m.profile(), v.batching(),
                    memoryMb.getOrDefault(v.id(), v.memoryMb()), v.outputKind());
            if (python != null && Math.abs(python - m.accuracy()) > 0.0005) {
                System.out.printf("WARNING %s: Java accuracy %.4f differs from the training script's %.4f%n", v.id(),
                        m.accuracy(), python);
                mismatches++;
            }
            catalog = catalog.with(measured);
            catalog.save(catalogFile, header);
        }
        if (!skipEnsembles) {
            List<Cascade> cascades = new ArrayList<>();
            List<Substitute> substitutes = new ArrayList<>();
            catalog = catalog.withEnsembles(measureEnsembles(catalog, dir, cascades, substitutes)).withCascades(cascades)
                    .withSubstitutes(substitutes);
            catalog.save(catalogFile, header);
        }
        System.out.println("catalog written: " + catalogFile);
        return mismatches == 0 ? 0 : 3;
    }

    /**
     * Every ensemble of 2..maxEnsemble profiled variants of each task, measured on the validation
     * split; the Pareto front of two-stage cascades over the same outputs goes to {@code cascades}.
     */
    private List<Ensemble> measureEnsembles(Catalog catalog, Path dir, List<Cascade> cascades, List<Substitute> substitutes)
            throws IOException {
        Map<String, Object> equivalence = new LinkedHashMap<>();
        Path split = validationFile != null ? validationFile : dir.resolve("splits").resolve("validation-indices.txt");
        FashionMnist validation = FashionMnist.validation(split);
        System.out.printf("ensembles: every set of %d..%d variants on the validation split (%d images, %s)%n",
                EnsembleProfiler.MIN_MEMBERS, maxEnsemble, validation.size(), split);
        EnsembleProfiler profiler = new EnsembleProfiler(profiling.device(), profiling.threads);
        List<Ensemble> all = new ArrayList<>();
        for (String task : catalog.tasks()) {
            // only measured variants: an unprofiled one never serves, so no ensemble of it would either
            List<Variant> members = catalog.variants().stream().filter(v -> v.task().equals(task) && v.isProfiled()).toList();
            List<String> notImages = catalog.forTask(task).stream().filter(v -> !imagesOnly(v)).map(Variant::id).toList();
            if (!notImages.isEmpty()) { // validation audio features are not measured here (only the test split is)
                System.out.printf("%s: ensembles and cascades not measured (they are measured on Fashion-MNIST validation "
                        + "images; %s take other modalities)%n", task, notImages);
                continue;
            }
            if (members.size() < EnsembleProfiler.MIN_MEMBERS) {
                continue;
            }
            if (members.stream().anyMatch(v -> !v.isClassifier())) { // votes, cascades and agreement need classes
                System.out.printf("%s: ensembles and cascades not measured (its variants answer with output tensors, "
                        + "not class scores; a plan averages them with vote MEAN)%n", task);
                continue;
            }
            Map<String, EnsembleProfiler.MemberOutputs> outputs = profiler.run(members, dir, validation, System.out::println);
            List<Ensemble> measured = EnsembleProfiler.measure(new ArrayList<>(outputs.values()), validation.labels(),
                    EnsembleProfiler.MIN_MEMBERS, maxEnsemble, EnsembleProfiler.VOTES);
            all.addAll(measured);
            double bestSingle = outputs.values().stream().mapToDouble(m -> m.accuracy(validation.labels())).max().orElse(0);
            long better = measured.stream().filter(e -> e.accuracy() > bestSingle).count();
            System.out.printf("%s: %d ensembles measured, %d beat the best single variant (%.4f); the best:%n", task,
                    measured.size(), better, bestSingle);
            measured.stream().sorted(Comparator.comparingDouble(Ensemble::accuracy).reversed()).limit(8)
                    .forEach(e -> System.out.printf("  %-40s %-19s %.4f  (best member %.4f, %+.4f)%n",
                            String.join("+", e.members()), e.vote(), e.accuracy(), e.singleBest(), e.gain()));
            // members are cheapest first (catalog order by batch-1 latency), as the cascade wants its stages
            List<EnsembleProfiler.MemberOutputs> byCost = catalog.forTask(task).stream().filter(Variant::isProfiled)
                    .map(v -> outputs.get(v.id())).toList();
            List<Cascade> front = CascadeProfiler.measure(byCost, validation.labels(), CascadeProfiler.THRESHOLDS,
                    id -> catalog.variant(id).orElseThrow().profile().p50Ms(1));
            cascades.addAll(front);
            System.out.printf("%s: %d cascades on the accuracy/cost front:%n", task, front.size());
            front.forEach(c -> System.out.printf("  %-24s below %.2f  accuracy %.4f  escalates %.1f%%  (last stage %.4f, %+.4f)%n",
                    String.join(">", c.stages()), c.threshold(), c.accuracy(), 100 * c.escalationRate(),
                    c.lastStageAccuracy(), c.gain()));
            // model equivalence: how often each pair answers alike; cheaper ones agreeing enough substitute
            List<EquivalenceProfiler.Pair> pairs = EquivalenceProfiler.measure(byCost, validation.labels());
            Map<String, Double> cost = new LinkedHashMap<>();
            catalog.forTask(task).stream().filter(Variant::isProfiled)
                    .forEach(v -> cost.put(v.id(), EquivalenceProfiler.msPerRequest(v)));
            List<Substitute> subs = EquivalenceProfiler.substitutes(pairs, substituteShare, cost::get);
            substitutes.addAll(subs);
            System.out.print(equivalenceTable(byCost, pairs, validation.labels()));
            System.out.printf("%s: %d substitutes (agreement >= %.2f, cheaper per request):%n", task, subs.size(), substituteShare);
            subs.forEach(x -> System.out.printf("  %-12s <- %-12s agreement %.4f%n", x.variant(), x.substitute(), x.agreement()));
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("variants", byCost.stream().map(m -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", m.variant());
                row.put("val_accuracy", Math.round(m.accuracy(validation.labels()) * 10_000) / 10_000.0);
                row.put("ms_per_request", cost.get(m.variant()));
                return row;
            }).toList());
            t.put("pairs", pairs);
            t.put("substitutes", subs);
            equivalence.put(task, t);
        }
        if (!equivalence.isEmpty()) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("what", "pairwise agreement of the variants on the validation split (the share of images both label "
                    + "alike), written by ./sluice profile; a cheaper variant agreeing on at least substitute_share is a "
                    + "substitute (catalog: substitutes)");
            report.put("split", dir.toAbsolutePath().relativize(split.toAbsolutePath()).toString());
            report.put("images", validation.size());
            report.put("substitute_share", substituteShare);
            report.put("tasks", equivalence);
            Path out = dir.resolve("reports").resolve("equivalence.json");
            Files.createDirectories(out.getParent());
            new ObjectMapper().setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
                    .writerWithDefaultPrettyPrinter().writeValue(out.toFile(), report);
            System.out.println("agreement table written: " + out);
        }
        return all;
    }

    /** The agreement matrix as text (percent of images labelled alike), cheapest variant first. */
    static String equivalenceTable(List<EnsembleProfiler.MemberOutputs> byCost, List<EquivalenceProfiler.Pair> pairs,
            int[] labels) {
        StringBuilder b = new StringBuilder(String.format("%-14s %7s", "agreement %", "val acc"));
        byCost.forEach(m -> b.append(String.format(" %10s", m.variant())));
        b.append(System.lineSeparator());
        for (EnsembleProfiler.MemberOutputs row : byCost) {
            b.append(String.format("%-14s %7.2f", row.variant(), 100 * row.accuracy(labels)));
            for (EnsembleProfiler.MemberOutputs col : byCost) {
                double a = row == col ? 1.0 : pairs.stream().filter(p -> (p.a().equals(row.variant()) && p.b().equals(col.variant()))
                        || (p.b().equals(row.variant()) && p.a().equals(col.variant()))).findFirst().orElseThrow().agreement();
                b.append(String.format(" %10.2f", 100 * a));
            }
            b.append(System.lineSeparator());
        }
        return b.toString();
    }

    private static Double pythonAccuracy(Path dir, String variant) throws IOException {
        Path report = dir.resolve("reports").resolve("train-" + variant + ".json");
        if (!Files.isRegularFile(report)) {
            return null;
        }
        JsonNode n = new ObjectMapper().readTree(report.toFile());
        return n.has("test_accuracy") ? n.get("test_accuracy").asDouble() : null;
    }

    /** Whether every input of {@code v} is fed images (Fashion-MNIST's modality). */
    private static boolean imagesOnly(Variant v) {
        return LabelledSet.inputModalities(v).stream().allMatch("image"::equals);
    }

    /** The catalog file's own leading comment block, kept as it is; the default one when it has none. */
    static String header(Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (!line.startsWith("#")) {
                break;
            }
            b.append(line).append('\n');
        }
        return b.length() > 0 ? b.toString() : header();
    }

    private static String header() {
        return "# Sluice model catalog. accuracy (Java ONNX Runtime on the 10k Fashion-MNIST test set),\n"
                + "# python_accuracy (the training script's figure), profile (latency per batch size)\n"
                + "# and memory_mb (RSS growth across session load and warm-up at max batch, what an executor's\n"
                + "# --memory-budget-mb charges) are written by ./sluice profile on the machine that serves;\n"
                + "# never type them in.\n"
                + "# ensembles: accuracy of each member set under its vote, and of its best member alone,\n"
                + "# on the validation split (splits/validation-indices.txt), also written by ./sluice profile.\n"
                + "# cascades: two-stage cascades on the accuracy/cost front (escalate when the first stage's\n"
                + "# confidence is under the threshold), measured on the same split by ./sluice profile.\n"
                + "# substitutes: model equivalence; a variant cheaper per request that labels the validation split\n"
                + "# like another on at least --substitute-share of the images (reports/equivalence.json holds every\n"
                + "# pair), measured by ./sluice profile.\n";
    }
}
