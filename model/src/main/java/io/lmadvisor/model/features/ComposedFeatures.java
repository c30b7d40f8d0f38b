package io.lmadvisor.model.features;

/**
 * The SoCC'17 composed features, as documented (the dataset's sample code overwrites R.PTR and
 * never appends the others; these follow the documented intent). Inputs in CSAP units; a NaN input
 * gives NaN.
 */
public final class ComposedFeatures {
    /** MWPP is counted against half a page: deltas of half a page or more stop paying off. */
    static final double HALF_PAGE_BYTES = 2048.0;

    private ComposedFeatures() {}

    /** R.PTR: working set weighted by how fast it is re-dirtied relative to the transfer rate. */
    public static double weightedRelativePageTransferRate(double wssMb, double pdrMBps, double ptrMBps) {
        double ratio = pdrMBps / ptrMBps;
        return wssMb * Math.min(ratio * ratio, 1.0);
    }

    /** NWSS: memory outside the working set. */
    public static double nonWorkingSetSize(double vmSizeMb, double wssMb) {
        return vmSizeMb - wssMb;
    }

    /** E.WSS and E.NWSS: a set's size weighted by its entropy (what compression cannot shrink). */
    public static double entropyWeightedSize(double sizeMb, double entropy) {
        return sizeMb * entropy;
    }

    /** THR.BF: dirtying that CPU throttling can slow, in proportion to how CPU-bound the VM is. */
    public static double throttlingBenefit(double pdrMBps, double cpuUtilPercentOfOneCore, double vmVcpus) {
        return pdrMBps * Math.min(cpuUtilPercentOfOneCore / (100.0 * vmVcpus), 1.0);
    }

    /** DLTC.BF: working set weighted by MWPP/2048, folded back above 1 (the delta outgrows the page). */
    public static double deltaCompressionBenefit(double wssMb, double mwppBytes) {
        double v = mwppBytes / HALF_PAGE_BYTES;
        if (v > 1.0) {
            v = 2.0 - v;
        }
        return wssMb * v;
    }

    /** PTR as the migration can actually use it: never above the link. */
    public static double cappedTransferRate(double ptrMBps, double linkSpeedMBps) {
        return Math.min(ptrMBps, linkSpeedMBps);
    }
}
