package io.lmadvisor.model.features;

/**
 * Raw VM and host features as the CSAP dataset defines them, with its column names and units, plus
 * {@link #VCPUS}, which CSAP lacks (an optional last column in our CSV files; see {@link #inCsap()}).
 * A raw feature vector is a {@code double[]} indexed by {@link #ordinal()}; NaN means "not measured".
 */
public enum RawFeature {
    VM_SIZE("VM_size", "MB", "non-zero mapped guest memory"),
    PDR("VM_pdr", "MB/s", "page dirty rate"),
    WSS("VM_wss", "MB", "working set: memory modified within the profiling window"),
    WSE("VM_wse", "0..1", "byte entropy of the working set"),
    NWSE("VM_nwse", "0..1", "byte entropy of the non-working set"),
    MWPP("VM_mwpp", "bytes of 4096", "bytes modified per dirtied page"),
    PMU_INSTR("VM_pmu_instr", "instructions/s", "instructions retired per second"),
    PTR("VM_ptr", "MB/s", "page transfer rate: the bandwidth set for the migration"),
    CPU_UTIL("VM_cpu_util", "% of one core", "VM CPU utilisation"),
    NET_UTIL("VM_net_util", "MB/s", "VM network utilisation"),
    SRC_CPU_AVAIL("src_cpu_avail", "% across all cores", "idle CPU on the source host"),
    DST_CPU_AVAIL("dst_cpu_avail", "% across all cores", "idle CPU on the destination host"),
    SRC_MEM_AVAIL("src_mem_avail", "MB", "free memory on the source host"),
    DST_MEM_AVAIL("dst_mem_avail", "MB", "free memory on the destination host"),
    /** Not a CSAP column: absent (NaN) means the model schema's default ({@code FeatureSchema#vmVcpus}). */
    VCPUS("VM_vcpus", "count", "virtual CPUs of the VM");

    public static final int COUNT = values().length;

    private final String csapColumn;
    private final String unit;
    private final String description;

    RawFeature(String csapColumn, String unit, String description) {
        this.csapColumn = csapColumn;
        this.unit = unit;
        this.description = description;
    }

    /** False for the columns CSAP itself does not have: readers treat them as optional. */
    public boolean inCsap() {
        return this != VCPUS;
    }

    public String csapColumn() {
        return csapColumn;
    }

    public String unit() {
        return unit;
    }

    public String description() {
        return description;
    }

    /** A fresh raw vector with every feature absent. */
    public static double[] emptyVector() {
        double[] raw = new double[COUNT];
        java.util.Arrays.fill(raw, Double.NaN);
        return raw;
    }

    public static RawFeature byCsapColumn(String column) {
        for (RawFeature f : values()) {
            if (f.csapColumn.equals(column)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no raw feature for CSAP column '" + column + "'");
    }
}
