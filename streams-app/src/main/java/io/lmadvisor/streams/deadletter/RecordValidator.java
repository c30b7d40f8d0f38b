package io.lmadvisor.streams.deadletter;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.VmSample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Plausibility checks on input records. A failed check is a reason string, so the record can go to
 * the dead-letter topic with it; null means the record is fine.
 */
public final class RecordValidator {
    /** Default for {@code lm.max.clock.skew.ms}: how far ahead of our wall clock an event time may be. */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofSeconds(60);

    static final double MAX_VM_SIZE_MB = 16.0 * 1024 * 1024;
    /** 100 Gbit/s of 4 KiB pages: no guest dirties faster. */
    static final double MAX_DIRTY_PAGES_PER_SEC = 3.2e6;

    static final double MAX_CPU_PERCENT = 100.0 * 1024;
    static final double MAX_LINK_MBPS = 100_000;
    /** 64 TiB: more than any single host has. */
    static final long MAX_HOST_MEM_MB = 64L * 1024 * 1024;

    private final Clock clock;
    private final long maxClockSkewMs;

    public RecordValidator(Clock clock) {
        this(clock, DEFAULT_MAX_CLOCK_SKEW);
    }

    public RecordValidator(Clock clock, Duration maxClockSkew) {
        if (maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("maxClockSkew must not be negative");
        }
        this.clock = clock;
        this.maxClockSkewMs = maxClockSkew.toMillis();
    }

    /**
     * Why an event time cannot be used (negative, or further ahead of {@code wallNowMs} than the allowed
     * clock skew), or null. Such a time must never reach Kafka Streams: it would move stream time for
     * every other record of the partition.
     */
    public String timestampProblem(long eventTimeMs, long wallNowMs) {
        if (eventTimeMs < 0) {
            return "timestamp " + eventTimeMs + " is negative";
        }
        if (eventTimeMs - wallNowMs > maxClockSkewMs) {
            return "timestamp " + Instant.ofEpochMilli(eventTimeMs) + " is " + (eventTimeMs - wallNowMs) / 1000
                    + " s ahead of the wall clock (lm.max.clock.skew.ms = " + maxClockSkewMs + ")";
        }
        return null;
    }

    /** {@link #timestampProblem(long, long)} against this validator's clock. */
    public String timestampProblem(long eventTimeMs) {
        return timestampProblem(eventTimeMs, clock.millis());
    }

    public String check(VmSample s) {
        String r = future(s.getTimestamp());
        if (r != null) {
            return r;
        }
        if (s.getVmId().isBlank()) {
            return "vmId is empty";
        }
        if (s.getHostId().isBlank()) {
            return "hostId is empty";
        }
        if (s.getMemorySizeMb() <= 0 || s.getMemorySizeMb() > MAX_VM_SIZE_MB) {
            return "memorySizeMb " + s.getMemorySizeMb() + " is outside 1.." + (long) MAX_VM_SIZE_MB;
        }
        r = range("vmSizeMb", s.getVmSizeMb(), 0, MAX_VM_SIZE_MB);
        if (r == null) {
            r = range("dirtiedPagesPerSec", s.getDirtiedPagesPerSec(), 0, MAX_DIRTY_PAGES_PER_SEC);
        }
        if (r == null) {
            r = range("cpuUtilPercent", s.getCpuUtilPercent(), 0, MAX_CPU_PERCENT);
        }
        if (r == null && s.getWorkingSetPages() != null && s.getWorkingSetPages() < 0) {
            r = "workingSetPages is negative (" + s.getWorkingSetPages() + ")";
        }
        if (r == null) {
            r = optionalRange("changedPageEntropy", s.getChangedPageEntropy(), 0, 1);
        }
        if (r == null) {
            r = optionalRange("unchangedPageEntropy", s.getUnchangedPageEntropy(), 0, 1);
        }
        if (r == null) {
            r = optionalRange("modifiedBytesPerPage", s.getModifiedBytesPerPage(), 0, 4096);
        }
        if (r == null) {
            r = optionalRange("instructionsPerSec", s.getInstructionsPerSec(), 0, Double.MAX_VALUE);
        }
        if (r == null) {
            r = optionalRange("netUtilMBps", s.getNetUtilMBps(), 0, MAX_LINK_MBPS);
        }
        return r;
    }

