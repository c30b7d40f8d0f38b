package io.lmadvisor.model.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Composed features against values worked out by hand from their documented formulas. */
class FeatureSchemaTest {
    private static final double EPS = 1e-9;

    /** size 1000 MB, WSS 200 MB, PDR 50 MB/s, PTR 100 MB/s, entropies 0.5 / 0.25, CPU 100 %, MWPP 1024 B. */
    private static double[] baseRaw() {
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = 1000;
        raw[RawFeature.WSS.ordinal()] = 200;
        raw[RawFeature.PDR.ordinal()] = 50;
        raw[RawFeature.PTR.ordinal()] = 100;
        raw[RawFeature.WSE.ordinal()] = 0.5;
        raw[RawFeature.NWSE.ordinal()] = 0.25;
        raw[RawFeature.CPU_UTIL.ordinal()] = 100;
        raw[RawFeature.MWPP.ordinal()] = 1024;
        return raw;
    }

    private static double one(Feature f, double[] raw) {
        return one(f, raw, FeatureSchema.DEFAULT_LINK_SPEED_MBPS);
    }

    private static double one(Feature f, double[] raw, double linkMBps) {
        return new FeatureSchema(List.of(f), linkMBps, FeatureSchema.DEFAULT_VM_VCPUS).extract(raw)[0];
    }

    private static double[] with(RawFeature f, double v) {
        double[] raw = baseRaw();
        raw[f.ordinal()] = v;
        return raw;
    }

    @Test
    void weightedRelativePageTransferRate() {
        // (50/100)² = 0.25 → 200 × 0.25.
        assertEquals(50.0, one(Feature.R_PTR, baseRaw()), EPS);
        // (150/100)² = 2.25, capped at 1 → the whole WSS.
        assertEquals(200.0, one(Feature.R_PTR, with(RawFeature.PDR, 150)), EPS);
        assertEquals(50.0, ComposedFeatures.weightedRelativePageTransferRate(200, 50, 100), EPS);
    }

    @Test
    void workingSetSizes() {
        assertEquals(800.0, one(Feature.NWSS, baseRaw()), EPS);
        assertEquals(100.0, one(Feature.E_WSS, baseRaw()), EPS); // 200 × 0.5
        assertEquals(200.0, one(Feature.E_NWSS, baseRaw()), EPS); // 800 × 0.25
    }

    @Test
    void throttlingBenefitCapsCpuShare() {
        // 100 % of one core on 2 vCPUs = half the VM → 50 × 0.5.
        assertEquals(25.0, one(Feature.THR_BF, baseRaw()), EPS);
        // 300 % on 2 vCPUs = 1.5, capped at 1 → all of PDR.
        assertEquals(50.0, one(Feature.THR_BF, with(RawFeature.CPU_UTIL, 300)), EPS);
        // With 4 vCPUs 300 % is 0.75.
        assertEquals(37.5, ComposedFeatures.throttlingBenefit(50, 300, 4), EPS);
    }

    @Test
    void throttlingBenefitReadsTheRowsVcpusAndFallsBackToTheSchemasDefault() {
        double[] fourVcpus = with(RawFeature.CPU_UTIL, 300);
        fourVcpus[RawFeature.VCPUS.ordinal()] = 4;
        assertEquals(37.5, one(Feature.THR_BF, fourVcpus), EPS);
        // One vCPU at 100 %: the whole VM is busy, so throttling it slows all of PDR.
        double[] oneVcpu = with(RawFeature.VCPUS, 1);
        assertEquals(50.0, one(Feature.THR_BF, oneVcpu), EPS);
        // Absent or not a count: the schema's 2.
        assertEquals(25.0, one(Feature.THR_BF, with(RawFeature.VCPUS, Double.NaN)), EPS);
        assertEquals(25.0, one(Feature.THR_BF, with(RawFeature.VCPUS, 0)), EPS);
    }

    @Test
    void deltaCompressionBenefitFoldsAboveHalfAPage() {
        assertEquals(100.0, one(Feature.DLTC_BF, baseRaw()), EPS); // 1024/2048 = 0.5
        assertEquals(200.0, one(Feature.DLTC_BF, with(RawFeature.MWPP, 2048)), EPS); // peak at 1
        assertEquals(50.0, one(Feature.DLTC_BF, with(RawFeature.MWPP, 3584)), EPS); // 1.75 → 2 − 1.75
        assertEquals(0.0, one(Feature.DLTC_BF, with(RawFeature.MWPP, 4096)), EPS); // whole page changed
    }

