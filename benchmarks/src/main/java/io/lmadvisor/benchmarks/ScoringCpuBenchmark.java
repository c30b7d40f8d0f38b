package io.lmadvisor.benchmarks;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.score.Scorer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Thread CPU time per scoring call, which a shared machine disturbs less than JMH's wall time: one call on a full
 * csap512 profile (the idle budget's case), one call on a profile as the agents send it (no VM_pmu_instr), and one
 * profile at 3 destinations in one batch, as the advisor scores it (StreamsBenchmark's VMs and hosts).
 * <pre>java -cp benchmarks/target/benchmarks.jar io.lmadvisor.benchmarks.ScoringCpuBenchmark MODEL.lmm PROFILES.csv</pre>
 * PROFILES.csv: a csap512 dataset, e.g. {@code lm-advisor simulate dataset --rows 2000 --seed 99 --format csap512}.
 */
public final class ScoringCpuBenchmark {
    private static final int CALLS = 20_000;

    private ScoringCpuBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ScoringCpuBenchmark MODEL.lmm PROFILES.csv (a csap512 dataset)");
            System.exit(2);
        }
        java.util.logging.LogManager.getLogManager().reset();
        Scorer scorer = Scorer.of(ModelArtifact.load(Path.of(args[0])));
        List<MigrationRecord> rows = DatasetFormat.CSAP512
                .read(Path.of(args[1]), ReadOptions.defaults())
                .records();
        double[][] full = new double[1024][];
        double[][][] agent = new double[1024][3][];
        SplittableRandom rnd = new SplittableRandom(2);
        for (int i = 0; i < full.length; i++) {
            full[i] = rows.get(i % rows.size()).raw();
            int v = rnd.nextInt(20_000);
            ProfileView vm = ProfileView.fromAgent(
                    1024 + (v % 8) * 256,
                    rnd.nextDouble() * 20_000,
                    50_000 + v % 1000,
                    0.6,
                    0.4,
                    900.0,
                    null,
                    rnd.nextDouble() * 150,
                    1.0,
                    null,
                    null,
                    null);
            for (int k = 0; k < 3; k++) {
                double[] raw = RawFeature.emptyVector();
                vm.fillVm(raw);
                raw[RawFeature.PTR.ordinal()] = 900;
                raw[RawFeature.DST_CPU_AVAIL.ordinal()] = 1600 + 100 * k;
                raw[RawFeature.DST_MEM_AVAIL.ordinal()] = 131_072 - 4_096 * k;
                agent[i][k] = raw;
            }
        }
        double[] out = new double[Scorer.OUTPUTS];
        double[][] outs = new double[3][Scorer.OUTPUTS];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double sink = 0;
        String[] modes = {"one call, full csap512 profile", "one call, agent profile", "3 destinations in one batch"};
        for (int round = 0; round < 4; round++) {
            for (int mode = 0; mode < modes.length; mode++) {
                long start = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < CALLS; i++) {
                    if (mode == 0) {
                        scorer.scoreAll(full[i & 1023], out);
                    } else if (mode == 1) {
                        scorer.scoreAll(agent[i & 1023][0], out);
                    } else {
                        scorer.scoreAll(agent[i & 1023], 3, outs);
                    }
                    sink += out[0] + outs[2][0];
                }
                long cpuNs = mx.getCurrentThreadCpuTime() - start;
                if (round >= 2) { // the first two rounds warm up
                    System.out.printf("%s: %.1f us CPU per call%n", modes[mode], cpuNs / 1e3 / CALLS);
                }
            }
        }
        if (!(sink > 0)) {
            System.out.println("the model predicted nothing (sum " + sink + "): check the model file");
        }
        System.out.printf(
                "1-minute load average: %.2f%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
