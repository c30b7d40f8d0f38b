package io.lmadvisor.simulator;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.data.Csap512Key;
import io.lmadvisor.model.data.CsapWriter;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.simulator.migration.MeasurementNoise;
import io.lmadvisor.simulator.migration.Mechanics;
import io.lmadvisor.simulator.migration.MigrationOutcome;
import io.lmadvisor.simulator.migration.MigrationSimulator;
import io.lmadvisor.simulator.migration.Records;
import io.lmadvisor.simulator.workload.FleetConfig;
import io.lmadvisor.simulator.workload.GeneratedVm;
import io.lmadvisor.simulator.workload.WorkloadGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes synthetic CSAP datasets. {@code csap}: one migration per drawn VM with a uniformly drawn
 * algorithm. {@code csap512}: every drawn VM is migrated with all five algorithms, rows numbered
 * {@code seed_number} = VM index, {@code sequence_number} = algorithm code, like CSAP's repeats.
 * The same (rows, seed, config) always gives the same file.
 */
public final class DatasetGenerator {
    /** Called every {@link #PROGRESS_EVERY_ROWS} rows and at the end. */
    @FunctionalInterface
    public interface Progress {
        void rowsWritten(long written, long total);

        Progress NONE = (w, t) -> {};
    }

    public static final long PROGRESS_EVERY_ROWS = 10_000;

    private final FleetConfig fleet;
    private final MigrationSimulator simulator;
    private final MeasurementNoise noise;

    public DatasetGenerator(FleetConfig fleet, Mechanics mechanics, MeasurementNoise noise) {
        this.fleet = fleet;
        this.simulator = new MigrationSimulator(mechanics);
        this.noise = noise;
    }

    /** CSAP fleet, calibrated mechanics, CSAP-like noise. */
    public DatasetGenerator() {
        this(FleetConfig.csap(), Mechanics.csap(), MeasurementNoise.csap());
    }

    /** Generates {@code rows} rows into {@code out} (gzip when it ends in .gz) with the defaults. */
    public static long generate(long rows, long seed, DatasetFormat format, Path out, Progress progress)
            throws IOException {
        return new DatasetGenerator().write(rows, seed, format, out, progress);
    }

    /** @return rows written */
    public long write(long rows, long seed, DatasetFormat format, Path out, Progress progress) throws IOException {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative");
        }
        if (!format.writable()) {
            throw new IllegalArgumentException("dataset format must be csap or csap512, not " + format.cliName());
        }
        WorkloadGenerator gen = new WorkloadGenerator(fleet);
        SplittableRandom rng = new SplittableRandom(seed);
        MigrationOutcome outcome = new MigrationOutcome();
        Algorithm[] algorithms = Algorithm.values();
        long written = 0;
        long vmIndex = 0;
        try (CsapWriter w = CsapWriter.open(out, format)) {
            while (written < rows) {
                // One stream per VM so its rows do not depend on how many were drawn before in other formats.
                SplittableRandom vmRng = rng.split();
                GeneratedVm g = gen.next(vmRng);
                if (format == DatasetFormat.CSAP512) {
                    for (int a = 0; a < algorithms.length && written < rows; a++) {
                        simulator.simulate(
                                algorithms[a],
                                g.vm(),
                                g.host(),
                                fleet.settings().withBandwidth(g.bandwidthMBps()),
                                outcome);
                        noise.apply(outcome, vmRng);
                        String id = new Csap512Key(vmIndex, algorithms[a].code()).toId();
                        w.write(Records.toRecord(id, algorithms[a], g.vm(), g.host(), g.bandwidthMBps(), outcome));
                        written = tick(written, rows, progress);
                    }
                } else {
                    Algorithm a = algorithms[vmRng.nextInt(algorithms.length)];
                    simulator.simulate(a, g.vm(), g.host(), fleet.settings().withBandwidth(g.bandwidthMBps()), outcome);
                    noise.apply(outcome, vmRng);
                    w.write(Records.toRecord(
                            Long.toString(written + 1), a, g.vm(), g.host(), g.bandwidthMBps(), outcome));
                    written = tick(written, rows, progress);
                }
                vmIndex++;
            }
        }
        progress.rowsWritten(written, rows);
        return written;
    }

    private static long tick(long written, long total, Progress progress) {
        long n = written + 1;
        if (n % PROGRESS_EVERY_ROWS == 0 && n < total) {
            progress.rowsWritten(n, total);
        }
        return n;
    }
}
