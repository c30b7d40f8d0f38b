package io.lmadvisor.agent.procfs;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.agent.SampleSource;
import io.lmadvisor.agent.host.HostSampler;
import io.lmadvisor.agent.host.ProcFiles;
import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.model.features.FeatureSchema;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code procfs} source: finds QEMU processes in /proc, locates guest RAM in their address space and
 * estimates PDR, WSS, WSE, NWSE, MWPP and VM size by sampling page contents through /proc/PID/mem
 * ({@link PageSampler}); CPU from /proc/PID/stat, network from the VM's tap in /proc/net/dev, and the
 * host from {@link HostSampler}. Instructions per second are always null. A VM that cannot be read is
 * reported to {@link SampleSink#problem} and the others go on. Samples start on the second tick.
 */
public final class ProcfsSource implements SampleSource {
    public static final String SOURCE = "procfs";
    public static final String AGENT_VERSION = "procfs/0.1";
    private static final Logger LOG = LoggerFactory.getLogger(ProcfsSource.class);

    /**
     * @param procRoot             proc file system root (tests point it at a fake tree)
     * @param sysRoot              sys file system root, for /sys/class/net/IF/speed
     * @param pids                 processes to sample; empty means discover QEMU processes by command line
     * @param sampledPages         guest pages sampled per VM per tick (memory: this x 4 KiB per VM)
     * @param seed                 seed of the page sample (the sample stays fixed for a VM's life)
     * @param mappingPattern       regex on /proc/PID/maps paths that marks guest RAM; null = auto-detect
     * @param migrationInterface   NIC carrying migrations; null = interface of the default route
     * @param defaultLinkSpeedMBps link speed used when /sys does not report one
     * @param hostId               host id written into samples
     * @param wssWindowSeconds     working-set window (pages changed within it)
     * @param discoveryEveryTicks  rescan /proc for new QEMU processes (or retry unreadable ones) this often
     * @param hostSamples          whether to emit HostSamples too
     * @param selfTest             whether to run the soft-dirty/content self-test at start
     */
    public record Options(
            Path procRoot,
            Path sysRoot,
            List<Integer> pids,
            int sampledPages,
            long seed,
            Pattern mappingPattern,
            String migrationInterface,
            double defaultLinkSpeedMBps,
            String hostId,
            int wssWindowSeconds,
            int discoveryEveryTicks,
            boolean hostSamples,
            boolean selfTest) {
        public static final int DEFAULT_SAMPLED_PAGES = 1024;
        public static final double DEFAULT_LINK_SPEED_MBPS = FeatureSchema.DEFAULT_LINK_SPEED_MBPS;

        public Options {
            Objects.requireNonNull(procRoot, "procRoot");
            Objects.requireNonNull(sysRoot, "sysRoot");
            pids = List.copyOf(pids);
            Objects.requireNonNull(hostId, "hostId");
            if (sampledPages <= 0 || wssWindowSeconds <= 0 || discoveryEveryTicks <= 0 || defaultLinkSpeedMBps <= 0) {
                throw new IllegalArgumentException("sampledPages, wssWindowSeconds, discoveryEveryTicks and"
                        + " defaultLinkSpeedMBps must be positive");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private Path procRoot = Path.of("/proc");
        private Path sysRoot = Path.of("/sys");
        private List<Integer> pids = List.of();
        private int sampledPages = Options.DEFAULT_SAMPLED_PAGES;
        private long seed = 1L;
        private Pattern mappingPattern;
        private String migrationInterface;
        private double defaultLinkSpeedMBps = Options.DEFAULT_LINK_SPEED_MBPS;
        private String hostId;
        private int wssWindowSeconds = 20;
        private int discoveryEveryTicks = 10;
        private boolean hostSamples = true;
        private boolean selfTest = true;

        public Builder procRoot(Path v) {
            procRoot = v;
            return this;
        }

        public Builder sysRoot(Path v) {
            sysRoot = v;
            return this;
        }

        public Builder pids(List<Integer> v) {
            pids = v;
            return this;
        }

        public Builder sampledPages(int v) {
            sampledPages = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Regex (find) on maps paths; null or blank means auto-detect. */
        public Builder mappingPattern(String regex) {
            mappingPattern = regex == null || regex.isBlank() ? null : Pattern.compile(regex);
            return this;
        }

        public Builder migrationInterface(String v) {
            migrationInterface = v;
            return this;
        }

        public Builder defaultLinkSpeedMBps(double v) {
            defaultLinkSpeedMBps = v;
            return this;
        }

        public Builder hostId(String v) {
            hostId = v;
            return this;
        }

        public Builder wssWindowSeconds(int v) {
            wssWindowSeconds = v;
            return this;
        }

        public Builder discoveryEveryTicks(int v) {
            discoveryEveryTicks = v;
            return this;
        }

        public Builder hostSamples(boolean v) {
            hostSamples = v;
            return this;
        }

        public Builder selfTest(boolean v) {
            selfTest = v;
            return this;
        }

        public Options options() {
            return new Options(
                    procRoot,
                    sysRoot,
                    pids,
                    sampledPages,
                    seed,
                    mappingPattern,
                    migrationInterface,
                    defaultLinkSpeedMBps,
                    hostId != null ? hostId : defaultHostId(procRoot),
                    wssWindowSeconds,
                    discoveryEveryTicks,
                    hostSamples,
                    selfTest);
        }

        public ProcfsSource build() {
            return new ProcfsSource(options());
        }
    }

    private final Options options;
    private final ProcfsCapabilities capabilities;
    private final HostSampler host;
    private final Map<Integer, TrackedVm> vms = new LinkedHashMap<>();
    /** Pids that failed to set up (e.g. permission denied): retried at the next discovery. */
    private final Map<Integer, Failure> failed = new HashMap<>();

    private long tick;

    public ProcfsSource(Options options) {
        this.options = options;
        this.capabilities = options.selfTest()
                ? ProcfsCapabilities.probe(options.procRoot())
                : new ProcfsCapabilities(false, false, "self-test disabled");
        LOG.info("procfs source capabilities: {}", capabilities.message());
        this.host = options.hostSamples()
                ? new HostSampler(
                        options.procRoot(),
                        options.sysRoot(),
                        options.hostId(),
                        options.migrationInterface(),
                        options.defaultLinkSpeedMBps())
                : null;
    }

    @Override
    public String name() {
        return SOURCE;
    }

    public Options options() {
        return options;
    }

    public ProcfsCapabilities capabilities() {
        return capabilities;
    }

    /** VM ids currently sampled, by pid. */
    public Map<Integer, String> trackedVms() {
        Map<Integer, String> out = new LinkedHashMap<>();
        vms.forEach((pid, vm) -> out.put(pid, vm.vmId));
        return out;
    }

    @Override
    public void sample(Instant at, SampleSink sink) {
        if (tick++ % options.discoveryEveryTicks() == 0) {
            discover(sink);
        }
        if (host != null) {
            host.sample(at, sink);
        }
        for (Iterator<TrackedVm> it = vms.values().iterator(); it.hasNext(); ) {
            TrackedVm vm = it.next();
            try {
                VmSample s = vm.sample(at);
                if (s != null) {
                    sink.vm(s);
                }
            } catch (IOException | RuntimeException e) {
                Failure f = classify(e, vm.pid, vm.vmId, "/proc/" + vm.pid);
                sink.problem(subject(vm.pid, vm.vmId), f.reason);
                if (f.dropVm) {
                    vm.close();
                    it.remove();
                    failed.put(vm.pid, f);
                }
            }
        }
    }

    @Override
    public void close() {
        vms.values().forEach(TrackedVm::close);
        vms.clear();
    }

    /** Processes to sample: the configured pids, or every QEMU process found by its command line. */
    List<Integer> candidatePids() {
        if (!options.pids().isEmpty()) {
            return options.pids();
        }
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(options.procRoot(), "[0-9]*")) {
            for (Path d : dirs) {
                try {
                    int pid = Integer.parseInt(d.getFileName().toString());
                    if (QemuCommandLine.fromProcCmdline(Files.readAllBytes(d.resolve("cmdline")))
                            .isQemu()) {
                        pids.add(pid);
                    }
                } catch (NumberFormatException | IOException e) {
                    // Not a pid directory, or the process went away while we looked.
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", options.procRoot(), e.toString());
        }
        pids.sort(null);
        return pids;
    }

    private void discover(SampleSink sink) {
        List<Integer> pids = candidatePids();
        for (Integer pid : pids) {
            Failure before = failed.get(pid);
            if (vms.containsKey(pid) || (before != null && !before.retry)) {
                continue; // sampled already, or exited and reported once
            }
            String vmId = "pid-" + pid;
            try {
                QemuCommandLine cmd = QemuProcess.commandLine(options.procRoot(), pid);
                vmId = cmd.vmId().orElse(vmId);
                TrackedVm vm = new TrackedVm(pid, vmId, cmd);
                vms.put(pid, vm);
                failed.remove(pid);
                LOG.info("procfs: sampling VM {} (pid {}): {}", vmId, pid, vm.process.describe());
            } catch (IOException | RuntimeException e) {
                Failure f = classify(e, pid, vmId, "/proc/" + pid);
                failed.put(pid, f);
                sink.problem(subject(pid, vmId), f.reason);
            }
        }
        failed.keySet().retainAll(pids);
    }

    private static String subject(int pid, String vmId) {
        return "vm " + vmId + " (pid " + pid + ")";
    }

    record Failure(String reason, boolean dropVm, boolean retry) {}

    /** Turns an exception into a one-line reason; permission and exit get explicit wording. */
    static Failure classify(Throwable e, int pid, String vmId, String where) {
        if (e instanceof AccessDeniedException
                || String.valueOf(e.getMessage()).contains("Permission denied")
                || String.valueOf(e.getMessage()).contains("Operation not permitted")) {
            return new Failure(
                    "permission denied reading " + where + " of VM " + vmId + " (pid " + pid + "): the"
                            + " agent needs root, or CAP_SYS_PTRACE plus CAP_DAC_READ_SEARCH, or the QEMU process's uid with"
                            + " kernel.yama.ptrace_scope=0 (" + e.getMessage() + ")",
                    true,
                    true);
        }
        if (e instanceof NoSuchFileException || String.valueOf(e.getMessage()).contains("No such process")) {
            return new Failure(
                    "process " + pid + " of VM " + vmId + " exited (" + e.getMessage() + "); dropped", true, false);
        }
        if (e instanceof QemuProcess.NoGuestRamException) {
            return new Failure(e.getMessage(), true, true);
        }
        return new Failure("cannot sample VM " + vmId + " (pid " + pid + ") from " + where + ": " + e, false, false);
    }

    /** The kernel hostname, the id a host agent uses unless told otherwise. */
    public static String defaultHostId(Path procRoot) {
        try {
            return ProcFiles.read(procRoot.resolve("sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** One sampled QEMU process. */
    private final class TrackedVm {
        final int pid;
        final String vmId;
        final QemuProcess process;
        /** From -smp: vCPU thread names ("CPU 0/KVM") exist only with QEMU's -name debug-threads=on. */
        final Integer vcpus;

        TrackedVm(int pid, String vmId, QemuCommandLine cmd) throws IOException {
            this.pid = pid;
            this.vmId = vmId;
            OptionalInt n = cmd.vcpus();
            this.vcpus = n.isPresent() ? n.getAsInt() : null;
            this.process = new QemuProcess(processSettings(options), pid, vmId, cmd);
        }

        VmSample sample(Instant at) throws IOException {
            QemuProcess.Reading r = process.read(at);
            if (r == null) {
                return null;
            }
            PageSampler.Stats st = r.pages();
            return VmSample.newBuilder()
                    .setVmId(vmId)
                    .setHostId(options.hostId())
                    .setTimestamp(at)
                    .setMemorySizeMb(process.memorySizeMb())
                    .setVmSizeMb(st.vmSizeMb())
                    .setDirtiedPagesPerSec(st.dirtiedPagesPerSec())
                    .setWorkingSetPages(st.workingSetPages())
                    .setChangedPageEntropy(st.changedPageEntropy())
                    .setUnchangedPageEntropy(st.unchangedPageEntropy())
                    .setModifiedBytesPerPage(st.modifiedBytesPerPage())
                    .setInstructionsPerSec(null)
                    .setCpuUtilPercent(r.cpuUtilPercent())
                    .setVcpus(vcpus)
                    .setNetUtilMBps(r.netUtilMBps())
                    .setAgentVersion(AGENT_VERSION)
                    .setSource(SOURCE)
                    .setDirtyRateMethod(DirtyRateMethod.PAGE_SAMPLING)
                    .build();
        }

        void close() {
            process.close();
        }
    }

    /** The page-sampling settings of this source's options, shared with the qmp source's host side. */
    static QemuProcess.Settings processSettings(Options options) {
        return new QemuProcess.Settings(
                options.procRoot(),
                options.sampledPages(),
                options.seed(),
                options.mappingPattern(),
                options.wssWindowSeconds() * 1000L);
    }
}
