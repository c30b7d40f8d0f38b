package io.lmadvisor.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.List;
import java.util.concurrent.Callable;

/** Subcommands whose issue has not landed yet: they say so and exit non-zero. */
final class NotBuiltYet {
    static final int EXIT_NOT_BUILT = 3;

    private NotBuiltYet() {
    }

    abstract static class Placeholder implements Callable<Integer> {
        @Unmatched
        List<String> ignored;

        abstract String what();

        @Override
        public Integer call() {
            System.err.println("lm-advisor: '" + what() + "' is not built yet in this version.");
            return EXIT_NOT_BUILT;
        }
    }

    @Command(name = "backtest", description = "Replay historical topics through a model (not built yet).")
    static final class Backtest extends Placeholder {
        @Override
        String what() {
            return "backtest";
        }
    }
}
