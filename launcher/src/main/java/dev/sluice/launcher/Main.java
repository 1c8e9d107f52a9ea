package dev.sluice.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine;

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

    /** Names the configuration file whose properties are every command's option defaults. */
    static final String CONFIG_ENV = "SLUICE_CONFIG";

    /**
     * The command line; with {@code config}, a properties file whose keys are option names without
     * their dashes ({@code prefix=team-a.}, {@code bootstrap=kafka:9092}) or qualified by the command
     * ({@code sluice.selector.policy=infaas}): the defaults of every command, which its arguments override.
     */
    static CommandLine commandLine(Path config) {
        CommandLine cl = new CommandLine(new Main());
        if (config != null) {
            if (!Files.isReadable(config)) {
                throw new IllegalArgumentException(CONFIG_ENV + " names " + config + ", which cannot be read");
            }
            cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(config.toFile()));
        }
        return cl;
    }

    public static void main(String[] args) {
        String configFile = System.getenv(CONFIG_ENV);
        CommandLine commandLine;
        try {
            commandLine = commandLine(configFile == null || configFile.isBlank() ? null : Path.of(configFile));
        } catch (IllegalArgumentException e) {
            System.err.println("sluice: " + e.getMessage());
            System.exit(2);
            return;
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
        System.exit(code);
    }
}
