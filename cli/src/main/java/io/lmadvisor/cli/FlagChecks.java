package io.lmadvisor.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Range checks for option setters: a value out of range is a picocli usage error naming the flag. */
final class FlagChecks {
    private FlagChecks() {}

    /** {@code value}, or a usage error "FLAG must be at least MIN[ (why)]: VALUE". */
    static int atLeast(CommandSpec command, String flag, int min, int value, String why) {
        if (value < min) {
            throw new ParameterException(
                    command.commandLine(),
                    flag + " must be at least " + min + (why.isEmpty() ? "" : " (" + why + ")") + ": " + value);
        }
        return value;
    }
}
