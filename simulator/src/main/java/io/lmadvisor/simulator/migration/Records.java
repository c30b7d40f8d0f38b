package io.lmadvisor.simulator.migration;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.simulator.workload.HostLoad;
import io.lmadvisor.simulator.workload.VmSnapshot;

/** Turns a simulated migration into a CSAP {@link MigrationRecord}. */
public final class Records {
    private Records() {}

    public static double[] rawFeatures(VmSnapshot vm, HostLoad host, double bandwidthMBps) {
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = vm.vmSizeMb();
        raw[RawFeature.PDR.ordinal()] = vm.pdrMBps();
        raw[RawFeature.WSS.ordinal()] = vm.wssMb();
        raw[RawFeature.WSE.ordinal()] = vm.wse();
        raw[RawFeature.NWSE.ordinal()] = vm.nwse();
        raw[RawFeature.MWPP.ordinal()] = vm.mwppBytes();
        raw[RawFeature.PMU_INSTR.ordinal()] = vm.pmuInstrPerS();
        raw[RawFeature.PTR.ordinal()] = bandwidthMBps;
        raw[RawFeature.CPU_UTIL.ordinal()] = vm.cpuUtilPct();
        raw[RawFeature.NET_UTIL.ordinal()] = vm.netUtilMBps();
        raw[RawFeature.SRC_CPU_AVAIL.ordinal()] = host.srcCpuAvailPct();
        raw[RawFeature.DST_CPU_AVAIL.ordinal()] = host.dstCpuAvailPct();
        raw[RawFeature.SRC_MEM_AVAIL.ordinal()] = host.srcMemAvailMb();
        raw[RawFeature.DST_MEM_AVAIL.ordinal()] = host.dstMemAvailMb();
        raw[RawFeature.VCPUS.ordinal()] = vm.vcpus();
        return raw;
    }

    public static MigrationRecord toRecord(
            String id,
            Algorithm algorithm,
            VmSnapshot vm,
            HostLoad host,
            double bandwidthMBps,
            MigrationOutcome outcome) {
        return new MigrationRecord(
                id, 0, algorithm, vm.workload(), rawFeatures(vm, host, bandwidthMBps), outcome.targets());
    }
}
