package dev.sluice.launcher;

import dev.sluice.catalog.LiveCatalog;
import dev.sluice.common.Health;
import dev.sluice.decision.cache.PredictionCache;
import dev.sluice.selector.SelectorCache;
import dev.sluice.selector.SelectorApp;
import dev.sluice.selector.SelectorConfig;
import dev.sluice.decision.quota.TenantQuotas;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "selector", mixinStandardHelpOptions = true, description = "Run the selector alone against a Kafka cluster.")
final class SelectorCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--id", defaultValue = "${env:HOSTNAME:-selector-0}",
            description = "instance id, stable across restarts and unique among the selectors: its static group membership "
                    + "(group.instance.id) derives from it (default: ${DEFAULT-VALUE})")
    String id;

    @Mixin
    FailoverOptions failover;

    @Option(names = "--policy", defaultValue = "infaas", completionCandidates = PolicyNames.class,
            description = "default selection policy, for requests that name none: ${COMPLETION-CANDIDATES}, or a pinned "
                    + "fixed:<variant>, cascade:<a>><b>@<threshold>, self-consistency:<variant>x<n> (default: ${DEFAULT-VALUE})")
    String policy;

    @Mixin
    AdmissionOptions admission;

    @Option(names = "--seed", description = "seed of the learning policies' draws (default: one of this process's own, so "
            + "that selector replicas draw apart)")
    Long seed;

    @Option(names = "--overhead-ms", defaultValue = "60", description = "latency budgeted for the Kafka hops (default: ${DEFAULT-VALUE})")
    double overheadMs;

    @Option(names = "--prediction-cache", paramLabel = "SIZE,TTL",
            description = "Clipper's prediction cache: answer repeated inputs (same task, same tensors) from up to SIZE "
                    + "answers kept TTL (e.g. 100000,10m), when what produced them meets the request's floor; a request "
                    + "opts out with the parameter cache=off (default: off)")
    String predictionCache;

    @Option(names = "--deadline-default", paramLabel = "TASK=LABEL[,...]",
            description = "the label a request asking for a default answer (parameter deadline_default=on) gets when no "
                    + "member answers by its deadline and the prediction cache holds nothing for its inputs (default: none)")
    String deadlineDefault;

    @Option(names = "--tenant-quota", paramLabel = "TENANT=RPS", split = ",",
            description = "requests/s a tenant may send through this selector (its burst: one second's worth); over it a "
                    + "request is answered REJECTED with the reason; repeatable or comma-separated; a tenant not named is "
                    + "unlimited. Each selector replica enforces it on what it reads (default: none)")
    List<String> tenantQuotas = List.of();

    @Override
    public Integer call() {
        cluster.checkRanges(); // before building anything from them
        SelectorConfig config = SelectorConfig.defaults().withPolicy(policy).withOverheadMs(overheadMs).withInstanceSeed()
                .withTenantQuotas(TenantQuotas.parse(tenantQuotas).rates());
        if (seed != null) {
            config = config.withPolicies(config.policies().withSeed(seed));
        }
        config = config.withPolicies(admission.apply(config.policies()));
        try (Metrics metrics = new Metrics();
             LiveCatalog catalog = cluster.liveCatalog(cluster.kafka(bootstrap));
             SelectorApp app = SelectorApp.start(cluster.kafka(bootstrap), cluster.serdes(), catalog,
                     config, cluster.deliveryMode(),
                     cluster.commitIntervalMs, metrics.registry, failover.settings(id, cluster.brokerMinSessionMs(bootstrap)),
                     predictionCache == null ? null : PredictionCache.Config.parse(predictionCache),
                     SelectorCache.parseDefaultLabels(deadlineDefault))) {
            Health health = new Health().add(app::health);
            metrics.serve(cluster.metricsPort, health);
            System.out.printf("selector %s running against %s, metrics on :%d%n", id, bootstrap, metrics.port());
            return Shutdown.await(() -> System.out.println("stopping selector"), health);
        }
    }
}