    @Test
    void transferRateIsCappedAtTheLink() {
        assertEquals(100.0, one(Feature.PTR, baseRaw()), EPS);
        assertEquals(125.0, one(Feature.PTR, with(RawFeature.PTR, 150)), EPS);
        assertEquals(150.0, one(Feature.PTR, with(RawFeature.PTR, 150), 1250.0), EPS);
        // The formulas see the capped rate: 100/125 = 0.8, squared 0.64, × 200.
        assertEquals(128.0, one(Feature.R_PTR, withBoth(RawFeature.PTR, 150, RawFeature.PDR, 100)), EPS);
        assertEquals(0.8, one(Feature.DIRTY_RATIO, withBoth(RawFeature.PTR, 150, RawFeature.PDR, 100)), EPS);
        assertEquals(0.5, one(Feature.DIRTY_RATIO, baseRaw()), EPS);
    }

    private static double[] withBoth(RawFeature a, double va, RawFeature b, double vb) {
        double[] raw = with(a, va);
        raw[b.ordinal()] = vb;
        return raw;
    }

    @Test
    void analyticFeaturesConverging() {
        // 1000 MB at 100 MB/s with 10 MB/s dirtying, no WSS (the cap is the VM size), stop at 100 × 0.3 = 30 MB:
        // round 1 sends 1000 MB in 10 s, 100 MB dirtied; round 2 sends 100 MB in 1 s, 10 MB dirtied ≤ 30 → stop.
        // Downtime 10 MB / 100 = 0.1 s; total 11.1 s; data 1110 MB.
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = 1000;
        raw[RawFeature.PDR.ordinal()] = 10;
        raw[RawFeature.PTR.ordinal()] = 100;
        FeatureSchema s = new FeatureSchema(
                List.of(Feature.ANALYTIC_TT_MS, Feature.ANALYTIC_DT_MS, Feature.ANALYTIC_TD_MB),
                FeatureSchema.DEFAULT_LINK_SPEED_MBPS,
                FeatureSchema.DEFAULT_VM_VCPUS);
        assertArrayEquals(new double[] {11_100, 100, 1110}, s.extract(raw), 1e-6);
    }

    @Test
    void analyticFeaturesNotConvergingWithWssCap() {
        // 1000 MB at 100 MB/s, 200 MB/s dirtying capped by WSS 50 MB > 30 MB threshold: never converges.
        // Round 1: 10 s; rounds 2..30 resend 50 MB in 0.5 s each (14.5 s); stop-and-copy 50 MB = 0.5 s.
        // TT = 25 s; DT = 500 ms; data = 1000 + 29 × 50 + 50 = 2500 MB.
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = 1000;
        raw[RawFeature.PDR.ordinal()] = 200;
        raw[RawFeature.PTR.ordinal()] = 100;
        raw[RawFeature.WSS.ordinal()] = 50;
        FeatureSchema s = new FeatureSchema(
                List.of(Feature.WSS, Feature.ANALYTIC_TT_MS, Feature.ANALYTIC_DT_MS, Feature.ANALYTIC_TD_MB),
                FeatureSchema.DEFAULT_LINK_SPEED_MBPS,
                FeatureSchema.DEFAULT_VM_VCPUS);
        assertArrayEquals(new double[] {50, 25_000, 500, 2500}, s.extract(raw), 1e-6);
    }

    @Test
    void extractReusesBuffersAndMatchesAllocatingVersion() {
        FeatureSchema full = FeatureSchema.full();
        double[] out = new double[full.size()];
        FeatureSchema.Scratch scratch = full.newScratch();
        full.extract(baseRaw(), out, scratch);
        assertArrayEquals(full.extract(baseRaw()), out);
        assertEquals(Feature.values().length, full.size());
        // Raw features pass through unchanged (PTR below the link).
        assertEquals(1000.0, out[full.features().indexOf(Feature.VM_SIZE)]);
        assertEquals(0.25, out[full.features().indexOf(Feature.NWSE)]);
    }

    @Test
    void subsetSchemaUsesOnlySizeDirtyRateAndTransferRate() {
        FeatureSchema subset = FeatureSchema.subset();
        assertEquals(EnumSet.of(RawFeature.VM_SIZE, RawFeature.PDR, RawFeature.PTR), subset.requiredRaw());

        double[] onlyThree = RawFeature.emptyVector();
        onlyThree[RawFeature.VM_SIZE.ordinal()] = 2048;
        onlyThree[RawFeature.PDR.ordinal()] = 40;
        onlyThree[RawFeature.PTR.ordinal()] = 100;
        double[] values = subset.extract(onlyThree);
        for (int i = 0; i < values.length; i++) {
            assertTrue(Double.isFinite(values[i]), subset.names().get(i) + " = " + values[i]);
        }
        // Filling every other measured input, WSS included, changes nothing.
        double[] filled = onlyThree.clone();
        Set<RawFeature> untouched = EnumSet.of(RawFeature.VM_SIZE, RawFeature.PDR, RawFeature.PTR);
        for (RawFeature f : RawFeature.values()) {
            if (!untouched.contains(f)) {
                filled[f.ordinal()] = 7 + f.ordinal();
            }
        }
        assertArrayEquals(values, subset.extract(filled));
    }
}
