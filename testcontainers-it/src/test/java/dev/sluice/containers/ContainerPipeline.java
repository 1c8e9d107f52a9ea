package dev.sluice.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.common.DeliveryMode;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.executor.runtime.Device;
import dev.sluice.ingest.SluiceClient;
import dev.sluice.ingest.load.LoadRunner;
import dev.sluice.ingest.load.RequestOutcome;
import dev.sluice.ingest.load.RunSummary;
import dev.sluice.launcher.SluiceStack;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.SluiceSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;

/** The whole pipeline (selector, executors, aggregator, bridge) on a broker outside the JVM, and a load through it. */
final class ContainerPipeline {
    static final Path CATALOG = Path.of("../models/catalog.yaml");

    private ContainerPipeline() {}

    /**
     * Starts the stack on {@code bootstrap}, sends {@code n} Fashion-MNIST requests with generous
     * deadlines and checks that each got exactly one OK result; the run's summary.
     */
    static RunSummary serve(String bootstrap, SluiceSerdes serdes, int n, String idPrefix) throws Exception {
        Catalog catalog = Catalog.load(CATALOG);
        try (SluiceStack stack = SluiceStack.start(bootstrap, null, serdes, catalog, CATALOG.toAbsolutePath().getParent(),
                new SluiceStack.Options(DeliveryMode.EXACTLY_ONCE, 20, "infaas", -1, Device.CPU, 1, 4), new SimpleMeterRegistry());
             SluiceClient client = SluiceClient.connect(stack.kafka(), serdes)) {
            List<RequestOutcome> outcomes = new LoadRunner(client, FashionMnist.test()).run(new LoadRunner.Options(n,
                    RateTrace.steady(20), 20_000, List.of(0.0, 0.9), null, "fashion-mnist", 60_000), idPrefix, s -> {});
            RunSummary summary = RunSummary.of(outcomes, client.duplicates(), "infaas", "exactly-once", 20_000);
            assertEquals(n, summary.requestsSent(), summary::table);
            assertEquals(n, summary.resultsReceived(), summary::table);
            assertEquals(0, summary.missing(), summary::table);
            assertEquals(0, summary.duplicates(), summary::table);
            assertEquals((long) n, summary.statusCounts().get("OK"), summary::table);
            return summary;
        }
    }
}
