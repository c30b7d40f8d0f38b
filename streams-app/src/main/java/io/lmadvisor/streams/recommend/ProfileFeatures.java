package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.features.DirtyRate;
import io.lmadvisor.model.features.Pages;
import io.lmadvisor.model.features.RawFeature;

/** A VM profile and a destination as the model's raw feature vector, in CSAP units. */
public final class ProfileFeatures {
    private ProfileFeatures() {
    }

    /** Fills the VM and source part of {@code raw}; absent measures become NaN. */
    public static void fillVm(VmProfile p, double[] raw) {
        raw[RawFeature.VM_SIZE.ordinal()] = p.getVmSizeMb();
        raw[RawFeature.PDR.ordinal()] = writeRateMBps(p);
        raw[RawFeature.WSS.ordinal()] = Pages.toMb(p.getWssPages());
        raw[RawFeature.WSE.ordinal()] = orNaN(p.getWse());
        raw[RawFeature.NWSE.ordinal()] = orNaN(p.getNwse());
        raw[RawFeature.MWPP.ordinal()] = orNaN(p.getMwppBytes());
        raw[RawFeature.PMU_INSTR.ordinal()] = orNaN(p.getIpsPerSec());
        raw[RawFeature.CPU_UTIL.ordinal()] = p.getCpuUtilPercent();
        raw[RawFeature.NET_UTIL.ordinal()] = orNaN(p.getNetUtilMBps());
        raw[RawFeature.SRC_CPU_AVAIL.ordinal()] = orNaN(p.getSrcCpuAvailPercent());
        raw[RawFeature.SRC_MEM_AVAIL.ordinal()] = orNaN(p.getSrcMemAvailMb());
    }

    /**
     * The profile's dirty rate as the write rate the model and the simulator expect: agents report distinct
     * pages per second, already saturated at the working set (see {@link DirtyRate}).
     */
    public static double writeRateMBps(VmProfile p) {
        return DirtyRate.writeRate(Pages.toMb(p.getPdrPagesPerSec()), Pages.toMb(p.getWssPages()), DirtyRate.AGENT_INTERVAL_S);
    }

    /** Sets the destination and bandwidth part of {@code raw}. */
    public static void fillDestination(HostState destination, double bandwidthMBps, double[] raw) {
        raw[RawFeature.DST_CPU_AVAIL.ordinal()] = destination.cpuAvailPercent();
        raw[RawFeature.DST_MEM_AVAIL.ordinal()] = destination.memAvailMb();
        raw[RawFeature.PTR.ordinal()] = bandwidthMBps;
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }
}
