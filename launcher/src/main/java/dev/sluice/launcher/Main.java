package dev.sluice.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code sluice} command of the deployment image: the components that run against a Kafka
 * cluster, and the model tools. The development launcher ({@code dev-launcher}, {@code DevMain},
 * what {@code ./sluice} runs) adds {@code up}, {@code broker}, {@code bench} and {@code sim}, which
 * need the in-JVM broker, the benchmarks and the simulator that this image does not carry.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
        description = "Kafka-native inference scheduler: selector, executors and aggregator over Kafka.",
        subcommands = {ProfileCommand.class, CatalogCommand.class, SelectorCommand.class, ExecutorCommand.class,
                AggregatorCommand.class, BridgeCommand.class, GatewayCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Names the configuration file whose properties are every command's option defaults. */
    static final String CONFIG_ENV = "SLUICE_CONFIG";

    /**
     * The command line; with {@code config}, a properties file whose keys are option names without
     * their dashes ({@code prefix=team-a.}, {@code bootstrap=kafka:9092}) or qualified by the command
     * ({@code sluice.selector.policy=infaas}): the defaults of every command, which its arguments override.
     */
    static CommandLine commandLine(Path config) {
        return commandLine(new Main(), config);
    }

    /** As {@link #commandLine(Path)} for another root command (the development launcher's). */
    static CommandLine commandLine(Object root, Path config) {
        CommandLine cl = new CommandLine(root);
        if (config != null) {
            if (!Files.isReadable(config)) {
                throw new IllegalArgumentException(CONFIG_ENV + " names " + config + ", which cannot be read");
            }
            cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(config.toFile()));
        }
        return cl;
    }

    public static void main(String[] args) {
        System.exit(run(new Main(), args));
    }

    /**
     * Runs {@code args} on {@code root} with the defaults of {@link #CONFIG_ENV}'s file and sluice's
     * error handling; the exit status (2 when the configuration file cannot be read).
     */
    static int run(Object root, String[] args) {
        String configFile = System.getenv(CONFIG_ENV);
        CommandLine commandLine;
        try {
            commandLine = commandLine(root, configFile == null || configFile.isBlank() ? null : Path.of(configFile));
        } catch (IllegalArgumentException e) {
            System.err.println("sluice: " + e.getMessage());
            return 2;
        }
        int code = commandLine
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("sluice: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    if (Boolean.getBoolean("sluice.debug")) {
                        e.printStackTrace(cmd.getErr());
                    }
                    return 1;
                })
                .execute(args);
        Shutdown.commandDone(); // a stop signal's hook waited for the components to close
        return code;
    }
}
