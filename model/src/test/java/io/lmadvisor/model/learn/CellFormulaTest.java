package io.lmadvisor.model.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The formulas a calibration may put in place of the prior: multifd+zstd's physics and the downtime power law. */
class CellFormulaTest {
    static final FeatureSchema FULL = FeatureSchema.full();
    /** The lab's figures: ≈ 52 MB/s of compressed data at 34 MB/s PTR, ≈ 150 at 125, zstd ≈ 600 MB/s. */
    static final MultifdZstd TRUTH = new MultifdZstd(2.9, 0.8, 600);

    /** COMPRESS runs whose TT follows {@link #TRUTH} (5 % noise) and whose DT follows a power law of PTR. */
    static List<MigrationRecord> compressFleet(int n, long seed) {
        Random rnd = new Random(seed);
        List<MigrationRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] raw = RawFeature.emptyVector();
            double size = 300 + rnd.nextDouble() * 1500;
            double wss = rnd.nextDouble() * size;
            double entropy = rnd.nextBoolean() ? 0.05 + 0.1 * rnd.nextDouble() : 0.9 + 0.1 * rnd.nextDouble();
            raw[RawFeature.VM_SIZE.ordinal()] = size;
            raw[RawFeature.PDR.ordinal()] = rnd.nextDouble() * 40;
            raw[RawFeature.WSS.ordinal()] = wss;
            raw[RawFeature.WSE.ordinal()] = entropy;
            raw[RawFeature.NWSE.ordinal()] = entropy;
            raw[RawFeature.PTR.ordinal()] = rnd.nextBoolean() ? 33.5 : 125;
            double[] x = FULL.extract(raw);
            double[] t = MigrationRecord.emptyTargets();
            t[Target.TT.ordinal()] = TRUTH.totalTimeMs(FULL, x) * Math.exp(0.05 * rnd.nextGaussian());
            t[Target.DT.ordinal()] =
                    0.2 * Math.pow(raw[RawFeature.PTR.ordinal()], 0.8) * Math.exp(0.1 * rnd.nextGaussian());
            t[Target.TD.ordinal()] = size * entropy * 1e6;
            out.add(new MigrationRecord("c" + seed + "-" + i, 0, Algorithm.COMPRESS, Workload.SYNTHETIC, raw, t));
        }
        return out;
    }

    @Test
    void multifdPhysicsFittedOnThirtyRunsPredictsRunsItNeverSaw() {
        List<MigrationRecord> train = compressFleet(30, 1);
        double[][] x = train.stream().map(r -> FULL.extract(r.raw())).toArray(double[][]::new);
        double[] y =
                train.stream().mapToDouble(r -> Math.log(r.target(Target.TT))).toArray();
        MultifdZstd fit = MultifdZstd.fit(FULL, x, y);
        for (MigrationRecord r : compressFleet(100, 2)) {
            double[] xi = FULL.extract(r.raw());
            double truth = TRUTH.totalTimeMs(FULL, xi);
            assertEquals(1.0, fit.totalTimeMs(FULL, xi) / truth, 0.15, "fitted " + fit + " on " + r.id());
        }
    }

    @Test
    void physicsNeedsTheEntropyTheProfileCarries() {
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = 512;
        raw[RawFeature.PTR.ordinal()] = 125;
        raw[RawFeature.PDR.ordinal()] = 1;
        assertTrue(Double.isNaN(TRUTH.totalTimeMs(FULL, FULL.extract(raw))), "no entropy, no figure");
        assertNull(MultifdZstd.fit(FeatureSchema.subset(), new double[5][7], new double[5]), "subset: no entropy");
    }

    @Test
    void downtimePowerLawRecoversItsSlope() {
        List<MigrationRecord> train = compressFleet(40, 3);
        double[][] x = train.stream().map(r -> FULL.extract(r.raw())).toArray(double[][]::new);
        double[] y = train.stream()
                .mapToDouble(r -> TargetSpace.toModel(Target.DT, r.target(Target.DT)))
                .toArray();
        DowntimeLogLinear fit = DowntimeLogLinear.fit(FULL, x, y);
        // log1p bends the pure power law a little at these 3-10 ms downtimes, and the ridge shrinks the slope.
        assertEquals(0.8, fit.ptrSlope(), 0.2, fit.describe());
        assertEquals(0.0, fit.dirtySlope(), 0.1, fit.describe());
    }

    @Test
    void calibrationPutsThePhysicsInPlaceOfAPriorThatLearnedSomethingElseAndTheFileKeepsIt() throws Exception {
        // A prior that learned a compression three times slower, as the bundled one learned zlib `compress`.
        List<MigrationRecord> sim = new ArrayList<>();
        for (MigrationRecord r : compressFleet(300, 4)) {
            double[] t = r.targets().clone();
            t[Target.TT.ordinal()] *= 3;
            t[Target.DT.ordinal()] *= 10;
            sim.add(new MigrationRecord(r.id(), 0, r.algorithm(), r.workload(), r.raw(), t));
        }
        GbtParams small = new GbtParams(40, 4, 0.2, 0.8, 1.0, 3.0, 1.0, 0.0, true);
        ModelArtifact prior = ModelArtifact.of(
                new GradientBoostedLearner(small, 1).train(sim, FULL, 1, m -> {}),
                "slow prior",
                Map.of(),
                Instant.EPOCH);
        List<MigrationRecord> fleet = compressFleet(30, 5);
        CalibratedModel cal = Calibration.calibrate(prior, fleet, Calibration.Params.defaults(), 1);
        assertInstanceOf(MultifdZstd.class, cal.formula(Algorithm.COMPRESS, Target.TT));

        List<MigrationRecord> heldOut = compressFleet(200, 6);
        double before = CalibrationTest.gmre(prior.model(), heldOut, Algorithm.COMPRESS, Target.TT);
        double after = CalibrationTest.gmre(cal, heldOut, Algorithm.COMPRESS, Target.TT);
        assertTrue(after < 0.1 && after < 0.2 * before, "COMPRESS TT gMRE " + after + " vs prior " + before);

        byte[] file = Calibration.artifact(cal, fleet, Map.of(), Instant.EPOCH).toBytes();
        assertTrue(
                manifest(file).contains("\"" + ModelArtifact.FORMAT_FORMULAS + "\""),
                "a reader that knows no formulas must refuse the file, not serve the prior");
        ModelArtifact back = ModelArtifact.load(new ByteArrayInputStream(file));
        CalibratedModel loaded = (CalibratedModel) back.model();
        assertEquals(cal.formula(Algorithm.COMPRESS, Target.TT), loaded.formula(Algorithm.COMPRESS, Target.TT));
        assertEquals(cal.formula(Algorithm.COMPRESS, Target.DT), loaded.formula(Algorithm.COMPRESS, Target.DT));
        assertEquals(after, CalibrationTest.gmre(loaded, heldOut, Algorithm.COMPRESS, Target.TT), 1e-12);
    }

    static String manifest(byte[] zip) throws java.io.IOException {
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new ByteArrayInputStream(zip))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().equals("manifest.json")) {
                    return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError("no manifest.json");
    }
}
