package io.lmadvisor.benchmarks;

import io.lmadvisor.model.score.Scorer;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@link Scorer#scoreAll} call: every algorithm × target (15 supported cells for a csap-subset
 * model, 30 slots) for one profile at one bandwidth. Profiles cycle through 1,024 pre-drawn ones so
 * that branch prediction cannot learn a single path.
 * <pre>java -jar benchmarks/target/benchmarks.jar ScorerBenchmark [-Dlmadvisor.model.gbt=FILE ...]</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx4g"})
@Threads(1)
public class ScorerBenchmark {
    @Param({"gbt", "analytic", "svr-bagging"})
    public String learner;

    /** Raw features blanked in every profile, CSAP column names joined by "+", e.g. VM_pmu_instr as the agents send. */
    @Param({"none"})
    public String absent;

    private Scorer scorer;
    private double[][] profiles;
    private double[] out;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        java.util.logging.LogManager.getLogManager().reset();
        scorer = new Scorer(BenchmarkModels.model(learner));
        SplittableRandom rnd = new SplittableRandom(7);
        profiles = new double[1024][];
        // Full-feature models want full profiles: -Dlmadvisor.profiles.csap512=FILE takes them from a (simulated)
        // dataset.
        String file = System.getProperty("lmadvisor.profiles.csap512");
        java.util.List<io.lmadvisor.model.MigrationRecord> rows = file == null
                ? java.util.List.of()
                : io.lmadvisor.model.data.DatasetFormat.CSAP512
                        .read(java.nio.file.Path.of(file), io.lmadvisor.model.data.ReadOptions.defaults())
                        .records();
        for (int i = 0; i < profiles.length; i++) {
            profiles[i] = rows.isEmpty()
                    ? BenchmarkModels.profile(rnd)
                    : rows.get(i % rows.size()).raw();
        }
        for (String column : absent.equals("none") ? new String[0] : absent.split("\\+")) {
            for (double[] p : profiles) {
                p[io.lmadvisor.model.features.RawFeature.byCsapColumn(column).ordinal()] = Double.NaN;
            }
        }
        out = new double[Scorer.OUTPUTS];
    }

    @Benchmark
    public double[] scoreAll() {
        double[] raw = profiles[next++ & 1023];
        scorer.scoreAll(raw, out);
        return out;
    }
}
