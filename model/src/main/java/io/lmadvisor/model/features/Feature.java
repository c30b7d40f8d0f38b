package io.lmadvisor.model.features;

/**
 * Every model input, defined once for training, streaming and the agent. Raw features mirror
 * {@link RawFeature}; the others are computed from raw ones by {@link FeatureSchema#extract}.
 */
public enum Feature {
    VM_SIZE(RawFeature.VM_SIZE),
    PDR(RawFeature.PDR),
    WSS(RawFeature.WSS),
    WSE(RawFeature.WSE),
    NWSE(RawFeature.NWSE),
    MWPP(RawFeature.MWPP),
    PMU_INSTR(RawFeature.PMU_INSTR),
    PTR(RawFeature.PTR),
    CPU_UTIL(RawFeature.CPU_UTIL),
    NET_UTIL(RawFeature.NET_UTIL),
    SRC_CPU_AVAIL(RawFeature.SRC_CPU_AVAIL),
    DST_CPU_AVAIL(RawFeature.DST_CPU_AVAIL),
    SRC_MEM_AVAIL(RawFeature.SRC_MEM_AVAIL),
    DST_MEM_AVAIL(RawFeature.DST_MEM_AVAIL),
    /** WSS·min((PDR/PTR)², 1). */
    R_PTR("R.PTR"),
    /** size − WSS. */
    NWSS("NWSS"),
    /** WSS·WSE. */
    E_WSS("E.WSS"),
    /** NWSS·NWSE. */
    E_NWSS("E.NWSS"),
    /** PDR·min(cpu / (100·vCPUs), 1). */
    THR_BF("THR.BF"),
    /** WSS·v, v = MWPP/2048 folded back above 1. */
    DLTC_BF("DLTC.BF"),
    /** PDR/PTR: above 1 pre-copy cannot converge. */
    DIRTY_RATIO("PDR/PTR"),
    /** Total time of the analytic geometric-series pre-copy model, ms. */
    ANALYTIC_TT_MS("ANALYTIC.TT"),
    /** Transferred data of the analytic model, MB. */
    ANALYTIC_TD_MB("ANALYTIC.TD"),
    /** Downtime of the analytic model, ms. */
    ANALYTIC_DT_MS("ANALYTIC.DT");

    private final RawFeature raw;
    private final String displayName;

    Feature(RawFeature raw) {
        this.raw = raw;
        this.displayName = raw.csapColumn();
    }

    Feature(String displayName) {
        this.raw = null;
        this.displayName = displayName;
    }

    /** The raw feature this one mirrors, or null for a computed feature. */
    public RawFeature raw() {
        return raw;
    }

    public boolean isRaw() {
        return raw != null;
    }

    /** Name used in model files, provenance and explanations. */
    public String displayName() {
        return displayName;
    }

    public static Feature byDisplayName(String name) {
        for (Feature f : values()) {
            if (f.displayName.equals(name) || f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown feature '" + name + "'");
    }
}
