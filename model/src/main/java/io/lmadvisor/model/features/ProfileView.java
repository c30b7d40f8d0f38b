package io.lmadvisor.model.features;

import io.lmadvisor.model.Units;

/**
 * One VM profile in model units, built once from what an agent measured: memory in MiB, rates in MiB/s,
 * absent measures NaN. Scoring, SLA and risk rules, the executor's simulation and the evaluation all read
 * this view, so pages are converted and the dirty rate interpreted in one place.
 *
 * @param vmSizeMib          guest memory
 * @param dirtyRateMiBps     distinct memory dirtied per second, as the agent measured it over {@link DirtyRate#AGENT_INTERVAL_S}
 * @param writeRateMiBps     the write rate that explains it (see {@link DirtyRate}): what the model and the simulator expect
 * @param wssMib             working set
 * @param srcMemAvailMib     source host memory available, NaN when unknown
 * @param vcpus              the VM's vCPUs, NaN when unknown (the model then assumes its schema's default)
 */
public record ProfileView(
        double vmSizeMib,
        double dirtyRateMiBps,
        double writeRateMiBps,
        double wssMib,
        double wse,
        double nwse,
        double mwppBytes,
        double ipsPerSec,
        double cpuUtilPercent,
        double netUtilMBps,
        double srcCpuAvailPercent,
        double srcMemAvailMib,
        double vcpus) {

    /**
     * From an agent's figures, in its units (pages, pages per second); a null optional measure becomes NaN.
     */
    public static ProfileView fromAgent(
            double vmSizeMib,
            double dirtyPagesPerSec,
            double wssPages,
            Double wse,
            Double nwse,
            Double mwppBytes,
            Double ipsPerSec,
            double cpuUtilPercent,
            Double netUtilMBps,
            Double srcCpuAvailPercent,
            Double srcMemAvailMib,
            Integer vcpus) {
        double dirtyRateMiBps = Units.mibOfPages(dirtyPagesPerSec);
        double wssMib = Units.mibOfPages(wssPages);
        return new ProfileView(
                vmSizeMib,
                dirtyRateMiBps,
                DirtyRate.writeRate(dirtyRateMiBps, wssMib, DirtyRate.AGENT_INTERVAL_S),
                wssMib,
                orNaN(wse),
                orNaN(nwse),
                orNaN(mwppBytes),
                orNaN(ipsPerSec),
                cpuUtilPercent,
                orNaN(netUtilMBps),
                orNaN(srcCpuAvailPercent),
                orNaN(srcMemAvailMib),
                vcpus == null || vcpus < 1 ? Double.NaN : vcpus);
    }

    /** Fills the VM and source part of the model's raw feature vector. */
    public void fillVm(double[] raw) {
        raw[RawFeature.VM_SIZE.ordinal()] = vmSizeMib;
        raw[RawFeature.PDR.ordinal()] = writeRateMiBps;
        raw[RawFeature.WSS.ordinal()] = wssMib;
        raw[RawFeature.WSE.ordinal()] = wse;
        raw[RawFeature.NWSE.ordinal()] = nwse;
        raw[RawFeature.MWPP.ordinal()] = mwppBytes;
        raw[RawFeature.PMU_INSTR.ordinal()] = ipsPerSec;
        raw[RawFeature.CPU_UTIL.ordinal()] = cpuUtilPercent;
        raw[RawFeature.NET_UTIL.ordinal()] = netUtilMBps;
        raw[RawFeature.SRC_CPU_AVAIL.ordinal()] = srcCpuAvailPercent;
        raw[RawFeature.SRC_MEM_AVAIL.ordinal()] = srcMemAvailMib;
        raw[RawFeature.VCPUS.ordinal()] = vcpus;
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }
}
