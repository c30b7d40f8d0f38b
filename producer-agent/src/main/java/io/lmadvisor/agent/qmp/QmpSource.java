package io.lmadvisor.agent.qmp;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.agent.SampleSource;
import io.lmadvisor.agent.procfs.PageSampler;
import io.lmadvisor.agent.procfs.ProcfsSource;
import io.lmadvisor.agent.procfs.QemuProcess;
import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.VmSample;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code qmp} source: measures running QEMU VMs through their QMP sockets. Emits VM samples
 * only; host samples come from the procfs source.
 *
 * <p>A poller thread holds one QMP connection per VM, keeps one {@code calc-dirty-rate}
 * (page-sampling) measurement running back to back, and reads memory size and vCPU time about once a
 * second. {@link #sample} does no I/O: it publishes the latest measurements, so a hung QEMU cannot stall
 * the agent's loop. A VM is left out of a tick, and reported to {@link SampleSink#problem}, when its
 * socket is unreachable, its last dirty-rate measurement is stale, or its CPU time cannot be read.
 *
 * <p>Where the VM's QEMU process is on this host (found through a vCPU thread's Tgid, see
 * {@link VmMonitor}) and readable, the source also samples its guest pages as the procfs source does
 * ({@link io.lmadvisor.agent.procfs.QemuProcess}, on the agent's tick): {@code vmSizeMb}, working set,
 * entropies, MWPP and tap traffic then come from there, and the dirty rate is both estimates weighted
 * by their sample sizes ({@link #combinedPagesPerSec}). Otherwise {@code memorySizeMb} stands in for
 * {@code vmSizeMb} (an upper bound: QMP cannot tell zero pages) and the page fields are null. Each
 * sample's {@code dirtyRateMethod} says which way it was measured. CPU is QMP's (vCPU threads or KVM
 * halt counters); {@code instructionsPerSec} is null.
 */
public final class QmpSource implements SampleSource {
    /** Options that every VM's monitor shares. */
    record Settings(
            int calcTimeSeconds,
            int samplePages,
            Duration commandTimeout,
            Duration pollInterval,
            Duration maxReconnectDelay,
            Path procRoot) {}

    /** Host-side page sampling of local QEMU processes; null settings turn it off. */
    private final QemuProcess.Settings pageSampling;

    private final Map<VmMonitor, LocalPageSampling> local = new HashMap<>();

    private static final Duration RESCAN_INTERVAL = Duration.ofSeconds(10);

    private final String hostId;
    private final String agentVersion;
    private final Settings settings;
    private final LongSupplier nanoClock;
    private final String socketGlob;
    private final List<VmMonitor> monitors = new CopyOnWriteArrayList<>();
    private final Thread poller;
    private volatile boolean closed;
    private long nextRescanNanos;

    private QmpSource(Builder b, boolean startPoller) {
        hostId = b.hostId;
        agentVersion = b.agentVersion;
        settings = new Settings(
                b.calcTimeSeconds, b.samplePages, b.commandTimeout, b.pollInterval, b.maxReconnectDelay, b.procRoot);
        nanoClock = b.nanoClock;
        socketGlob = b.socketGlob;
        pageSampling = b.hostSampledPages <= 0
                ? null
                : new QemuProcess.Settings(
                        b.procRoot, b.hostSampledPages, b.seed, b.mappingPattern, b.wssWindowSeconds * 1000L);
        b.sockets.forEach((path, vmId) -> monitors.add(monitor(path, vmId, false)));
        nextRescanNanos = nanoClock.getAsLong();
        if (startPoller) {
            poller = new Thread(this::pollLoop, "qmp-poller");
            poller.setDaemon(true);
            poller.start();
        } else {
            poller = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "qmp";
    }

    @Override
    public void sample(Instant at, SampleSink sink) {
        long now = nanoClock.getAsLong();
        long staleNanos = staleAfter().toNanos();
        // Monitors dropped by a rescan: close their /proc/PID/mem.
        local.entrySet().removeIf(e -> {
            boolean gone = !monitors.contains(e.getKey());
            if (gone) {
                e.getValue().close();
            }
            return gone;
        });
        for (VmMonitor m : monitors) {
            VmMonitor.View v = m.view();
            // Read every tick, measured or not, so page sampling keeps its one-tick interval.
            LocalPageSampling host =
                    pageSampling == null ? null : local.computeIfAbsent(m, k -> new LocalPageSampling(pageSampling));
            QemuProcess.Reading pages = host == null ? null : host.read(v.vmId(), v.localPid(), v.notLocal(), at);
            if (host != null && host.priming()) {
                // The first tick of a local process only primes its page copies: no QMP-only sample in between,
                // whose vmSizeMb (the configured RAM) would jump back next tick.
                continue;
            }
            boolean dirtyFresh = v.dirtiedPagesPerSec() != null && now - v.dirtyAtNanos() <= staleNanos;
            boolean cpuFresh = v.cpuUtilPercent() != null && now - v.cpuAtNanos() <= staleNanos;
            if (v.connected() && (dirtyFresh || pages != null) && cpuFresh && v.memorySizeMb() != null) {
                sink.vm(sample(v, dirtyFresh ? v.dirtiedPagesPerSec() : null, pages, at));
                if (!dirtyFresh && v.problem() != null) {
                    // Measured, but QMP's side is failing: say so rather than hide it behind the sample.
                    sink.problem(v.vmId(), v.problem() + " (page sampling alone measures the VM meanwhile)");
                }
            } else if (v.problem() != null) {
                sink.problem(v.vmId(), v.problem());
            } else if (v.connected() && now - v.connectedAtNanos() > staleNanos) {
                // Right after connecting the first measurement is still running: not a problem yet.
                sink.problem(
                        v.vmId(),
                        "no " + (dirtyFresh || pages != null ? "CPU" : "dirty-rate") + " measurement from"
                                + " QMP socket " + m.socket() + " in the last "
                                + staleAfter().toSeconds() + " s");
            }
        }
    }

    /** QMP's figures, with the page-sampling ones where the QEMU process is local ({@code pages} not null). */
    private VmSample sample(VmMonitor.View v, Double qmpPagesPerSec, QemuProcess.Reading pages, Instant at) {
        VmSample.Builder b = VmSample.newBuilder()
                .setVmId(v.vmId())
                .setHostId(hostId)
                .setTimestamp(at)
                .setMemorySizeMb(v.memorySizeMb())
                .setCpuUtilPercent(v.cpuUtilPercent())
                .setVcpus(v.vcpus())
                .setInstructionsPerSec(null)
                .setAgentVersion(agentVersion)
                .setSource(name());
        if (pages == null) {
            return b.setVmSizeMb(v.memorySizeMb())
                    .setDirtiedPagesPerSec(qmpPagesPerSec)
                    .setDirtyRateMethod(DirtyRateMethod.QMP_CALC_DIRTY_RATE)
                    .build();
        }
        PageSampler.Stats st = pages.pages();
        b.setVmSizeMb(st.vmSizeMb())
                .setWorkingSetPages(st.workingSetPages())
                .setChangedPageEntropy(st.changedPageEntropy())
                .setUnchangedPageEntropy(st.unchangedPageEntropy())
                .setModifiedBytesPerPage(st.modifiedBytesPerPage())
                .setNetUtilMBps(pages.netUtilMBps());
        if (qmpPagesPerSec == null) {
            return b.setDirtiedPagesPerSec(st.dirtiedPagesPerSec())
                    .setDirtyRateMethod(DirtyRateMethod.PAGE_SAMPLING)
                    .build();
        }
        return b.setDirtiedPagesPerSec(combinedPagesPerSec(
                        st.dirtiedPagesPerSec(),
                        st.pagesRead(),
                        qmpPagesPerSec,
                        qmpSampledPages(v.memorySizeMb(), settings.samplePages())))
                .setDirtyRateMethod(DirtyRateMethod.COMBINED)
                .build();
    }

    /**
     * Both estimates count the pages whose content changed within about a second, from a random sample
     * of pages, so they measure the same thing with binomial error: their mean weighted by sample size is
     * the better estimate. QEMU's figure is truncated to whole MiB/s (256 pages/s), so it can only pull
     * the mean down, by at most {@code qmpPages / (hostPages + qmpPages)} x 256 pages/s.
     */
    static double combinedPagesPerSec(double hostPagesPerSec, int hostPages, double qmpPagesPerSec, int qmpPages) {
        return (hostPagesPerSec * hostPages + qmpPagesPerSec * qmpPages) / (double) (hostPages + qmpPages);
    }

    /** Pages QEMU's calc-dirty-rate samples: sample-pages per GiB of guest RAM, at least one. */
    static int qmpSampledPages(long memorySizeMb, int samplePagesPerGiB) {
        return (int) Math.max(1, memorySizeMb * samplePagesPerGiB / 1024);
    }

    /** A measurement older than this is not published: two missed measurements plus slack. */
    private Duration staleAfter() {
        return Duration.ofSeconds(2L * settings.calcTimeSeconds() + 3);
    }

    /** One round over every VM; the poller thread calls it every poll interval, tests call it directly. */
    void pollOnce() {
        long now = nanoClock.getAsLong();
        if (socketGlob != null && now - nextRescanNanos >= 0) {
            nextRescanNanos = now + RESCAN_INTERVAL.toNanos();
            rescan();
        }
        for (VmMonitor m : monitors) {
            if (closed) {
                return;
            }
            m.poll();
        }
    }

    private void pollLoop() {
        while (!closed) {
            pollOnce();
            try {
                Thread.sleep(settings.pollInterval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Follows sockets matching the glob: new ones are added, vanished ones dropped once disconnected. */
    private void rescan() {
        List<Path> found = globMatches(socketGlob);
        for (Path p : found) {
            if (monitors.stream().noneMatch(m -> m.socket().equals(p))) {
                monitors.add(monitor(p, null, true));
            }
        }
        for (VmMonitor m : monitors) {
            if (m.discovered() && !m.connected() && !found.contains(m.socket())) {
                m.close();
                monitors.remove(m);
            }
        }
    }

    static List<Path> globMatches(String glob) {
        Path pattern = Path.of(glob);
        // Walk from the deepest directory without wildcards.
        Path base = pattern.getRoot();
        int i = 0;
        for (; i < pattern.getNameCount() - 1 && !hasWildcard(pattern.getName(i).toString()); i++) {
            base = base == null ? pattern.getName(i) : base.resolve(pattern.getName(i));
        }
        Path root = base == null ? Path.of(".") : base;
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root, pattern.getNameCount() - i)) {
            s.filter(matcher::matches).sorted().forEach(out::add);
        } catch (IOException | RuntimeException e) {
            // An unreadable or absent directory means no sockets there yet.
        }
        return out;
    }

    private static boolean hasWildcard(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }

    private VmMonitor monitor(Path socket, String vmId, boolean discovered) {
        // Without an explicit id or a QEMU -name, a libvirt-style domain-N-NAME directory names the VM.
        Path dir = socket.toAbsolutePath().getParent();
        String fallback =
                dir == null ? socket.toString() : dir.getFileName().toString().replaceFirst("^domain-\\d+-", "");
        return new VmMonitor(socket, vmId, fallback, discovered, settings, nanoClock);
    }

    @Override
    public void close() {
        closed = true;
        if (poller != null) {
            poller.interrupt();
            try {
                poller.join(settings.commandTimeout().toMillis() * 4 + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        monitors.forEach(VmMonitor::close);
        local.values().forEach(LocalPageSampling::close);
    }

    /** Options of the qmp source; {@link #hostId} and at least one socket or glob are required. */
    public static final class Builder {
        private final Map<Path, String> sockets = new LinkedHashMap<>();
        private String socketGlob;
        private String hostId;
        private String agentVersion;
        private int calcTimeSeconds = 1;
        private int samplePages = 512;
        private Duration commandTimeout = Duration.ofSeconds(1);
        private Duration pollInterval = Duration.ofMillis(100);
        private Duration maxReconnectDelay = Duration.ofSeconds(10);
        private Path procRoot = Path.of("/proc");
        private LongSupplier nanoClock = System::nanoTime;
        private int hostSampledPages = ProcfsSource.Options.DEFAULT_SAMPLED_PAGES;
        private long seed = 1L;
        private Pattern mappingPattern;
        private int wssWindowSeconds = 20;

        private Builder() {}

        /** A QEMU started with {@code -qmp unix:PATH,server=on,wait=off}; {@code vmId} names it in samples. */
        public Builder socket(Path path, String vmId) {
            sockets.put(Objects.requireNonNull(path), vmId);
            return this;
        }

        /** A socket whose VM is named by QEMU's {@code -name} (query-name), else by the socket's directory. */
        public Builder socket(Path path) {
            return socket(path, null);
        }

        /** The CLI form {@code PATH[=vmId]}; the part after the last '=' is an id if it contains no '/'. */
        public Builder socketOption(String option) {
            int eq = option.lastIndexOf('=');
            if (eq > 0 && eq < option.length() - 1 && option.indexOf('/', eq) < 0) {
                return socket(Path.of(option.substring(0, eq)), option.substring(eq + 1));
            }
            return socket(Path.of(option));
        }

        /**
         * Every socket matching a glob, rescanned every 10 s, e.g.
         * {@code /run/qemu/*.qmp} or libvirt's {@code /var/lib/libvirt/qemu/domain-*}{@code /monitor.sock}
         * (see docs/AGENT.md on sharing libvirt's monitor).
         */
        public Builder socketGlob(String glob) {
            this.socketGlob = Objects.requireNonNull(glob);
            return this;
        }

        /** Written into {@code VmSample.hostId}; use the same id as the host source. */
        public Builder hostId(String hostId) {
            this.hostId = hostId;
            return this;
        }

        public Builder agentVersion(String agentVersion) {
            this.agentVersion = agentVersion;
            return this;
        }

        /** Length of one calc-dirty-rate measurement, whole seconds (QMP's {@code calc-time}); default 1. */
        public Builder calcTimeSeconds(int seconds) {
            if (seconds < 1 || seconds > 60) {
                throw new IllegalArgumentException("calc-time must be 1..60 s, got " + seconds);
            }
            this.calcTimeSeconds = seconds;
            return this;
        }

        /** Pages sampled per GiB of guest RAM (QMP's {@code sample-pages}, 0..4096 in QEMU); default 512. */
        public Builder samplePages(int pagesPerGiB) {
            if (pagesPerGiB < 0 || pagesPerGiB > 4096) {
                throw new IllegalArgumentException("sample-pages must be 0..4096, got " + pagesPerGiB);
            }
            this.samplePages = pagesPerGiB;
            return this;
        }

        /** Longest wait for the greeting or one command's reply; default 1 s. */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive(timeout, "command timeout");
            return this;
        }

        /** How often a running measurement is checked for completion; default 100 ms. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "poll interval");
            return this;
        }

        /** Reconnect attempts back off from 1 s, doubling, up to this; default 10 s. */
        public Builder maxReconnectDelay(Duration delay) {
            this.maxReconnectDelay = positive(delay, "reconnect delay");
            return this;
        }

        /** Where vCPU threads' {@code TID/stat} and local QEMU processes are read; default {@code /proc}. */
        public Builder procRoot(Path procRoot) {
            this.procRoot = Objects.requireNonNull(procRoot);
            return this;
        }

        /**
         * Guest pages sampled per tick through /proc/PID/mem when the VM's QEMU runs on this host, as the
         * procfs source's {@code sampledPages}; default 1024; 0 turns host-side sampling off (QMP only).
         */
        public Builder hostSampledPages(int pages) {
            if (pages < 0) {
                throw new IllegalArgumentException("host sampled pages must be 0 or more, got " + pages);
            }
            this.hostSampledPages = pages;
            return this;
        }

        /** Seed of the host-side page sample (xor the pid); default 1, as the procfs source. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Regex on /proc/PID/maps paths that marks guest RAM; null or blank: auto-detect, as the procfs source. */
        public Builder mappingPattern(String regex) {
            this.mappingPattern = regex == null || regex.isBlank() ? null : Pattern.compile(regex);
            return this;
        }

        /** Working-set window of host-side page sampling, seconds; default 20. */
        public Builder wssWindowSeconds(int seconds) {
            if (seconds <= 0) {
                throw new IllegalArgumentException("working-set window must be positive, got " + seconds);
            }
            this.wssWindowSeconds = seconds;
            return this;
        }

        Builder nanoClock(LongSupplier clock) {
            this.nanoClock = clock;
            return this;
        }

        /** Starts the poller thread; {@link QmpSource#close} stops it. */
        public QmpSource build() {
            check();
            return new QmpSource(this, true);
        }

        /** For tests: no poller thread, the test calls {@link QmpSource#pollOnce}. */
        QmpSource buildWithoutPoller() {
            check();
            return new QmpSource(this, false);
        }

        private void check() {
            if (hostId == null || hostId.isBlank()) {
                throw new IllegalStateException("the qmp source needs a hostId");
            }
            if (sockets.isEmpty() && socketGlob == null) {
                throw new IllegalStateException("the qmp source needs at least one QMP socket or socket glob");
            }
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
