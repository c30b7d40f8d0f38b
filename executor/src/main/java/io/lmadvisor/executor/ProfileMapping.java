package io.lmadvisor.executor;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.profile.ProfileViews;
import io.lmadvisor.simulator.whatif.WhatIf;
import io.lmadvisor.simulator.workload.HostLoad;
import io.lmadvisor.simulator.workload.VmSnapshot;
import io.lmadvisor.simulator.workload.WorkloadCatalog;
import io.lmadvisor.simulator.workload.WorkloadTraits;

/**
 * A {@link VmProfile} as the simulator's {@link VmSnapshot} and {@link HostLoad}, read through the
 * advisor's own mapping ({@link ProfileViews}). Measures the profile lacks (vCPUs included) come from {@link #DEFAULT_WORKLOAD}'s calibrated traits; host figures it lacks from
 * the what-if's CSAP host ({@link WhatIf#HOST_CORES} cores, {@link WhatIf#HOST_MEM_MB} MB,
 * {@link WhatIf#DEFAULT_BUSY_CORES} core busy besides the VM), as the simulator itself does.
 */
public final class ProfileMapping {
    /** Profiles carry no workload type; the simulator's own fallback for an unknown one. */
    public static final Workload DEFAULT_WORKLOAD = Workload.SYNTHETIC;

    private ProfileMapping() {}

    /** True when the profile has the measures the simulator cannot do without. */
    public static boolean isSimulatable(VmProfile p) {
        return p.getVmSizeMb() > 0
                && p.getPdrPagesPerSec() >= 0
                && p.getWssPages() >= 0
                && Double.isFinite(p.getPdrPagesPerSec())
                && Double.isFinite(p.getWssPages())
                && Double.isFinite(p.getCpuUtilPercent());
    }

    /**
     * @throws IllegalArgumentException when {@link #isSimulatable} is false
     */
    public static VmSnapshot snapshot(VmProfile p) {
        if (!isSimulatable(p)) {
            throw new IllegalArgumentException("profile of " + p.getVmId() + " lacks size, dirty rate or WSS");
        }
        WorkloadTraits t = WorkloadCatalog.traits(DEFAULT_WORKLOAD);
        ProfileView vm = ProfileViews.of(p);
        // Agents measure distinct pages per second; the simulator saturates a write rate itself.
        return new VmSnapshot(
                DEFAULT_WORKLOAD,
                vm.vmSizeMib(),
                vm.writeRateMiBps(),
                vm.wssMib(),
                or(vm.wse(), t.wse()),
                or(vm.nwse(), t.nwse()),
                or(vm.mwppBytes(), t.mwppBytes()),
                or(vm.ipsPerSec(), t.pmuInstrPerS()),
                vm.cpuUtilPercent(),
                or(vm.netUtilMBps(), t.netUtilMBps()),
                Double.isFinite(vm.vcpus()) ? (int) vm.vcpus() : t.vcpus());
    }

    /** Source from the profile; the destination is not profiled, so it gets the what-if's idle host. */
    public static HostLoad hostLoad(VmProfile p) {
        double maxCpuPct = 100 * WhatIf.HOST_CORES;
        double busyPct = 100 * WhatIf.DEFAULT_BUSY_CORES;
        double srcCpu = or(p.getSrcCpuAvailPercent(), maxCpuPct - busyPct - p.getCpuUtilPercent());
        double srcMem = or(p.getSrcMemAvailMb(), WhatIf.HOST_MEM_MB / 2 - p.getVmSizeMb());
        return new HostLoad(Math.max(0, srcCpu), maxCpuPct - busyPct, Math.max(0, srcMem), WhatIf.HOST_MEM_MB / 2);
    }

    private static double or(double v, double fallback) {
        return Double.isFinite(v) ? v : fallback;
    }

    private static double or(Double v, double fallback) {
        return v == null || !Double.isFinite(v) ? fallback : v;
    }
}
