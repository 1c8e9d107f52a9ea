package dev.sluice.launcher;

import dev.sluice.bench.SummaryJson;
import dev.sluice.bench.cache.CacheBenchmark;
import dev.sluice.decision.cache.PredictionCache;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice bench cache}: Clipper's prediction cache on and off over the same repeated inputs, in one run. */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Send the same requests twice through one pipeline whose selector has the prediction cache: once "
                + "opting out of it, once with it (starting empty). The test images repeat Zipf-distributed. Report the "
                + "hit rate, the model compute saved and the latency of cache hits against misses.")
final class BenchCacheCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--requests", defaultValue = "3000", description = "requests per run (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--rate", defaultValue = "50", description = "requests per second, steady (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--deadline-ms", defaultValue = "400", description = "deadline of every request (default: ${DEFAULT-VALUE})")
    long deadlineMs;

    @Option(names = "--min-accuracy", split = ",", defaultValue = "0,0.89,0.91,0.93",
            description = "accuracy floors, assigned in turn (default: ${DEFAULT-VALUE})")
    List<Double> floors;

    @Option(names = "--policy", defaultValue = "infaas", completionCandidates = PolicyNames.class,
            description = "selection policy for every request (default: ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--repeat", defaultValue = "1.0:7", paramLabel = "EXPONENT[:SEED]",
            description = "Zipf exponent of the repeats over the 10,000 test images, and their seed (default: ${DEFAULT-VALUE})")
    String repeat;

    @Option(names = "--prediction-cache", defaultValue = "100000,10m", paramLabel = "SIZE,TTL",
            description = "the selector's cache: answers kept and for how long (default: ${DEFAULT-VALUE})")
    String predictionCache;

    @Option(names = "--warmup", defaultValue = "300", description = "uncounted requests first, cache off (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--pause-s", defaultValue = "3", description = "quiet time that ends each run (default: ${DEFAULT-VALUE})")
    double pauseS;

    @Option(names = "--summary-json", description = "write the comparison JSON here")
    Path summaryJson;

    @Override
    public Integer call() throws Exception {
        Catalog catalog = cluster.loadCatalog();
        PredictionCache.Config cacheConfig = PredictionCache.Config.parse(predictionCache);
        var r = dev.sluice.ingest.load.LoadRunner.Repeat.parse(repeat);
        SluiceStack.Options o = new SluiceStack.Options(cluster.deliveryMode(), cluster.commitIntervalMs, policy, -1,
                Device.AUTO, 2, 1).withPredictionCache(cacheConfig);
        FashionMnist test = FashionMnist.test();
        try (Metrics metrics = new Metrics();
             SluiceStack stack = SluiceStack.start(null, null, cluster.serdes(), catalog, cluster.catalogDir(), o,
                     metrics.registry);
             SluiceClient client = SluiceClient.connect(stack.kafka(), cluster.serdes())) {
            CacheBenchmark.Report report = new CacheBenchmark(client, stack.kafka(), cluster.serdes(), test).run(
                    new CacheBenchmark.Config(requests, rate, deadlineMs, floors, policy, r.exponent(), r.seed(), pauseS, warmup),
                    System.out::println);
            System.out.println();
            System.out.print(CacheBenchmark.table(report));
            if (summaryJson != null) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("requests", requests);
                json.put("rate_rps", rate);
                json.put("deadline_ms", deadlineMs);
                json.put("floors", floors);
                json.put("policy", policy);
                json.put("zipf_exponent", r.exponent());
                json.put("seed", r.seed());
                json.put("prediction_cache", Map.of("max_entries", cacheConfig.maxEntries(), "ttl_s", cacheConfig.ttl().toSeconds()));
                json.put("delivery_mode", cluster.deliveryMode().cliName());
                json.put("cache", report.cache());
                json.put("runs", Map.of("off", report.off(), "on", report.on()));
                SummaryJson.write(summaryJson, json);
                System.out.println("summary written to " + summaryJson.toAbsolutePath());
            }
        }
        return 0;
    }
}
