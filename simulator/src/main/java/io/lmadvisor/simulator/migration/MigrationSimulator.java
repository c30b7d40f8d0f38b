package io.lmadvisor.simulator.migration;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.simulator.workload.HostLoad;
import io.lmadvisor.simulator.workload.VmSnapshot;

/**
 * Simulates one QEMU live migration at the granularity of dirty-page rounds (bitmap syncs).
 * Deterministic: measurement noise is added separately ({@link MeasurementNoise}). Thread-safe and
 * allocation-free per round; reuse a {@link MigrationOutcome} on hot paths.
 *
 * <p>Dirtying model: a VM writing {@code pdr} MB/s uniformly over a working set of {@code wss} MB
 * dirties {@code wss·(1 − e^(−pdr·t/wss))} distinct MB in {@code t} seconds, so re-dirtying saturates
 * at the working set; this is what lets real migrations with PDR near the bandwidth still converge.
 */
public final class MigrationSimulator {
    static final double BYTES_PER_MB = 1024.0 * 1024.0;
    static final double PAGE_BYTES = 4096.0;
    static final double PAGES_PER_MB = BYTES_PER_MB / PAGE_BYTES;
    /** Migration thread cost per MB/s sent (copy + socket), percent of one core. */
    static final double MIGRATION_THREAD_PCT_PER_MBPS = 0.25;
    /** Socket and QEMUFile buffers on the source. */
    static final double BASE_BUFFERS_MB = 2.0;
    /** Dirty logging (write-protect faults) slows a VM in proportion to its dirty rate, up to this. */
    static final double MAX_LOGGING_PENALTY = 0.08;

    static final double LOGGING_PENALTY_HALF_MBPS = 100.0;

    private final Mechanics m;

    public MigrationSimulator(Mechanics mechanics) {
        this.m = mechanics;
    }

    public MigrationSimulator() {
        this(Mechanics.csap());
    }

    public Mechanics mechanics() {
        return m;
    }

    public MigrationOutcome simulate(Algorithm algorithm, VmSnapshot vm, HostLoad host, MigrationSettings settings) {
        MigrationOutcome out = new MigrationOutcome();
        simulate(algorithm, vm, host, settings, out);
        return out;
    }

    public void simulate(Algorithm algorithm, VmSnapshot vm, HostLoad host, MigrationSettings s, MigrationOutcome out) {
        out.reset();
        if (algorithm == Algorithm.POSTCOPY) {
            postcopy(vm, s, out);
        } else {
            precopy(algorithm, vm, host, s, out);
        }
    }

    /** Distinct MB dirtied in {@code seconds} by {@code rateMBps} spread over {@code wssMb}. */
    static double distinctDirtiedMb(double rateMBps, double seconds, double wssMb) {
        if (wssMb <= 0 || rateMBps <= 0) {
            return 0;
        }
        return wssMb * -Math.expm1(-rateMBps * seconds / wssMb);
    }

    /** Compressed size / page size of memory with byte entropy {@code entropy} (0..1). */
    double compressedFraction(double entropy) {
        double e = clamp01(entropy);
        return m.compressFloor() + (1.0 - m.compressFloor()) * e;
    }

    /** Raw MB/s one core compresses: low-entropy pages go up to 1.5× faster. */
    double compressCoreMBps(double entropy, CompressionMode mode) {
        double base = mode == CompressionMode.MULTIFD_ZSTD ? m.zstdCoreMBps() : m.zlibCoreMBps();
        return base * (1.5 - 0.5 * clamp01(entropy));
    }

    /** Raw MB/s all compression threads together reach. */
    double compressRawMBps(double entropy, int threads, CompressionMode mode) {
        double all = threads * compressCoreMBps(entropy, mode);
        // Old compress: one migration thread feeds every zlib thread; multifd channels send in parallel.
        return mode == CompressionMode.ZLIB_THREADS ? Math.min(all, m.compressDispatchMBps()) : all;
    }

    /** Wire size / page size of an xbzrle delta of a cached page (1 = sent as a full page). */
    double xbzrleEncodedFraction(double mwppBytes) {
        double enc = (mwppBytes * (1.0 + m.xbzrleRunOverhead()) + m.xbzrleHeaderBytes()) / PAGE_BYTES;
        return enc >= 1.0 ? 1.0 : enc;
    }