    public String check(HostSample h) {
        String r = future(h.getTimestamp());
        if (r == null && h.getHostId().isBlank()) {
            r = "hostId is empty";
        }
        if (r == null && h.getCpuCores() < 1) {
            r = "cpuCores must be at least 1 (" + h.getCpuCores() + ")";
        }
        if (r == null) {
            r = range("cpuAvailPercent", h.getCpuAvailPercent(), 0, 100.0 * h.getCpuCores());
        }
        if (r == null && (h.getMemTotalMb() <= 0 || h.getMemTotalMb() > MAX_HOST_MEM_MB)) {
            r = "memTotalMb " + h.getMemTotalMb() + " is outside 1.." + MAX_HOST_MEM_MB;
        }
        if (r == null && (h.getMemAvailMb() < 0 || h.getMemAvailMb() > h.getMemTotalMb())) {
            r = "memAvailMb " + h.getMemAvailMb() + " is outside 0.." + h.getMemTotalMb();
        }
        if (r == null) {
            r = range("migrationLinkSpeedMBps", h.getMigrationLinkSpeedMBps(), 0, MAX_LINK_MBPS);
        }
        if (r == null) {
            r = range("migrationLinkAvailMBps", h.getMigrationLinkAvailMBps(), 0, MAX_LINK_MBPS);
        }
        return r;
    }

    public String check(SlaPolicy p) {
        if (p.getMaxDowntimeMs() != null && p.getMaxDowntimeMs() < 0) {
            return "maxDowntimeMs is negative";
        }
        if (p.getMaxTotalTimeMs() != null && p.getMaxTotalTimeMs() < 0) {
            return "maxTotalTimeMs is negative";
        }
        if (p.getMaxTransferredBytes() != null && p.getMaxTransferredBytes() < 0) {
            return "maxTransferredBytes is negative";
        }
        String r = optionalRange("maxPerformanceDegradation", p.getMaxPerformanceDegradation(), 0, Double.MAX_VALUE);
        return r != null
                ? r
                : optionalRange("maxPostCopyDegradation", p.getMaxPostCopyDegradation(), 0, Double.MAX_VALUE);
    }

    public String check(MigrationOutcome o) {
        String r = future(o.getStartTime());
        if (r == null && (o.getVmId().isBlank() || o.getMigrationId().isBlank())) {
            r = "vmId or migrationId is empty";
        }
        if (r == null && o.getEndTime().isBefore(o.getStartTime())) {
            r = "endTime " + o.getEndTime() + " is before startTime " + o.getStartTime();
        }
        if (r == null) {
            r = range("bandwidthMBps", o.getBandwidthMBps(), 0, MAX_LINK_MBPS);
        }
        if (r == null && !(o.getBandwidthMBps() > 0)) {
            r = "bandwidthMBps must be positive";
        }
        if (r == null) {
            r = optionalNonNegative("totalTimeMs", o.getTotalTimeMs());
        }
        if (r == null) {
            r = optionalNonNegative("downtimeMs", o.getDowntimeMs());
        }
        if (r == null) {
            r = optionalNonNegative("transferredBytes", o.getTransferredBytes());
        }
        if (r == null) {
            r = optionalRange("performanceDegradation", o.getPerformanceDegradation(), 0, 1);
        }
        if (r == null) {
            r = optionalRange("sourceCpuExtraPercent", o.getSourceCpuExtraPercent(), 0, MAX_CPU_PERCENT);
        }
        if (r == null) {
            r = optionalRange("sourceMemExtraMb", o.getSourceMemExtraMb(), 0, MAX_VM_SIZE_MB);
        }
        return r;
    }

    private static String optionalNonNegative(String field, Long v) {
        return v != null && v < 0 ? field + " is negative (" + v + ")" : null;
    }

    private String future(Instant t) {
        return timestampProblem(t.toEpochMilli());
    }

    private static String range(String field, double v, double min, double max) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return field + " is " + v;
        }
        if (v < min) {
            return field + " is negative (" + v + ")";
        }
        if (v > max) {
            return field + " is absurd (" + v + " > " + max + ")";
        }
        return null;
    }

    private static String optionalRange(String field, Double v, double min, double max) {
        return v == null ? null : range(field, v, min, max);
    }
}
