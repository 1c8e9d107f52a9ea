package dev.sluice.launcher;

import dev.sluice.avro.CatalogEntry;
import dev.sluice.catalog.CatalogPublisher;
import dev.sluice.catalog.CatalogRecords;
import dev.sluice.common.KafkaSettings;
import dev.sluice.executor.profile.ModelProfiler;
import dev.sluice.executor.profile.OnnxSignature;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.OutputKind;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.LabelledFiles;
import dev.sluice.models.LabelledSet;
import dev.sluice.models.Variant;
import dev.sluice.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The live catalog on sluice.catalog: publish a catalog file, list what is published, remove variants. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Manage the live model catalog (the compacted sluice.catalog topic) that the selector, executors "
                + "and aggregator follow without restarting.",
        subcommands = {CatalogCommand.Add.class, CatalogCommand.Publish.class, CatalogCommand.ListCommand.class,
                CatalogCommand.Remove.class})
final class CatalogCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Creates the missing task topics of {@code ids} with sluice.requests' partition count and replication. */
    static void createTaskTopics(KafkaSettings kafka, List<String> ids) {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            TopicDescription requests = admin.describeTopics(List.of(kafka.topics().requests())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(kafka.topics().requests());
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = ids.stream().map(kafka.topics()::tasks).filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, requests.partitions().size(), (short) requests.partitions().get(0).replicas().size()))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                System.out.printf("created %s%n", missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create task topics: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("cannot create task topics: " + e, e);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Bring your own model: read the ONNX file's input and output, check them against the task, copy "
                    + "the file beside --catalog, measure accuracy (on --labelled data, or the Fashion-MNIST test set), "
                    + "latency per batch size and "
                    + "memory on this machine, and add the entry to the catalog file; with --bootstrap, publish it to the "
                    + "live catalog too.")
    static final class Add implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "the model, exported with a dynamic batch axis")
        Path onnx;

        @Option(names = "--id", required = true, description = "variant id: lower case, digits, '-'")
        String id;

        @Option(names = "--task", defaultValue = "fashion-mnist", description = "task it serves (default: ${DEFAULT-VALUE})")
        String task;

        @Option(names = "--preprocessing", defaultValue = "grey pixels scaled to [0,1]",
                description = "what the model expects of its input, for people reading the catalog (default: ${DEFAULT-VALUE})")
        String preprocessing;

        @Option(names = "--max-batch", defaultValue = "32", description = "largest batch its executor runs (default: ${DEFAULT-VALUE})")
        int maxBatch;

        @Option(names = "--max-delay-ms", defaultValue = "2.0",
                description = "longest a batch waits to fill (default: ${DEFAULT-VALUE})")
        double maxDelayMs;

        @Mixin
        ProfilingOptions profiling;

        @Option(names = "--bootstrap", description = "also publish the new variant to this cluster's sluice.catalog")
        String bootstrap;

        @Option(names = "--labelled", split = ",", paramLabel = "FEATURES,LABELS",
                description = "labelled data to measure accuracy on: a features file ([N, ...], one sample a row) and a labels "
                        + "file ([N] class indices), each NumPy .npy or IDX (gzipped or not; unsigned-byte features are scaled "
                        + "to [0,1]). Default: the Fashion-MNIST test set, for models taking 1x28x28 images")
        List<Path> labelled;

        @Option(names = "--create-topics", description = "with --bootstrap: create the variant's task topic if missing, "
                + "partitioned like sluice.requests (needs Create rights; on Strimzi add a KafkaTopic instead)")
        boolean createTopics;

        @Option(names = "--output-kind", defaultValue = "classes", paramLabel = "classes|tensors",
                description = "classes: the first output is class scores (label, confidence, probabilities); tensors: an "
                        + "embedding, regression or detector, its outputs served as they are, accuracy scored as nearest "
                        + "class centroid of the first output (default: ${DEFAULT-VALUE})")
        String outputKind;

        @Option(names = "--modality", defaultValue = "image",
                description = "what requests of the task call their input (they list it in 'modalities') (default: ${DEFAULT-VALUE})")
        String modality;

        private OutputKind outputKind() {
            return switch (outputKind) {
                case "classes" -> OutputKind.CLASSES;
                case "tensors" -> OutputKind.TENSORS;
                default -> throw new IllegalArgumentException("--output-kind is classes or tensors, not '" + outputKind + "'");
            };
        }

        @Override
        public Integer call() throws IOException {
            Path catalogFile = cluster.catalog;
            Catalog catalog = cluster.loadCatalog();
            Path dir = cluster.catalogDir();
            Path target = dir.resolve(onnx.getFileName());
            if (!Files.isRegularFile(onnx)) {
                throw new IllegalArgumentException("ONNX file not found: " + onnx.toAbsolutePath());
            }
            OnnxSignature signature = OnnxSignature.read(onnx);
            Variant draft = NewVariant.draft(id, task, modality, onnx.getFileName().toString(), signature, catalog,
                    new BatchingConfig(maxBatch, maxDelayMs), preprocessing, outputKind());
            LabelledSet data;
            if (labelled != null) {
                if (labelled.size() != 2) {
                    throw new IllegalArgumentException("--labelled takes two files, FEATURES,LABELS; got " + labelled);
                }
                data = LabelledFiles.load(labelled.get(0), labelled.get(1), modality, draft.input().sampleSize());
                int classes = draft.output().sampleSize();
                for (int i = 0; i < data.size() && draft.isClassifier(); i++) {
                    if (data.label(i) >= classes) {
                        throw new IllegalArgumentException(labelled.get(1) + " row " + i + " is class " + data.label(i)
                                + " but the model scores " + classes + " classes");
                    }
                }
            } else if (draft.input().sampleSize() == 28 * 28 && modality.equals("image")) {
                data = LabelledSet.images(FashionMnist.test());
            } else {
                throw new IllegalArgumentException(onnx + " takes " + draft.input().shape() + " ('" + modality + "'); without "
                        + "--labelled FEATURES,LABELS accuracy is measured on Fashion-MNIST test images (1x28x28, modality "
                        + "image), which this model cannot take");
            }
            if (!Files.exists(target)) {
                Files.copy(onnx, target);
                System.out.printf("copied %s to %s%n", onnx, target);
            } else if (Files.mismatch(onnx, target) != -1) {
                throw new IllegalArgumentException(target + " exists and differs from " + onnx + "; rename the file");
            }
            Map<String, Double> memory = profiling.memoryProfiler().measure(List.of(draft), dir,
                    System.out::println);
            ModelProfiler.Measurement m = profiling.modelProfiler()
                    .measure(draft, dir, data, System.out::println);
            Variant measured = m.variant().withMemoryMb(memory.get(id));
            List<Variant> variants = new ArrayList<>(catalog.variants());
            variants.add(measured);
            new Catalog(variants, catalog.ensembles(), catalog.cascades()).save(catalogFile, ProfileCommand.header(catalogFile));
            System.out.printf("added %s to %s: accuracy %.4f, p50 %.3f ms at batch 1, %.1f MB%n", id, catalogFile,
                    measured.accuracy(), measured.profile().p50Ms(1), measured.memoryMb());
            if (bootstrap != null) {
                if (createTopics) {
                    createTaskTopics(cluster.kafka(bootstrap), List.of(id));
                }
                CatalogPublisher.Outcome o = new CatalogPublisher(cluster.kafka(bootstrap), cluster.serdes())
                        .publish(new Catalog(List.of(measured)), false, System.currentTimeMillis());
                System.out.printf("published to sluice.catalog: %s%n", o);
            }
            System.out.printf("next: start its executor (./sluice executor --bootstrap HOST:PORT --catalog %s --variants %s)%s; "
                    + "./sluice profile --skip-variants --catalog %s measures ensembles and cascades with it%n", catalogFile, id,
                    bootstrap == null ? " and publish (./sluice catalog publish --merge)" : "", catalogFile);
            return 0;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Publish --catalog FILE to sluice.catalog: only changed elements are written. By default the file "
                    + "replaces the published catalog (variants absent from it are removed: the selector stops sending them "
                    + "new tasks, queued ones finish); --merge only adds and updates.")
    static final class Publish implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
        String bootstrap;

        @Option(names = "--merge", description = "add and update the file's elements; remove nothing")
        boolean merge;

        @Option(names = "--create-topics", description = "create missing task topics (sluice.tasks.<id>), partitioned like "
                + "sluice.requests (needs Create rights; on Strimzi add KafkaTopics instead)")
        boolean createTopics;

        @Override
        public Integer call() {
            Catalog catalog = cluster.loadCatalog();
            if (createTopics) {
                createTaskTopics(cluster.kafka(bootstrap), catalog.variants().stream().map(Variant::id).toList());
            }
            CatalogPublisher.Outcome o = new CatalogPublisher(cluster.kafka(bootstrap), cluster.serdes())
                    .publish(catalog, !merge, System.currentTimeMillis());
            System.out.printf("published %s (%d variants) to sluice.catalog: %s%n", cluster.catalog, catalog.variants().size(), o);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the published catalog.")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
        String bootstrap;

        @Override
        public Integer call() {
            Map<String, CatalogEntry> published = new CatalogPublisher(cluster.kafka(bootstrap), cluster.serdes()).published();
            if (published.isEmpty()) {
                System.out.println("sluice.catalog is empty: components use their --catalog file");
                return 0;
            }
            Catalog c = CatalogRecords.catalogOf(published.values());
            System.out.printf("%-16s %-24s %-10s %9s %11s  %s%n", "variant", "task", "modalities", "accuracy", "p50@1 ms", "file");
            for (Variant v : c.variants()) {
                System.out.printf("%-16s %-24s %-10s %9s %11s  %s%n", v.id(), v.task(), String.join("+", v.modalities()),
                        v.accuracy() == null ? "-" : String.format("%.4f", v.accuracy()),
                        v.profile().isEmpty() ? "-" : String.format("%.3f", v.profile().p50Ms(1)), v.file());
            }
            System.out.printf("%d variants, %d ensembles, %d cascades%n", c.variants().size(), c.ensembles().size(),
                    c.cascades().size());
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove variants from the published catalog: the selector stops sending them new tasks; "
                    + "tasks already queued finish. Stop their executors afterwards.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
        String bootstrap;

        @Parameters(arity = "1..*", paramLabel = "VARIANT", description = "variant ids")
        List<String> ids;

        @Override
        public Integer call() {
            CatalogPublisher.Outcome o = new CatalogPublisher(cluster.kafka(bootstrap), cluster.serdes()).remove(ids);
            System.out.printf("removed %s from sluice.catalog%n", o.removed());
            return 0;
        }
    }
}