    private void precopy(Algorithm alg, VmSnapshot vm, HostLoad host, MigrationSettings s, MigrationOutcome out) {
        final boolean xbz = alg == Algorithm.XBZRLE;
        final boolean comp = alg == Algorithm.COMPRESS;
        final boolean throttling = alg == Algorithm.AUTO_CONVERGE;
        final double rate = m.effectiveRateMBps(s.bandwidthMBps());
        // QEMU lifts the bandwidth limit for the final stop-and-copy.
        final double fullRate = m.effectiveRateMBps(Double.MAX_VALUE / 4);
        final double size = vm.vmSizeMb();
        final double wss = Math.min(Math.max(vm.wssMb(), 0), size);
        final double pdr = vm.pdrMBps();
        final double cpuBound = vm.cpuBoundFraction();
        final double limitS = s.downtimeLimitMs() / 1000.0;
        final double timeoutS = s.timeoutMs() / 1000.0;
        final double overhead = m.pageOverhead();
        final double estimateFactor = comp ? m.compressEstimateFactor() : m.bandwidthEstimateFactor();

        // Compression: wire fraction and raw MB/s the source can compress.
        double firstFactor = 1.0;
        double resendFactor = 1.0;
        double firstRawCap = Double.POSITIVE_INFINITY;
        double resendRawCap = Double.POSITIVE_INFINITY;
        double vmCpuShare = 1.0;
        if (comp) {
            double nonWss = size - wss;
            firstFactor = (wss * compressedFraction(vm.wse()) + nonWss * compressedFraction(vm.nwse())) / size;
            resendFactor = compressedFraction(vm.wse());
            double meanEntropy = (wss * clamp01(vm.wse()) + nonWss * clamp01(vm.nwse())) / size;
            firstRawCap = compressRawMBps(meanEntropy, s.compressThreads(), s.compressionMode());
            resendRawCap = compressRawMBps(vm.wse(), s.compressThreads(), s.compressionMode());
            // Busy compression threads beyond the idle cores compete with the vCPUs for the host's cores.
            double busyCores = firstRawCap / compressCoreMBps(meanEntropy, s.compressionMode());
            double excess = Math.max(0, busyCores - host.srcFreeCores());
            double vmBusyCores = Math.max(0.1, vm.cpuUtilPct() / 100.0);
            vmCpuShare = vmBusyCores / (vmBusyCores + excess);
        }
        final double xbzEncoded = xbz ? xbzrleEncodedFraction(vm.mwppBytes()) : 1.0;
        final double cacheShare = xbz && wss > 0 ? Math.min(1.0, s.xbzrleCacheMb() / wss) : 0.0;

        double timeS = 0;
        double wireMb = 0;
        double remaining = size;
        double throttle = 0; // fraction of vCPU time taken away
        double throttleSeconds = 0; // ∫ throttle dt
        int highPeriods = 0;
        double periodS = 0, periodDirty = 0, periodWire = 0;
        double resentMb = 0; // raw MB re-sent after the bulk stage (xbzrle caches these)
        double encodedRawMb = 0; // raw MB run through xbzrle or a compressor (CPU cost)
        double dirty;
        int round = 0;
        MigrationStatus status;
        while (true) {
            round++;
            double factor;
            double rawCap;
            if (round == 1) {
                factor = firstFactor;
                rawCap = firstRawCap;
            } else if (xbz) {
                // QEMU caches no page in the bulk stage: a page hits only if re-sent before and still cached.
                double seen = wss > 0 ? -Math.expm1(-resentMb / wss) : 0;
                double hit = cacheShare * seen;
                factor = hit * xbzEncoded + (1.0 - hit);
                rawCap = m.xbzrleEncodeMBps();
            } else {
                factor = resendFactor;
                rawCap = resendRawCap;
            }
            double roundWire = remaining * factor * overhead;
            double roundS = Math.max(roundWire / rate, remaining / rawCap);
            double effPdr = pdr * (1.0 - throttle * cpuBound) * (1.0 - (1.0 - vmCpuShare) * cpuBound);
            dirty = distinctDirtiedMb(effPdr, roundS, wss);
            timeS += roundS;
            wireMb += roundWire;
            throttleSeconds += throttle * roundS;
            if (round > 1) {
                resentMb += remaining;
                if (xbz) {
                    encodedRawMb += remaining;
                }
            }
            if (comp) {
                encodedRawMb += remaining;
            }
            // Stop test: pending raw bytes against the wire bandwidth QEMU measured in this round.
            double measuredMBps = roundS > 0 ? roundWire / roundS * estimateFactor : rate;
            if (dirty <= measuredMBps * limitS) {
                status = MigrationStatus.CONVERGED;
                break;
            }
            if (timeS >= timeoutS) {
                status = MigrationStatus.NON_CONVERGED;
                break;
            }
            if (throttling) {
                periodS += roundS;
                periodDirty += dirty;
                periodWire += roundWire;
                if (periodS >= 1.0) {
                    // QEMU: dirtied > half of what was sent, in the third such period → throttle (harder).
                    if (periodDirty > 0.5 * periodWire && highPeriods++ >= m.autoConvergeTriggerPeriods()) {
                        highPeriods = 0;
                        double pct = throttle == 0
                                ? s.autoConvergeInitialPct()
                                : Math.min(s.autoConvergeMaxPct(), throttle * 100.0 + s.autoConvergeStepPct());
                        throttle = pct / 100.0;
                        out.maxThrottlePct = Math.max(out.maxThrottlePct, pct);
                    }
                    periodS = periodDirty = periodWire = 0;
                }
            }
            remaining = dirty;
        }
        // Stop-and-copy: the last dirty set plus device state, unthrottled.
        double lastFactor = comp ? resendFactor : xbz ? Math.min(1.0, cacheShare * xbzEncoded + (1 - cacheShare)) : 1.0;
        double lastRawCap = comp ? resendRawCap : xbz ? m.xbzrleEncodeMBps() : Double.POSITIVE_INFINITY;
        double lastWire = dirty * lastFactor * overhead + m.deviceStateMb();
        double lastS = Math.max(lastWire / fullRate, dirty / lastRawCap);
        if (comp || xbz) {
            encodedRawMb += dirty;
        }
        out.rounds = round;
        out.status = status;
        out.downtimeMs = m.precopyDowntimeBaseMs() + lastS * 1000.0;
        out.totalTimeMs = m.setupMs() + timeS * 1000.0 + out.downtimeMs;
        out.transferredBytes = (wireMb + lastWire) * BYTES_PER_MB;

        double ttS = out.totalTimeMs / 1000.0;
        double avgThrottle = timeS > 0 ? throttleSeconds / timeS : 0;
        double perf = loggingPenalty(pdr) + avgThrottle * cpuBound;
        double cpu = MIGRATION_THREAD_PCT_PER_MBPS * (wireMb + lastWire) / ttS;
        double mem = BASE_BUFFERS_MB + size / 32768.0;
        if (comp) {
            double coreMBps = compressCoreMBps(vm.wse(), s.compressionMode());
            // Cores the threads kept busy, but never more than the idle cores plus what they took from the VM.
            double busyCores = encodedRawMb / coreMBps / ttS;
            double vmBusyCores = Math.max(0.1, vm.cpuUtilPct() / 100.0);
            cpu += 100.0 * Math.min(busyCores, host.srcFreeCores() + vmBusyCores * (1.0 - vmCpuShare));
            perf += (1.0 - vmCpuShare) * cpuBound;
            mem += s.compressionMode() == CompressionMode.MULTIFD_ZSTD
                    ? 2.0 * s.compressThreads()
                    : 0.5 * s.compressThreads();
        }
        if (xbz) {
            cpu += encodedRawMb / m.xbzrleEncodeMBps() / ttS * 100.0;
            perf += 0.05 * Math.max(0, 1.0 - host.srcFreeCores());
            // The cache fills with re-sent pages only; plus the encode buffer.
            mem += Math.min(s.xbzrleCacheMb(), resentMb + dirty) + 0.01;
        }
        out.perfDegradation = Math.min(1.0, perf);
        out.srcCpuPct = cpu;
        out.srcMemMb = mem;
    }

