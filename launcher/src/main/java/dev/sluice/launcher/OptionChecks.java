package dev.sluice.launcher;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Range checks of option values, run before a command starts anything: a value out of range is a
 * usage error (picocli prints it with a pointer to --help, exit code 2), as an unparseable one is.
 */
final class OptionChecks {
    private final CommandSpec spec;

    OptionChecks(CommandSpec spec) {
        this.spec = spec;
    }

    /** Refuses {@code value} of {@code option} unless {@code ok}, saying what it must be. */
    OptionChecks require(boolean ok, String option, Object value, String mustBe) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '" + option + "': " + value + " (must be " + mustBe + ")");
        }
        return this;
    }

    OptionChecks positive(String option, double value) {
        return require(value > 0 && Double.isFinite(value), option, value, "> 0");
    }

    OptionChecks atLeast(String option, long value, long min) {
        return require(value >= min, option, value, ">= " + min);
    }

    OptionChecks port(String option, int value, boolean noneAllowed) {
        return require(value >= (noneAllowed ? -1 : 0) && value <= 65535, option, value,
                "a port in [0, 65535], 0 for any free one" + (noneAllowed ? ", or -1 for none" : ""));
    }
}
