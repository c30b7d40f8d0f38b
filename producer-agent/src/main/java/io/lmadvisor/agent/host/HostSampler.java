package io.lmadvisor.agent.host;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.model.Units;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures this host from /proc and /sys: idle CPU (/proc/stat deltas), memory (/proc/meminfo) and the
 * migration NIC (speed from /sys/class/net/IF/speed, use from /proc/net/dev deltas). The first call only
 * records counters; samples start with the second.
 */
public final class HostSampler {
    private static final Logger LOG = LoggerFactory.getLogger(HostSampler.class);

    private final Path procRoot;
    private final Path sysRoot;
    private final String hostId;
    private final String configuredInterface;
    private final double defaultLinkSpeedMBps;

    private ProcFiles.CpuTimes lastCpu;
    private ProcFiles.NetBytes lastNet;
    private String lastInterface;
    private Instant lastAt;
    private String speedWarnedFor;

    /**
     * @param migrationInterface   NIC that carries migrations; null means the default route's interface
     * @param defaultLinkSpeedMBps link speed used when /sys does not report one (virtual NICs report -1)
     */
    public HostSampler(
            Path procRoot, Path sysRoot, String hostId, String migrationInterface, double defaultLinkSpeedMBps) {
        this.procRoot = procRoot;
        this.sysRoot = sysRoot;
        this.hostId = hostId;
        this.configuredInterface = migrationInterface;
        this.defaultLinkSpeedMBps = defaultLinkSpeedMBps;
    }

    /** The migration NIC now: the configured one, else the default route's; empty when neither is known. */
    public Optional<String> migrationInterface() {
        if (configuredInterface != null) {
            return Optional.of(configuredInterface);
        }
        try {
            return ProcFiles.defaultRouteInterface(ProcFiles.read(procRoot.resolve("net/route")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Nominal link speed in MB/s (10^6 bytes/s) from /sys (Mbit/s x 10^6 / 8); empty when unreadable or unknown (-1). */
    public Optional<Double> linkSpeedMBps(String iface) {
        try {
            long mbit = Long.parseLong(
                    ProcFiles.read(sysRoot.resolve("class/net").resolve(iface).resolve("speed"))
                            .trim());
            return mbit > 0 ? Optional.of(Units.mbPerSecond(mbit * 1e6 / 8)) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            // EINVAL on read when the link is down; not a number on odd drivers.
            return Optional.empty();
        }
    }

    /** Measures the host as of {@code at}; reports a problem and sends nothing when /proc is unreadable. */
    public void sample(Instant at, SampleSink sink) {
        ProcFiles.CpuTimes cpu;
        Map<String, Long> memKb;
        try {
            cpu = ProcFiles.cpuTimes(ProcFiles.read(procRoot.resolve("stat")));
            memKb = ProcFiles.meminfoKb(ProcFiles.read(procRoot.resolve("meminfo")));
        } catch (IOException | RuntimeException e) {
            sink.problem("host " + hostId, "cannot read " + procRoot + "/stat or /meminfo: " + e);
            return;
        }
        Optional<String> iface = migrationInterface();
        ProcFiles.NetBytes net = null;
        if (iface.isPresent()) {
            try {
                net = ProcFiles.netDev(ProcFiles.read(procRoot.resolve("net/dev")))
                        .get(iface.get());
            } catch (IOException e) {
                net = null;
            }
        }
        try {
            if (lastAt == null || !at.isAfter(lastAt)) {
                return;
            }
            double seconds = (at.toEpochMilli() - lastAt.toEpochMilli()) / 1000.0;
            long totalDelta = cpu.totalTicks() - lastCpu.totalTicks();
            double cpuAvailPercent =
                    totalDelta <= 0 ? 0.0 : 100.0 * cpu.cores() * (cpu.idleTicks() - lastCpu.idleTicks()) / totalDelta;
            Long memTotalKb = memKb.get("MemTotal");
            Long memAvailKb = memKb.get("MemAvailable");
            if (memTotalKb == null || memAvailKb == null) {
                sink.problem("host " + hostId, procRoot + "/meminfo lacks MemTotal or MemAvailable");
                return;
            }
            double speedMBps = iface.flatMap(this::linkSpeedMBps).orElseGet(() -> {
                warnDefaultSpeed(iface.orElse(null));
                return defaultLinkSpeedMBps;
            });
            Double usedMBps = null;
            if (net != null && lastNet != null && iface.get().equals(lastInterface)) {
                // Full duplex: a migration uses one direction, so the busier direction is what limits it.
                long rx = Math.max(0, net.rxBytes() - lastNet.rxBytes());
                long tx = Math.max(0, net.txBytes() - lastNet.txBytes());
                usedMBps = Units.mbPerSecond(Math.max(rx, tx) / seconds);
            }
            double availMBps = Math.max(0.0, speedMBps - (usedMBps == null ? 0.0 : usedMBps));
            sink.host(HostSample.newBuilder()
                    .setHostId(hostId)
                    .setTimestamp(at)
                    .setCpuCores(cpu.cores())
                    .setCpuAvailPercent(Math.max(0.0, cpuAvailPercent))
                    // meminfo's "kB" are KiB: / 1024 gives MiB, the unit of every memory size.
                    .setMemTotalMb(memTotalKb / 1024)
                    .setMemAvailMb(memAvailKb / 1024)
                    .setMigrationLinkSpeedMBps(speedMBps)
                    .setMigrationLinkAvailMBps(availMBps)
                    .setNetUsedMBps(usedMBps)
                    .build());
        } finally {
            lastAt = at;
            lastCpu = cpu;
            lastNet = net;
            lastInterface = iface.orElse(null);
        }
    }

    private void warnDefaultSpeed(String iface) {
        String key = String.valueOf(iface);
        if (!key.equals(speedWarnedFor)) {
            speedWarnedFor = key;
            LOG.warn(
                    "migration link speed unknown ({}): /sys/class/net/{}/speed unreadable or -1; using the configured"
                            + " default {} MB/s",
                    iface == null ? "no interface: no default route" : "interface " + iface,
                    iface,
                    defaultLinkSpeedMBps);
        }
    }
}
