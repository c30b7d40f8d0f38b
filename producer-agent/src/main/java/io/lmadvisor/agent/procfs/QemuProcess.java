package io.lmadvisor.agent.procfs;

import io.lmadvisor.agent.host.ProcFiles;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.features.Pages;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One QEMU process on this host as /proc shows it: guest RAM sampled page by page ({@link PageSampler}),
 * the process's CPU time and its taps' traffic. The procfs source measures VMs with it alone; the qmp
 * source uses it beside QMP when QEMU runs on the agent's host.
 */
public final class QemuProcess implements AutoCloseable {

    /**
     * @param procRoot       proc file system root (tests point it at a fake tree)
     * @param sampledPages   guest pages sampled per tick (memory: this x 4 KiB)
     * @param seed           seed of the page sample, xor the pid (the sample stays fixed for the process's life)
     * @param mappingPattern regex on /proc/PID/maps paths that marks guest RAM; null = auto-detect
     * @param wssWindowMs    working-set window: pages changed within it
     */
    public record Settings(Path procRoot, int sampledPages, long seed, Pattern mappingPattern, long wssWindowMs) {}

    /** One tick: page statistics, CPU in percent of one core, tap traffic in MB/s (null without taps). */
    public record Reading(PageSampler.Stats pages, double cpuUtilPercent, Double netUtilMBps) {}

    /** No mapping in /proc/PID/maps looks like guest RAM. */
    static final class NoGuestRamException extends IOException {
        NoGuestRamException(String message) {
            super(message);
        }
    }

    private final Settings settings;
    private final int pid;
    private final String vmId;
    private final long memorySizeMb;
    private final List<String> taps;
    private final PageSampler sampler;
    private final long startTimeTicks;
    private final FileChannel mem;
    private Instant lastAt;
    private long lastCpuTicks;
    private Long lastNetBytes;

    /** Reads {@code PID/cmdline}. */
    public static QemuCommandLine commandLine(Path procRoot, int pid) throws IOException {
        return QemuCommandLine.fromProcCmdline(Files.readAllBytes(procRoot.resolve(pid + "/cmdline")));
    }

    /** Locates guest RAM in {@code PID/maps} and opens {@code PID/mem}; throws when either fails. */
    public QemuProcess(Settings settings, int pid, String vmId, QemuCommandLine cmd) throws IOException {
        this.settings = settings;
        this.pid = pid;
        this.vmId = vmId;
        Path dir = settings.procRoot().resolve(String.valueOf(pid));
        OptionalLong ramMb = cmd.memoryMb();
        GuestRam ram = GuestRam.locate(
                        GuestRam.parseMaps(ProcFiles.read(dir.resolve("maps"))),
                        settings.mappingPattern(),
                        ramMb.isPresent() ? OptionalLong.of(Units.bytesOfMib(ramMb.getAsLong())) : OptionalLong.empty())
                .orElseThrow(() -> new NoGuestRamException("no guest RAM mapping found in " + dir.resolve("maps")
                        + " of VM " + vmId + " (pid " + pid + ")"
                        + (settings.mappingPattern() != null
                                ? " matching " + settings.mappingPattern().pattern()
                                : "")));
        this.memorySizeMb = ramMb.orElse(Math.round(ramMib(ram)));
        List<String> fromCmd = cmd.tapInterfaces();
        this.taps = fromCmd.isEmpty() ? tapsFromFdinfo(dir) : fromCmd;
        this.sampler = new PageSampler(ram, settings.sampledPages(), settings.seed() ^ pid, settings.wssWindowMs());
        this.startTimeTicks =
                ProcFiles.processTimes(ProcFiles.read(dir.resolve("stat"))).startTimeTicks();
        this.mem = FileChannel.open(dir.resolve("mem"), StandardOpenOption.READ);
    }

    private static double ramMib(GuestRam ram) {
        return Pages.toMb(ram.totalPages());
    }

    public int pid() {
        return pid;
    }

    public String vmId() {
        return vmId;
    }

    /** {@code -m}, or the size of the guest RAM mapping, MiB. */
    public long memorySizeMb() {
        return memorySizeMb;
    }

    /** One line for logs: guest RAM size, how it was found, sample size and taps. */
    public String describe() {
        return "guest RAM " + Math.round(ramMib(sampler.ram())) + " MiB by "
                + sampler.ram().how() + ", " + sampler.sampledPages() + " sampled pages, taps " + taps;
    }

    /**
     * Measures the process as of {@code at}. Returns null on the first call (it only primes the page
     * copies and counters) and when {@code at} is not after the last call.
     *
     * @throws NoSuchFileException when the process exited or its pid now belongs to another process
     */
    public Reading read(Instant at) throws IOException {
        Path dir = settings.procRoot().resolve(String.valueOf(pid));
        ProcFiles.ProcessTimes times = ProcFiles.processTimes(ProcFiles.read(dir.resolve("stat")));
        if (times.startTimeTicks() != startTimeTicks) {
            throw new NoSuchFileException(dir + " (pid reused by another process)");
        }
        Long netBytes = tapBytes();
        double elapsedS = lastAt == null ? 0 : (at.toEpochMilli() - lastAt.toEpochMilli()) / 1000.0;
        PageSampler.Stats st = sampler.tick(mem, at.toEpochMilli(), elapsedS);
        try {
            if (st == null || elapsedS <= 0) {
                return null;
            }
            double cpuPercent = 100.0 * (times.cpuTicks() - lastCpuTicks) / ProcFiles.CLK_TCK / elapsedS;
            Double netMBps = netBytes == null || lastNetBytes == null
                    ? null
                    : Units.mbPerSecond(Math.max(0, netBytes - lastNetBytes) / elapsedS);
            return new Reading(st, Math.max(0.0, cpuPercent), netMBps);
        } finally {
            lastAt = at;
            lastCpuTicks = times.cpuTicks();
            lastNetBytes = netBytes;
        }
    }

    /** Received plus sent bytes of the VM's taps; null when it has none or one is missing. */
    private Long tapBytes() {
        if (taps.isEmpty()) {
            return null;
        }
        try {
            Map<String, ProcFiles.NetBytes> dev =
                    ProcFiles.netDev(ProcFiles.read(settings.procRoot().resolve("net/dev")));
            long sum = 0;
            for (String tap : taps) {
                ProcFiles.NetBytes b = dev.get(tap);
                if (b == null) {
                    return null;
                }
                sum += b.rxBytes() + b.txBytes();
            }
            return sum;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            mem.close();
        } catch (IOException e) {
            // Closing a /proc file cannot lose data.
        }
    }

    /** libvirt passes taps as file descriptors (no ifname on the command line): fdinfo of a tun fd names it. */
    static List<String> tapsFromFdinfo(Path pidDir) {
        List<String> taps = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fdinfo"))) {
            for (Path fd : fds) {
                try {
                    for (String line : ProcFiles.read(fd).split("\n")) {
                        if (line.startsWith("iff:")) {
                            taps.add(line.substring(4).trim());
                        }
                    }
                } catch (IOException e) {
                    // fd closed meanwhile
                }
            }
        } catch (IOException e) {
            // No fdinfo (fake tree, or permission): network stays unmeasured.
        }
        taps.sort(null);
        return taps;
    }
}
