package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.analytic.GeometricPrecopy;
import io.lmadvisor.model.features.RawFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** csap-subset-shaped synthetic migrations: analytic figures bent per algorithm, with log-normal noise. */
public final class SyntheticMigrations {
    private SyntheticMigrations() {}

    public static List<MigrationRecord> records(int perAlgorithm, long seed, Algorithm... algorithms) {
        Random rnd = new Random(seed);
        List<MigrationRecord> out = new ArrayList<>();
        int id = 0;
        for (Algorithm a : algorithms) {
            double speed = 1.0 + 0.15 * a.ordinal();
            for (int i = 0; i < perAlgorithm; i++) {
                double[] raw = RawFeature.emptyVector();
                double size = 256 + rnd.nextDouble() * 3800;
                double pdr = rnd.nextDouble() < 0.1 ? 0.0 : rnd.nextDouble() * 140;
                double ptr = 50 + rnd.nextInt(101);
                raw[RawFeature.VM_SIZE.ordinal()] = size;
                raw[RawFeature.PDR.ordinal()] = pdr;
                raw[RawFeature.PTR.ordinal()] = ptr;
                GeometricPrecopy.Estimate e = GeometricPrecopy.estimate(size, pdr, Math.min(ptr, 125), Double.NaN);
                double[] t = MigrationRecord.emptyTargets();
                t[Target.TT.ordinal()] = e.totalTimeMs / speed * Math.exp(0.05 * rnd.nextGaussian()) + 500;
                t[Target.DT.ordinal()] = 5 + e.downtimeMs * 0.8 * Math.exp(0.2 * rnd.nextGaussian());
                t[Target.TD.ordinal()] = e.transferredBytes * Math.exp(0.03 * rnd.nextGaussian());
                out.add(new MigrationRecord(Integer.toString(id++), 0, a, Workload.SYNTHETIC, raw, t));
            }
        }
        return out;
    }
}
