package io.lmadvisor.cli;

import io.lmadvisor.agent.procfs.ProcfsSource;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Flags of the sources that run on a QEMU host ({@code procfs}, {@code qmp}): this host and its guests' RAM. */
final class AgentHostOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--host-id", description = "Host id in the samples (default: the kernel hostname).")
    String hostId;

    @Option(
            names = "--ram-mapping",
            description = "Regex on /proc/PID/maps paths naming guest RAM (default: auto-detect).")
    String ramMapping;

    @Option(
            names = "--migration-interface",
            description = "NIC that carries migrations (default: the default route's).")
    String migrationInterface;

    double linkSpeedMBps;

    @Option(
            names = "--link-speed-mbps",
            defaultValue = "125",
            description =
                    "Migration link speed, MB/s (10^6 bytes/s), when /sys does not report one (default: ${DEFAULT-VALUE}).")
    void linkSpeedMBps(double mbps) {
        if (!(mbps > 0) || Double.isInfinite(mbps)) {
            throw new ParameterException(command.commandLine(), "--link-speed-mbps must be positive: " + mbps);
        }
        linkSpeedMBps = mbps;
    }

    /** {@code --host-id}, else the kernel hostname. */
    String hostIdOrDefault() {
        return hostId != null ? hostId : ProcfsSource.defaultHostId(Path.of("/proc"));
    }
}
