package dev.sluice.launcher;

import dev.sluice.catalog.LiveCatalog;
import dev.sluice.common.Health;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.ExecutorHost;
import dev.sluice.executor.ModelResidency;
import dev.sluice.executor.runtime.Device;
import dev.sluice.models.Variant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "executor", mixinStandardHelpOptions = true,
        description = "Run executors for some (default all) catalog variants against a Kafka cluster.")
final class ExecutorCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--variants", split = ",", description = "variants to serve (default: all in the catalog)")
    List<String> variants;

    @Option(names = "--id", defaultValue = "${env:HOSTNAME:-executor-0}",
            description = "executor id, stable across restarts and unique among the executors: transactional ids and "
                    + "static group membership derive from it (default: ${DEFAULT-VALUE})")
    String id;

    @Mixin
    FailoverOptions failover;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--memory-budget-mb", defaultValue = "0",
            description = "memory for loaded models; the least recently used unload to make room, a model larger "
                    + "than the budget is refused at start. Each model is charged its catalog memory_mb (measured by "
                    + "sluice profile) or else 5x its .onnx file + 4 MB. 0 = unlimited (default: ${DEFAULT-VALUE})")
    long memoryBudgetMb;

    @Option(names = "--eager", description = "load every served model at start instead of on first use")
    boolean eager;

    @Option(names = "--answer-margin-ms", defaultValue = "" + dev.sluice.decision.batch.DeadlineBatcher.DEFAULT_ANSWER_MARGIN_MS,
            description = "time an answer needs after its batch to reach the client (output hop, aggregation, result "
                    + "hop); a task that its batch plus this cannot bring in by its deadline is answered "
                    + "DEADLINE_EXCEEDED instead of run, so that an overloaded executor spends its time on tasks "
                    + "that can still make it (default: ${DEFAULT-VALUE})")
    long answerMarginMs;

    @Override
    public Integer call() {
        cluster.checkRanges(); // before building anything from them
        ExecutorConfig cfg = ExecutorConfig.defaults(id).withDelivery(cluster.deliveryMode())
                .withDevice(Device.parse(device)).withThreads(threads).withFailover(failover.settings(id, cluster.brokerMinSessionMs(bootstrap)))
                .withAnswerMargin(java.time.Duration.ofMillis(answerMarginMs));
        try (Metrics metrics = new Metrics();
             LiveCatalog catalog = cluster.liveCatalog(cluster.kafka(bootstrap));
             ExecutorHost host = ExecutorHost.start(cluster.kafka(bootstrap), cluster.serdes(), catalog, cluster.catalogDir(),
                     variants != null ? variants : catalog.get().variants().stream().map(Variant::id).toList(),
                     cfg, ModelResidency.defaults().withBudgetMb(memoryBudgetMb).withEager(eager),
                     metrics.registry)) {
            Health health = new Health().add(host::health);
            metrics.serve(cluster.metricsPort, health);
            System.out.printf("executor %s serving %s against %s, metrics on :%d%n", id, host.devices(), bootstrap,
                    metrics.port());
            return Shutdown.await(() -> System.out.println("stopping executor"), health);
        }
    }
}