    private void postcopy(VmSnapshot vm, MigrationSettings s, MigrationOutcome out) {
        final double rate = m.effectiveRateMBps(s.bandwidthMBps());
        final double size = vm.vmSizeMb();
        final double wss = Math.min(Math.max(vm.wssMb(), 0), size);
        final double pdr = vm.pdrMBps();
        final double overhead = m.pageOverhead();
        final double f = clamp01(m.postcopySwitchFraction());

        // Part of one pre-copy pass, then the switch.
        double preS = f * size * overhead / rate;
        double resend = distinctDirtiedMb(pdr, preS, wss) * f;
        double postRaw = size * (1 - f) + resend;
        double postS = postRaw * overhead / rate;
        // Pages the guest touches before the background stream delivers them fault over the network.
        double touchedMb = distinctDirtiedMb(pdr * m.postcopyReadFactor(), postS, wss);
        double missingShare = 0.5 * postRaw / size;
        double faultPages = touchedMb * missingShare * PAGES_PER_MB;

        out.rounds = 1;
        out.status = MigrationStatus.CONVERGED;
        out.downtimeMs = m.postcopyDowntimeMs();
        out.totalTimeMs = m.setupMs() + (preS + postS) * 1000.0 + out.downtimeMs + faultPages * m.postcopyFaultTtMs();
        out.transferredBytes = ((size * f + postRaw) * overhead + m.deviceStateMb()) * BYTES_PER_MB;
        double ttS = out.totalTimeMs / 1000.0;
        double stallS = faultPages * m.postcopyFaultLatencyMs() / 1000.0;
        double perf = loggingPenalty(pdr) * f + stallS / (ttS * vm.vcpus());
        out.perfDegradation = Math.min(1.0, perf);
        out.srcCpuPct = MIGRATION_THREAD_PCT_PER_MBPS * out.transferredBytes / BYTES_PER_MB / ttS;
        out.srcMemMb = BASE_BUFFERS_MB + size / 32768.0 * 2;
    }

    static double loggingPenalty(double pdrMBps) {
        return MAX_LOGGING_PENALTY * pdrMBps / (pdrMBps + LOGGING_PENALTY_HALF_MBPS);
    }

    static double clamp01(double v) {
        return v < 0 ? 0 : (v > 1 ? 1 : (Double.isNaN(v) ? 0 : v));
    }
}
