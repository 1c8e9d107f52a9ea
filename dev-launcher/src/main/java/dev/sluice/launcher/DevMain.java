package dev.sluice.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The development {@code sluice} command that {@code ./sluice} runs: every command of the
 * deployment image ({@link Main}) plus {@code up} (an in-JVM Kafka broker and the whole pipeline),
 * {@code broker}, {@code bench} and {@code sim}. Its classpath carries the embedded broker's test
 * kit, the benchmarks, the simulator and the Fashion-MNIST test split; the image's does not.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
        description = "Kafka-native inference scheduler: selector, executors and aggregator over Kafka"
                + " (development launcher: up, broker, bench and sim besides the deployment commands).",
        subcommands = {UpCommand.class, ProfileCommand.class, CatalogCommand.class, SelectorCommand.class, ExecutorCommand.class,
                AggregatorCommand.class, BridgeCommand.class, BrokerCommand.class, GatewayCommand.class, BenchCommand.class,
                SimCommand.class, CommandLine.HelpCommand.class})
public final class DevMain implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(Main.run(new DevMain(), args));
    }
}
