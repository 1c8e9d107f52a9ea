package dev.sluice.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command. */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
        description = "Kafka-native inference scheduler: selector, executors and aggregator over Kafka.",
        subcommands = {UpCommand.class, ProfileCommand.class, CatalogCommand.class, SelectorCommand.class, ExecutorCommand.class,
                AggregatorCommand.class, BridgeCommand.class, BrokerCommand.class, GatewayCommand.class, BenchCommand.class,
                SimCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("sluice: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    if (Boolean.getBoolean("sluice.debug")) {
                        e.printStackTrace(cmd.getErr());
                    }
                    return 1;
                })
                .execute(args);
        Shutdown.commandDone(); // a stop signal's hook waited for the components to close
        System.exit(code);
    }
}
