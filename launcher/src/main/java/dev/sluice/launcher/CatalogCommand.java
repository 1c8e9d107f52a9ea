package dev.sluice.launcher;

import dev.sluice.avro.CatalogEntry;
import dev.sluice.catalog.CatalogPublisher;
import dev.sluice.catalog.CatalogRecords;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The live catalog on sluice.catalog: publish a catalog file, list what is published, remove variants. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Manage the live model catalog (the compacted sluice.catalog topic) that the selector, executors "
                + "and aggregator follow without restarting.",
        subcommands = {CatalogCommand.Publish.class, CatalogCommand.ListCommand.class, CatalogCommand.Remove.class})
final class CatalogCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
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

        @Override
        public Integer call() {
            Catalog catalog = cluster.loadCatalog();
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
