package io.lmadvisor.streams;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.SlaObjective;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.serde.WireFormat;
import io.lmadvisor.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every kind of poison record the advisor must dead-letter, once each, without stopping: for the
 * topology tests and for chaos tests against a real broker. Event times are relative to {@code now}, the
 * wall clock (and latest event time) of the pipeline when the records are injected; no value is more
 * than 1 h ahead, so a real broker accepts them all. The VM and host ids are the fixture's own
 * ({@link #VM}, {@link #HOST}), so good traffic next to them is unaffected.
 */
public final class PoisonRecords {
    public static final String VM = "vm-poison";
    public static final String HOST = "host-poison";

    /**
     * One poison record.
     *
     * @param name           what is wrong with it, for test names
     * @param topic          live topic it goes to
     * @param key            key bytes, may be null
     * @param value          value bytes, may be null (a tombstone)
     * @param timestampMs    Kafka record timestamp
     * @param reasonFragment what its dead letter's reason contains
     */
    public record Poison(String name, String topic, byte[] key, byte[] value, long timestampMs, String reasonFragment) {
        /** Whether {@code d} is this record's dead letter: same topic, same original key and value bytes. */
        public boolean isFor(DeadLetter d) {
            return d.getSourceTopic().equals(topic)
                    && Arrays.equals(bytes(d.getKey()), key)
                    && Arrays.equals(bytes(d.getValue()), value);
        }

        private static byte[] bytes(ByteBuffer b) {
            if (b == null) {
                return null;
            }
            ByteBuffer d = b.duplicate();
            byte[] out = new byte[d.remaining()];
            d.get(out);
            return out;
        }

        @Override
        public String toString() {
            return name + " on " + topic;
        }
    }

    private PoisonRecords() {}

    /** The catalogue; {@code registry} gives the schema ids, as the live serdes would. */
    public static List<Poison> all(SchemaRegistry registry, Instant now) {
        long ts = now.toEpochMilli();
        List<Poison> p = new ArrayList<>();
        byte[] vmKey = utf8(VM);
        byte[] hostKey = utf8(HOST);
        byte[] garbage = utf8("{\"vmId\":\"" + VM + "\"}");
        byte[] good = bytes(registry, Topics.VM_SAMPLES, sample(now).build());

        String vm = Topics.VM_SAMPLES;
        p.add(new Poison("tombstone", vm, vmKey, null, ts, "tombstone"));
        p.add(new Poison("null key", vm, null, good, ts, "key is null or empty"));
        p.add(new Poison("empty key", vm, new byte[0], good, ts, "key is null or empty"));
        p.add(new Poison("key differs from vmId", vm, utf8("vm-other"), good, ts, "differs from vmId"));
        p.add(new Poison("garbage bytes", vm, vmKey, garbage, ts, "not Confluent wire format"));
        p.add(new Poison("short payload", vm, vmKey, new byte[] {0, 0}, ts, "shorter than the 5-byte"));
        p.add(new Poison("unknown schema id", vm, vmKey, withSchemaId(good, 987_654), ts, "Unknown schema id 987654"));
        p.add(new Poison(
                "another topic's schema",
                vm,
                vmKey,
                bytes(registry, Topics.HOST_SAMPLES, host(now).build()),
                ts,
                "cannot be read as io.lmadvisor.avro.VmSample"));
        p.add(new Poison("truncated body", vm, vmKey, Arrays.copyOf(good, good.length - 9), ts, "Cannot decode"));
        p.add(new Poison(
                "NaN dirty rate",
                vm,
                vmKey,
                sampleBytes(registry, sample(now).setDirtiedPagesPerSec(Double.NaN)),
                ts,
                "dirtiedPagesPerSec is NaN"));
        p.add(new Poison(
                "negative dirty rate",
                vm,
                vmKey,
                sampleBytes(registry, sample(now).setDirtiedPagesPerSec(-5)),
                ts,
                "dirtiedPagesPerSec is negative"));
        p.add(new Poison(
                "absurd CPU",
                vm,
                vmKey,
                sampleBytes(registry, sample(now).setCpuUtilPercent(1e9)),
                ts,
                "cpuUtilPercent is absurd"));
        p.add(new Poison(
                "negative memory size",
                vm,
                vmKey,
                sampleBytes(registry, sample(now).setMemorySizeMb(-2048)),
                ts,
                "memorySizeMb -2048 is outside"));
        p.add(new Poison(
                "absurd memory size",
                vm,
                vmKey,
                sampleBytes(registry, sample(now).setMemorySizeMb(1L << 40)),
                ts,
                "memorySizeMb 1099511627776 is outside"));
        p.add(new Poison(
                "absurd VM size",
                vm,
                vmKey,
                sampleBytes(registry, sample(now).setVmSizeMb(1e12)),
                ts,
                "vmSizeMb is absurd"));
        p.add(new Poison(
                "negative timestamp",
                vm,
                vmKey,
                sampleBytes(registry, sample(now).setTimestamp(Instant.ofEpochMilli(-5))),
                ts,
                "timestamp -5 is negative"));
        p.add(new Poison(
                "clock 50 min ahead",
                vm,
                vmKey,
                sampleBytes(registry, sample(now).setTimestamp(now.plus(Duration.ofMinutes(50)))),
                ts,
                "ahead of the wall clock"));
        p.add(new Poison(
                "too old for any open window",
                vm,
                vmKey,
                sampleBytes(registry, sample(now).setTimestamp(now.minus(Duration.ofMinutes(10)))),
                ts,
                "is too old"));

        String hosts = Topics.HOST_SAMPLES;
        byte[] goodHost = bytes(registry, hosts, host(now).build());
        p.add(new Poison("tombstone", hosts, hostKey, null, ts, "tombstone"));
        p.add(new Poison("null key", hosts, null, goodHost, ts, "key is null or empty"));
        p.add(new Poison("key differs from hostId", hosts, utf8("host-other"), goodHost, ts, "differs from hostId"));
        p.add(new Poison("garbage bytes", hosts, hostKey, garbage, ts, "not Confluent wire format"));
        p.add(new Poison(
                "negative memory",
                hosts,
                hostKey,
                bytes(registry, hosts, host(now).setMemAvailMb(-1).build()),
                ts,
                "memAvailMb -1 is outside"));
        p.add(new Poison(
                "absurd memory",
                hosts,
                hostKey,
                bytes(
                        registry,
                        hosts,
                        host(now)
                                .setMemTotalMb(1L << 40)
                                .setMemAvailMb(1L << 39)
                                .build()),
                ts,
                "memTotalMb 1099511627776 is outside"));
        p.add(new Poison(
                "clock 50 min ahead",
                hosts,
                hostKey,
                bytes(
                        registry,
                        hosts,
                        host(now).setTimestamp(now.plus(Duration.ofMinutes(50))).build()),
                ts,
                "ahead of the wall clock"));

        // lm.sla-policies is compacted: a tombstone deletes the VM's policy and is no poison, and the broker
        // itself refuses records without a key there.
        String policies = Topics.SLA_POLICIES;
        byte[] goodPolicy = bytes(registry, policies, policy().build());
        p.add(new Poison("empty key", policies, new byte[0], goodPolicy, ts, "key is null or empty"));
        p.add(new Poison("garbage bytes", policies, vmKey, garbage, ts, "not Confluent wire format"));
        p.add(new Poison(
                "negative downtime limit",
                policies,
                vmKey,
                bytes(registry, policies, policy().setMaxDowntimeMs(-1L).build()),
                ts,
                "maxDowntimeMs is negative"));

        String outcomes = Topics.MIGRATION_OUTCOMES;
        byte[] goodOutcome = bytes(registry, outcomes, outcome(now).build());
        p.add(new Poison("tombstone", outcomes, vmKey, null, ts, "tombstone"));
        p.add(new Poison("key differs from vmId", outcomes, utf8("vm-other"), goodOutcome, ts, "differs from vmId"));
        p.add(new Poison("garbage bytes", outcomes, vmKey, garbage, ts, "not Confluent wire format"));
        p.add(new Poison(
                "another topic's schema",
                outcomes,
                vmKey,
                good,
                ts,
                "cannot be read as io.lmadvisor.avro.MigrationOutcome"));
        p.add(new Poison(
                "negative total time",
                outcomes,
                vmKey,
                bytes(registry, outcomes, outcome(now).setTotalTimeMs(-5L).build()),
                ts,
                "totalTimeMs is negative"));

        // The evaluation also reads the advisor's own profiles and recommendations.
        p.add(new Poison("tombstone", Topics.VM_PROFILES, vmKey, null, ts, "tombstone"));
        p.add(new Poison(
                "key differs from vmId",
                Topics.VM_PROFILES,
                utf8("vm-other"),
                bytes(registry, Topics.VM_PROFILES, profile(now)),
                ts,
                "differs from vmId"));
        p.add(new Poison(
                "garbage bytes", Topics.MIGRATION_RECOMMENDATIONS, vmKey, garbage, ts, "not Confluent wire format"));
        return List.copyOf(p);
    }

    public static VmSample.Builder sample(Instant at) {
        return VmSample.newBuilder()
                .setVmId(VM)
                .setHostId(HOST)
                .setTimestamp(at)
                .setMemorySizeMb(2048)
                .setVmSizeMb(1024)
                .setDirtiedPagesPerSec(100)
                .setWorkingSetPages(1000L)
                .setCpuUtilPercent(10);
    }

    private static HostSample.Builder host(Instant at) {
        return HostSample.newBuilder()
                .setHostId(HOST)
                .setTimestamp(at)
                .setCpuCores(4)
                .setCpuAvailPercent(200)
                .setMemTotalMb(16384)
                .setMemAvailMb(8000)
                .setMigrationLinkSpeedMBps(125)
                .setMigrationLinkAvailMBps(100);
    }

    private static SlaPolicy.Builder policy() {
        return SlaPolicy.newBuilder()
                .setMaxDowntimeMs(500L)
                .setMaxTotalTimeMs(null)
                .setMaxPerformanceDegradation(null)
                .setMaxTransferredBytes(null)
                .setObjective(SlaObjective.MIN_TOTAL_TIME);
    }

    private static MigrationOutcome.Builder outcome(Instant now) {
        return MigrationOutcome.newBuilder()
                .setMigrationId("poison-1")
                .setVmId(VM)
                .setAlgorithm(MigrationAlgorithm.PRECOPY)
                .setSourceHostId(HOST)
                .setDestinationHostId("host-other")
                .setBandwidthMBps(100)
                .setStartTime(now.minusSeconds(30))
                .setEndTime(now.minusSeconds(20))
                .setStatus(MigrationStatus.COMPLETED)
                .setTotalTimeMs(10_000L);
    }

    private static VmProfile profile(Instant now) {
        return VmProfile.newBuilder()
                .setVmId(VM)
                .setHostId(HOST)
                .setWindowStart(now.minusSeconds(40))
                .setWindowEnd(now.minusSeconds(20))
                .setSampleCount(20)
                .setVmSizeMb(1024)
                .setPdrPagesPerSec(100)
                .setWssPages(1000)
                .setCpuUtilPercent(10)
                .setLateSampleCount(0)
                .build();
    }

    private static byte[] sampleBytes(SchemaRegistry registry, VmSample.Builder b) {
        return bytes(registry, Topics.VM_SAMPLES, b.build());
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> byte[] bytes(SchemaRegistry registry, String topic, T value) {
        return AvroSerdes.of((Class<T>) value.getClass(), registry, false)
                .serializer()
                .serialize(topic, value);
    }

    private static byte[] withSchemaId(byte[] wire, int id) {
        byte[] copy = wire.clone();
        WireFormat.writeHeader(copy, id);
        return copy;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
