package io.lmadvisor.agent.simulate;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small deterministic fleet for the demo: H hosts of 4 cores and 16 GB on a 1 GbE migration link,
 * V VMs spread round-robin, each with a steady dirtying profile plus per-second jitter. The
 * workload-aware simulator replaces this once it exists.
 */
public final class SimpleFleet {
    static final double HOST_LINK_MBPS = 125.0;
    static final int HOST_CORES = 4;
    static final long HOST_MEM_MB = 16 * 1024;
    static final String AGENT_VERSION = "simple-fleet/0.1";

    private final List<Vm> vms = new ArrayList<>();
    private final int hosts;
    private final SplittableRandom random;

    public SimpleFleet(int hosts, int vmCount, long seed) {
        if (hosts < 1 || vmCount < 1) {
            throw new IllegalArgumentException("need at least one host and one VM");
        }
        this.hosts = hosts;
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < vmCount; i++) {
            double sizeMb = 512 + random.nextInt(8) * 256;
            // From idle to a heavy writer that outruns a 1 GbE link (~32k pages/s).
            double pdr = Math.pow(10, 1 + random.nextDouble() * 3.6);
            double cpu = 5 + random.nextDouble() * 180;
            vms.add(new Vm(String.format("vm-%03d", i), hostId(i % hosts), sizeMb, pdr, cpu));
        }
    }

    public static String hostId(int index) {
        return String.format("host-%02d", index);
    }

    public int hostCount() {
        return hosts;
    }

    public List<VmSample> vmSamples(Instant at) {
        List<VmSample> out = new ArrayList<>(vms.size());
        for (Vm vm : vms) {
            double jitter = 0.8 + 0.4 * random.nextDouble();
            double pdr = vm.basePdrPagesPerSec * jitter;
            out.add(VmSample.newBuilder()
                    .setVmId(vm.id)
                    .setHostId(vm.hostId)
                    .setTimestamp(at)
                    .setMemorySizeMb((long) vm.sizeMb * 2)
                    .setVmSizeMb(vm.sizeMb)
                    .setDirtiedPagesPerSec(pdr)
                    .setWorkingSetPages(Math.round(Math.min(pdr * 20 * 0.6, vm.sizeMb * 256)))
                    .setChangedPageEntropy(0.55 + 0.3 * random.nextDouble())
                    .setUnchangedPageEntropy(0.35 + 0.2 * random.nextDouble())
                    .setModifiedBytesPerPage(300 + 3000 * random.nextDouble())
                    .setInstructionsPerSec(null)
                    .setCpuUtilPercent(vm.baseCpuPercent * jitter)
                    .setNetUtilMBps(random.nextDouble() * 5)
                    .setAgentVersion(AGENT_VERSION)
                    .setSource("simulate")
                    .build());
        }
        return out;
    }

    public List<HostSample> hostSamples(Instant at) {
        List<HostSample> out = new ArrayList<>(hosts);
        for (int h = 0; h < hosts; h++) {
            double used = 0.3 + 0.5 * random.nextDouble();
            out.add(HostSample.newBuilder()
                    .setHostId(hostId(h))
                    .setTimestamp(at)
                    .setCpuCores(HOST_CORES)
                    .setCpuAvailPercent(HOST_CORES * 100 * (1 - used))
                    .setMemTotalMb(HOST_MEM_MB)
                    .setMemAvailMb((long) (HOST_MEM_MB * (1 - used)))
                    .setMigrationLinkSpeedMBps(HOST_LINK_MBPS)
                    .setMigrationLinkAvailMBps(HOST_LINK_MBPS * (0.6 + 0.4 * random.nextDouble()))
                    .setNetUsedMBps(HOST_LINK_MBPS * 0.1 * random.nextDouble())
                    .build());
        }
        return out;
    }

    private static final class Vm {
        final String id;
        final String hostId;
        final double sizeMb;
        final double basePdrPagesPerSec;
        final double baseCpuPercent;

        Vm(String id, String hostId, double sizeMb, double basePdrPagesPerSec, double baseCpuPercent) {
            this.id = id;
            this.hostId = hostId;
            this.sizeMb = sizeMb;
            this.basePdrPagesPerSec = basePdrPagesPerSec;
            this.baseCpuPercent = baseCpuPercent;
        }
    }
}
