package io.lmadvisor.cli;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.eval.CellEvaluation;
import io.lmadvisor.simulator.DatasetGenerator;
import io.lmadvisor.simulator.whatif.WhatIf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lm-advisor simulate ...}: synthetic CSAP datasets and what-if runs of the migration simulator. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = "Simulate QEMU live migrations: synthetic CSAP datasets and what-if runs.",
        subcommands = {SimulateCommand.Dataset.class, SimulateCommand.WhatIfRun.class})
final class SimulateCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    static void progress(String message) {
        System.err.println("lm-advisor simulate: " + message);
    }

    @Command(
            name = "dataset",
            mixinStandardHelpOptions = true,
            description = "Write a synthetic dataset in the exact CSAP schema; deterministic per seed.")
    static final class Dataset implements Callable<Integer> {
        @Option(
                names = "--rows",
                required = true,
                description = "Rows to write (csap512: rounded to whole workloads of 5 migrations).")
        long rows;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", required = true, description = "Output CSV (.gz compresses).")
        Path out;

        @Option(names = "--format", defaultValue = "csap", description = "csap or csap512 (default: ${DEFAULT-VALUE}).")
        String format;

        @Override
        public Integer call() throws Exception {
            DatasetFormat f = DatasetFormat.parse(format);
            if (f == DatasetFormat.CSAP_SUBSET) {
                throw new IllegalArgumentException("--format must be csap or csap512");
            }
            if (rows < 1) {
                throw new IllegalArgumentException("--rows must be at least 1");
            }
            long startNs = System.nanoTime();
            long written = DatasetGenerator.generate(
                    rows, seed, f, out, (w, total) -> progress("wrote " + w + " of " + total + " rows"));
            progress(String.format(
                    Locale.ROOT,
                    "%d %s rows in %s (seed %d, %.1f s)",
                    written,
                    f.cliName(),
                    out,
                    seed,
                    (System.nanoTime() - startNs) / 1e9));
            return 0;
        }
    }

    @Command(
            name = "what-if",
            mixinStandardHelpOptions = true,
            description =
                    "Simulate every row's migration from its inputs; CSV of simulated TT, DT, TD (stdout or --out), "
                            + "and gMRE against the real outcomes on stderr.")
    static final class WhatIfRun implements Callable<Integer> {
        @Option(names = "--format", required = true, description = "Input format; csap-subset.")
        String format;

        @Option(names = "--data", required = true, description = "Input file.")
        Path data;

        @Option(names = "--out", description = "Write the CSV here instead of stdout.")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (DatasetFormat.parse(format) != DatasetFormat.CSAP_SUBSET) {
                throw new IllegalArgumentException("what-if reads --format csap-subset");
            }
            Path target = out != null ? out : Files.createTempFile("lm-advisor-what-if", ".csv");
            try {
                WhatIf.Result result = WhatIf.run(data, target);
                progress(result.dataset().summary());
                if (out == null) {
                    Files.copy(target, System.out);
                    System.out.flush();
                }
                progress("gMRE of the simulator against the real outcomes:");
                for (Map.Entry<Algorithm, Map<Target, CellEvaluation>> e :
                        result.evaluation().entrySet()) {
                    StringBuilder line = new StringBuilder("  " + e.getKey().shortName());
                    for (Map.Entry<Target, CellEvaluation> c : e.getValue().entrySet()) {
                        line.append(String.format(
                                Locale.ROOT,
                                "  %s %.3f",
                                c.getKey(),
                                c.getValue().gMRE()));
                    }
                    progress(line.toString());
                }
            } finally {
                if (out == null) {
                    Files.deleteIfExists(target);
                }
            }
            return 0;
        }
    }
}
