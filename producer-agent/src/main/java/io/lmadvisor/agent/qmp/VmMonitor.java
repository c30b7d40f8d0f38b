package io.lmadvisor.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.agent.procfs.QemuProcess;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.features.Pages;
import io.lmadvisor.qmp.QmpClient;
import io.lmadvisor.qmp.QmpException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * One VM's QMP connection and measurements. {@link #poll} runs on the source's poller thread only;
 * {@link #view} is what the agent's sampling thread reads.
 */
final class VmMonitor {
    /** calc-dirty-rate with {@code mode} (page-sampling) and query-memory-size-summary need QEMU 6.2. */
    static final int[] MIN_QEMU = {6, 2};

    private static final long NANOS_PER_SEC = 1_000_000_000L;
    private static final long STATS_INTERVAL_NANOS = NANOS_PER_SEC;
    private static final List<String> KVM_IDLE_STATS =
            List.of("halt_wait_ns", "halt_poll_success_ns", "halt_poll_fail_ns");

    /** What sampling may read: the last measurements and why the VM cannot be measured, if so. */
    record View(
            String vmId,
            Long memorySizeMb,
            Double dirtiedPagesPerSec,
            long dirtyAtNanos,
            Double cpuUtilPercent,
            long cpuAtNanos,
            boolean connected,
            long connectedAtNanos,
            String problem,
            Integer localPid,
            String notLocal,
            Integer vcpus) {}

    private enum CpuMode {
        KVM_STATS,
        PROC_THREADS,
        NONE
    }

    private final Path socket;
    private final String configuredVmId;
    private final String fallbackVmId;
    private final boolean discovered;
    private final QmpSource.Settings settings;
    private final ThreadCpuTime threadCpu;
    private final LongSupplier nanoClock;

    private volatile View view;

    private QmpClient client;
    private String vmId;
    private long nextConnectNanos;
    private long backoffNanos;
    private long nextDirtyQueryNanos;
    private long nextStatsNanos;
    private String lastLifecycleEvent;
    private CpuMode cpuMode = CpuMode.NONE;
    private String cpuProblem;
    private Set<Long> vcpuThreads = Set.of();
    private double lastCpuSeconds;
    private long lastCpuNanos;
    private int vcpus;
    // Published fields, copied into view after each poll.
    private Long memorySizeMb;
    private Double dirtiedPagesPerSec;
    private long dirtyAtNanos;
    private Double cpuUtilPercent;
    private long cpuAtNanos;
    private long connectedAtNanos;
    private String problem;
    // The QEMU process in this host's /proc, or why it was not found (null both before the first connect).
    private Integer localPid;
    private String notLocal;

    VmMonitor(
            Path socket,
            String configuredVmId,
            String fallbackVmId,
            boolean discovered,
            QmpSource.Settings settings,
            LongSupplier nanoClock) {
        this.discovered = discovered;
        this.socket = socket;
        this.configuredVmId = configuredVmId;
        this.fallbackVmId = fallbackVmId;
        this.settings = settings;
        this.threadCpu = new ThreadCpuTime(settings.procRoot());
        this.nanoClock = nanoClock;
        this.backoffNanos = NANOS_PER_SEC;
        this.view = new View(subject(), null, null, 0, null, 0, false, 0, null, null, null, null);
    }

    Path socket() {
        return socket;
    }

    /** Found by a socket glob rather than configured, so dropped when its socket goes away. */
    boolean discovered() {
        return discovered;
    }

    View view() {
        return view;
    }

    boolean connected() {
        return client != null;
    }

    /** The VM's id, or its socket until QMP has told its name. */
    private String subject() {
        if (vmId != null) {
            return vmId;
        }
        return configuredVmId != null ? configuredVmId : socket.toString();
    }

    /** One step: connects when due, collects a finished dirty-rate measurement, refreshes CPU and memory. */
    void poll() {
        long now = nanoClock.getAsLong();
        try {
            if (client == null) {
                if (now - nextConnectNanos < 0) {
                    return;
                }
                connect(now);
            }
            if (now - nextDirtyQueryNanos >= 0) {
                pollDirtyRate(now);
            }
            if (now - nextStatsNanos >= 0) {
                pollStats(now);
            }
            noteLifecycleEvents();
        } catch (QmpException e) {
            problem = e.getMessage();
        } catch (IOException e) {
            disconnect(e.getMessage(), now);
        } catch (RuntimeException e) {
            // Unexpected answers must not stop the poller: drop the connection and start afresh.
            disconnect("unexpected QMP answer: " + e, now);
        } finally {
            publish();
        }
    }

    void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private void connect(long now) throws IOException, QmpException {
        QmpClient c = QmpClient.connect(socket, settings.commandTimeout());
        try {
            int[] v = c.version();
            if (v[0] < MIN_QEMU[0] || (v[0] == MIN_QEMU[0] && v[1] < MIN_QEMU[1])) {
                backoffNanos = settings.maxReconnectDelay().toNanos();
                throw new IOException("QEMU " + v[0] + "." + v[1] + "." + v[2] + " on " + socket
                        + " is too old: the qmp" + " source needs " + MIN_QEMU[0] + "." + MIN_QEMU[1]
                        + " or newer (calc-dirty-rate page-sampling)");
            }
            vmId = configuredVmId != null ? configuredVmId : nameOf(c);
            client = c;
            connectedAtNanos = now;
            lastLifecycleEvent = null;
            dirtiedPagesPerSec = null;
            cpuUtilPercent = null;
            problem = null;
            setUpCpu(now);
            findLocalProcess();
            startCalc(now);
            nextStatsNanos = now + STATS_INTERVAL_NANOS;
            readMemory();
            backoffNanos = NANOS_PER_SEC;
        } catch (IOException | QmpException | RuntimeException e) {
            if (client == null) {
                c.close();
            }
            throw e;
        }
    }

    private String nameOf(QmpClient c) throws IOException {
        try {
            String name = c.execute("query-name", null).path("name").asText("");
            if (!name.isBlank()) {
                return name;
            }
        } catch (QmpException e) {
            // No name: fall back to one derived from the socket.
        }
        return fallbackVmId;
    }

    private void startCalc(long now) throws IOException, QmpException {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.put("calc-time", settings.calcTimeSeconds());
        args.put("sample-pages", settings.samplePages());
        args.put("mode", "page-sampling");
        try {
            client.execute("calc-dirty-rate", args);
            nextDirtyQueryNanos = now + settings.calcTimeSeconds() * NANOS_PER_SEC;
        } catch (QmpException e) {
            // Another client's measurement may be running (libvirt's domdirtyrate-calc): read its result instead.
            if (!e.getMessage().contains("already being measured")) {
                throw e;
            }
            nextDirtyQueryNanos = now + settings.pollInterval().toNanos();
        }
    }

    private void pollDirtyRate(long now) throws IOException, QmpException {
        JsonNode r = client.execute("query-dirty-rate", null);
        String status = r.path("status").asText("");
        if ("measuring".equals(status)) {
            nextDirtyQueryNanos = now + settings.pollInterval().toNanos();
            return;
        }
        if ("measured".equals(status)) {
            JsonNode rate = r.get("dirty-rate");
            if (rate == null || !rate.isNumber() || rate.asDouble() < 0) {
                throw new IOException("query-dirty-rate on " + socket + " returned no usable dirty-rate: " + r);
            }
            // QEMU reports whole MiB/s.
            dirtiedPagesPerSec = Pages.fromMb(rate.asDouble());
            dirtyAtNanos = now;
            problem = null;
        }
        startCalc(now);
    }

    private void pollStats(long now) throws IOException, QmpException {
        nextStatsNanos = now + STATS_INTERVAL_NANOS;
        readMemory();
        if (cpuMode == CpuMode.NONE) {
            return;
        }
        double elapsed = (now - lastCpuNanos) / (double) NANOS_PER_SEC;
        double busySeconds;
        if (cpuMode == CpuMode.KVM_STATS) {
            double idle = kvmIdleSeconds(client.execute("query-stats", queryStatsArgs()));
            busySeconds = vcpus * elapsed - (idle - lastCpuSeconds);
            lastCpuSeconds = idle;
        } else {
            JsonNode cpus = client.execute("query-cpus-fast", null);
            Set<Long> threads = vcpuThreads(cpus);
            vcpus = cpus.size();
            double seconds = threadCpu.seconds(threads);
            if (!threads.equals(vcpuThreads)) {
                // vCPU hot-plug changed the threads: start a new baseline.
                vcpuThreads = threads;
                lastCpuSeconds = seconds;
                lastCpuNanos = now;
                return;
            }
            busySeconds = seconds - lastCpuSeconds;
            lastCpuSeconds = seconds;
        }
        lastCpuNanos = now;
        if (elapsed > 0) {
            // Counters tick in 10 ms steps, so a short window can round below zero or above the vCPU count.
            cpuUtilPercent = Math.max(0.0, Math.min(100.0 * vcpus, 100.0 * busySeconds / elapsed));
            cpuAtNanos = now;
        }
    }

    private void readMemory() throws IOException, QmpException {
        JsonNode m = client.execute("query-memory-size-summary", null);
        long bytes = m.path("base-memory").asLong(0) + m.path("plugged-memory").asLong(0);
        if (bytes <= 0) {
            throw new IOException("query-memory-size-summary on " + socket + " returned no memory size: " + m);
        }
        memorySizeMb = Math.round((double) bytes / Units.BYTES_PER_MIB);
    }

    /** KVM's per-vCPU halt counters (QEMU 7.1+, KVM only; TCG returns none), else the vCPU threads in /proc. */
    private void setUpCpu(long now) throws IOException {
        cpuMode = CpuMode.NONE;
        vcpus = 0;
        cpuUtilPercent = null;
        String statsProblem;
        try {
            JsonNode stats = client.execute("query-stats", queryStatsArgs());
            if (stats.isArray() && stats.size() > 0) {
                lastCpuSeconds = kvmIdleSeconds(stats);
                vcpus = stats.size();
                lastCpuNanos = now;
                cpuMode = CpuMode.KVM_STATS;
                return;
            }
            statsProblem = "query-stats has no vCPU statistics (TCG, or not KVM)";
        } catch (QmpException | IllegalStateException e) {
            statsProblem = e.getMessage();
        }
        try {
            JsonNode cpus = client.execute("query-cpus-fast", null);
            vcpuThreads = vcpuThreads(cpus);
            vcpus = cpus.size();
            lastCpuSeconds = threadCpu.seconds(vcpuThreads);
            lastCpuNanos = now;
            cpuMode = CpuMode.PROC_THREADS;
            cpuProblem = null;
        } catch (QmpException | IOException e) {
            cpuProblem = "CPU utilisation not measurable: " + statsProblem + "; " + e.getMessage();
        }
    }

    /**
     * Finds the QEMU process behind the socket in this host's /proc: the thread group (Tgid) of a vCPU
     * thread that {@code query-cpus-fast} names, if that process is a QEMU. Java cannot read a Unix socket
     * peer's pid, and a vCPU thread id is what QMP gives. Not found (QEMU remote, in another PID namespace,
     * or /proc unreadable): the source measures this VM through QMP alone.
     */
    private void findLocalProcess() {
        localPid = null;
        try {
            for (JsonNode cpu : client.execute("query-cpus-fast", null)) {
                long tid = cpu.path("thread-id").asLong(-1);
                if (tid <= 0) {
                    continue;
                }
                int pid = threadGroup(
                        Files.readString(settings.procRoot().resolve(tid + "/status"), StandardCharsets.US_ASCII));
                if (!QemuProcess.commandLine(settings.procRoot(), pid).isQemu()) {
                    throw new IOException("process " + pid + " of vCPU thread " + tid
                            + " is not a QEMU process (agent in" + " another PID namespace than QEMU?)");
                }
                localPid = pid;
                notLocal = null;
                return;
            }
            notLocal = "query-cpus-fast on " + socket + " named no vCPU thread";
        } catch (QmpException | IOException | RuntimeException e) {
            notLocal = "QEMU process of " + socket + " not found in " + settings.procRoot() + ": " + e.getMessage();
        }
    }

    /** The {@code Tgid:} line of /proc/TID/status. */
    static int threadGroup(String status) throws IOException {
        for (String line : status.split("\n")) {
            if (line.startsWith("Tgid:")) {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        throw new IOException("no Tgid line in /proc status");
    }

    private Set<Long> vcpuThreads(JsonNode cpus) throws IOException {
        Set<Long> tids = new TreeSet<>();
        for (JsonNode cpu : cpus) {
            JsonNode tid = cpu.get("thread-id");
            if (tid == null || !tid.canConvertToLong()) {
                throw new IOException("query-cpus-fast on " + socket + " gave no thread-id: " + cpu);
            }
            tids.add(tid.asLong());
        }
        if (tids.isEmpty()) {
            throw new IOException("query-cpus-fast on " + socket + " listed no vCPUs");
        }
        // A set: single-threaded TCG runs every vCPU on one thread, which must be counted once.
        return tids;
    }

    private static ObjectNode queryStatsArgs() {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.put("target", "vcpu");
        ObjectNode kvm = args.putArray("providers").addObject();
        kvm.put("provider", "kvm");
        KVM_IDLE_STATS.forEach(kvm.putArray("names")::add);
        return args;
    }

    /** Seconds all vCPUs spent halted (waiting or polling), summed; throws if a vCPU lacks halt_wait_ns. */
    private static double kvmIdleSeconds(JsonNode results) {
        long ns = 0;
        for (JsonNode vcpu : results) {
            boolean sawWait = false;
            for (JsonNode stat : vcpu.path("stats")) {
                String name = stat.path("name").asText();
                if (KVM_IDLE_STATS.contains(name) && stat.path("value").canConvertToLong()) {
                    ns += stat.path("value").asLong();
                    sawWait |= name.equals("halt_wait_ns");
                }
            }
            if (!sawWait) {
                throw new IllegalStateException("query-stats vcpu result lacks halt_wait_ns: " + vcpu);
            }
        }
        return ns / (double) NANOS_PER_SEC;
    }

    private void noteLifecycleEvents() {
        if (client == null) {
            return;
        }
        for (JsonNode e : client.drainEvents()) {
            String name = e.path("event").asText();
            if (name.equals("SHUTDOWN") || name.equals("RESET") || name.equals("STOP") || name.equals("RESUME")) {
                lastLifecycleEvent = name;
            }
        }
    }

    private void disconnect(String reason, long now) {
        noteLifecycleEvents();
        close();
        problem = lastLifecycleEvent == null ? reason : reason + " (last QEMU event: " + lastLifecycleEvent + ")";
        dirtiedPagesPerSec = null;
        cpuUtilPercent = null;
        nextConnectNanos = now + backoffNanos;
        backoffNanos = Math.min(backoffNanos * 2, settings.maxReconnectDelay().toNanos());
    }

    private void publish() {
        String p = problem;
        if (p == null && client != null && cpuMode == CpuMode.NONE) {
            p = cpuProblem;
        }
        view = new View(
                subject(),
                memorySizeMb,
                dirtiedPagesPerSec,
                dirtyAtNanos,
                cpuUtilPercent,
                cpuAtNanos,
                client != null,
                connectedAtNanos,
                p,
                client != null ? localPid : null,
                notLocal,
                // The count query-stats or query-cpus-fast gave (hot-plug updates it); unknown when neither worked.
                client != null && vcpus > 0 ? vcpus : null);
    }
}
