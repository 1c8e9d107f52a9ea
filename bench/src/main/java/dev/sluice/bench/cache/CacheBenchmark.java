package dev.sluice.bench.cache;

import dev.sluice.avro.ModelOutput;
import dev.sluice.bench.ComputeTally;
import dev.sluice.common.KafkaSettings;
import dev.sluice.common.TopicFollower;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.ingest.load.ZipfRepeats;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import dev.sluice.schemas.Topics;
import dev.sluice.selector.SelectorCache;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Clipper's prediction cache on and off, in one run on one pipeline (whose selector has the cache):
 * the same requests (the same Zipf-distributed repeats of the test images, the same floors, the
 * same pace) are sent twice, first with every request opting out ({@code cache=off}: nothing is
 * answered from or stored in the cache), then with the cache, which starts empty. Reports the hit
 * rate, the model compute the cache saved (member outputs read off sluice.partials, as
 * {@code bench ensemble} counts them) and the latency of hits against misses.
 */
public final class CacheBenchmark {
    /**
     * @param zipf the Zipf exponent of the repeats ({@link ZipfRepeats}); @param seed their seed
     */
    public record Config(int requests, double rate, long deadlineMs, List<Double> floors, String policy, double zipf, long seed,
            double pauseS, int warmupRequests) {}

    /** Both runs and the comparison the JSON reports as {@code cache}. */
    public record Report(CacheResult off, CacheResult on, double repeatShare) {
        /** {@code cache: {hit_rate, compute_saved_ratio, latency_ms_hit: {p50, p99}, latency_ms_miss: {p50, p99}}} and more. */
        public Map<String, Object> cache() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hit_rate", on.hitRate());
            m.put("compute_saved_ratio", off.computeMs() > 0 ? 1 - on.computeMs() / off.computeMs() : Double.NaN);
            m.put("latency_ms_hit", on.latencyMsHit());
            m.put("latency_ms_miss", on.latencyMsMiss());
            m.put("repeat_share", repeatShare);
            m.put("latency_ms_off", off.latencyMs());
            m.put("latency_ms_on", on.latencyMs());
            m.put("accuracy_off", off.accuracy());
            m.put("accuracy_on", on.accuracy());
            m.put("slo_attainment_off", off.sloAttainment());
            m.put("slo_attainment_on", on.sloAttainment());
            return m;
        }
    }

    private final SluiceClient client;
    private final KafkaSettings kafka;
    private final SluiceSerdes serdes;
    private final FashionMnist data;

    public CacheBenchmark(SluiceClient client, KafkaSettings kafka, SluiceSerdes serdes, FashionMnist data) {
        this.client = client;
        this.kafka = kafka;
        this.serdes = serdes;
        this.data = data;
    }

    public Report run(Config c, Consumer<String> progress) {
        ComputeTally tally = new ComputeTally();
        try (TopicFollower<ModelOutput> partials = new TopicFollower<>("bench-partials", kafka, kafka.topics().partials(),
                serdes.<ModelOutput>deserializer(), TopicFollower.Start.END, tally::add)) {
            LoadRunner runner = new LoadRunner(client, data);
            if (c.warmupRequests() > 0) {
                progress.accept("warming up: " + c.warmupRequests() + " requests, cache off (not counted)");
                runner.run(options(c, c.warmupRequests(), false).withRepeat(null), "cwarm-" + stamp(), line -> {});
                tally.awaitQuiet((long) (c.pauseS() * 1000), 60_000);
            }
            CacheResult off = once(c, runner, tally, false, progress);
            CacheResult on = once(c, runner, tally, true, progress);
            ZipfRepeats z = new ZipfRepeats(data.size(), c.zipf(), c.seed());
            int[] samples = new int[c.requests()];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = z.next();
            }
            return new Report(off, on, CacheResult.repeatShare(samples));
        }
    }

    private CacheResult once(Config c, LoadRunner runner, ComputeTally tally, boolean cache, Consumer<String> progress) {
        String runId = "cache-" + (cache ? "on" : "off") + "-" + stamp();
        progress.accept(String.format("cache %s: %d requests at %.0f rps, Zipf repeats (exponent %.2f, seed %d), deadline %d ms, "
                + "floors %s", cache ? "on" : "off", c.requests(), c.rate(), c.zipf(), c.seed(), c.deadlineMs(), c.floors()));
        List<RequestOutcome> outcomes = runner.run(options(c, c.requests(), cache), runId, progress);
        tally.awaitQuiet((long) (c.pauseS() * 1000), 60_000);
        CacheResult r = CacheResult.of(outcomes, tally.totals(runId + "-"));
        progress.accept(String.format("cache %s: hit rate %.4f, compute %.1f ms (%.3f ms/request), accuracy %.4f, slo %.4f, "
                + "p50 %.0f ms (hits %.0f, misses %.0f)", cache ? "on" : "off", r.hitRate(), r.computeMs(), r.computeMsPerRequest(),
                r.accuracy(), r.sloAttainment(), r.latencyMs().get("p50"), r.latencyMsHit().get("p50"), r.latencyMsMiss().get("p50")));
        return r;
    }

    private static LoadRunner.Options options(Config c, int n, boolean cache) {
        LoadRunner.Options o = new LoadRunner.Options(n, RateTrace.steady(c.rate()), c.deadlineMs(), c.floors(), c.policy(),
                "fashion-mnist", 10_000).withRepeat(new LoadRunner.Repeat(c.zipf(), c.seed()));
        return cache ? o : o.withParameters(Map.of(SelectorCache.PARAMETER, "off"));
    }

    private static String stamp() {
        return Long.toString(System.currentTimeMillis(), 36);
    }

    /** The two runs side by side as text. */
    public static String table(Report r) {
        StringBuilder b = new StringBuilder(String.format("%-6s %8s %8s %9s %9s %8s %12s %10s %8s %8s %12s %12s%n", "cache",
                "requests", "cached", "hit rate", "accuracy", "slo", "compute ms", "ms/request", "p50 ms", "p99 ms",
                "hit p50/p99", "miss p50/p99"));
        for (var e : Map.of("off", r.off(), "on", r.on()).entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            CacheResult x = e.getValue();
            b.append(String.format("%-6s %8d %8d %9.4f %9.4f %8.4f %12.1f %10.3f %8.1f %8.1f %12s %12s%n", e.getKey(),
                    x.requests(), x.cached(), x.hitRate(), x.accuracy(), x.sloAttainment(), x.computeMs(),
                    x.computeMsPerRequest(), x.latencyMs().get("p50"), x.latencyMs().get("p99"),
                    String.format("%.0f/%.0f", x.latencyMsHit().get("p50"), x.latencyMsHit().get("p99")),
                    String.format("%.0f/%.0f", x.latencyMsMiss().get("p50"), x.latencyMsMiss().get("p99"))));
        }
        Map<String, Object> c = r.cache();
        b.append(String.format("hit rate %.4f of %.4f repeats; compute saved %.1f%%; hits p50 %.0f ms vs misses %.0f ms%n",
                c.get("hit_rate"), r.repeatShare(), 100 * (double) c.get("compute_saved_ratio"),
                r.on().latencyMsHit().get("p50"), r.on().latencyMsMiss().get("p50")));
        return b.toString();
    }
}
