package io.lmadvisor.agent.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.serde.AvroJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplaySourceTest {
    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
    private static final int SECONDS = 30;
    private static final int PER_SECOND = 4; // 3 VMs, 1 host

    @TempDir
    Path dir;

    /** What {@code --dry-run} prints for {@link #SECONDS} seconds of a small fleet. */
    private List<SpecificRecord> recorded() {
        SimpleFleet fleet = new SimpleFleet(1, 3, 5);
        List<SpecificRecord> out = new ArrayList<>();
        for (int s = 0; s < SECONDS; s++) {
            out.addAll(fleet.hostSamples(T0.plusSeconds(s)));
            out.addAll(fleet.vmSamples(T0.plusSeconds(s)));
        }
        return out;
    }

    private Path write(List<SpecificRecord> records, String... extraLines) throws IOException {
        List<String> lines = new ArrayList<>();
        records.forEach(r -> lines.add(AvroJson.write(AvroJson.toJson(r))));
        lines.addAll(List.of(extraLines));
        Path file = dir.resolve("samples.jsonl");
        Files.write(file, lines);
        return file;
    }

    /** Collects what a source emits. */
    static final class Collector implements SampleSink {
        final List<SpecificRecord> samples = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        @Override
        public void vm(VmSample sample) {
            samples.add(sample);
        }

        @Override
        public void host(HostSample sample) {
            samples.add(sample);
        }

        @Override
        public void problem(String subject, String reason) {
            problems.add(reason);
        }
    }

    @Test
    void atSpeedOneEachTickReplaysOneRecordedSecondWithItsOriginalTimestamps() throws IOException {
        List<SpecificRecord> recorded = recorded();
        Instant start = Instant.parse("2026-11-24T12:00:00Z");
        try (ReplaySource source = ReplaySource.fromFile(write(recorded), 1, false)) {
            Collector c = new Collector();
            source.sample(start, c);
            assertEquals(recorded.subList(0, PER_SECOND), c.samples);
            source.sample(start.plusSeconds(1), c);
            assertEquals(recorded.subList(0, 2 * PER_SECOND), c.samples);
            for (int s = 2; s < SECONDS; s++) {
                assertFalse(source.exhausted());
                source.sample(start.plusSeconds(s), c);
            }
            assertTrue(source.exhausted());
            assertEquals(recorded, c.samples, "same records, same order, same timestamps");
        }
    }

    @Test
    void aRecordingFromBeforeVcpusReplaysWithoutThem() throws IOException {
        VmSample now = new SimpleFleet(1, 1, 5).vmSamples(T0).get(0);
        assertTrue(now.getVcpus() != null, "the simulated fleet says: " + now);
        ObjectNode old = (ObjectNode) AvroJson.toJson(now);
        old.remove("vcpus");
        Path file = dir.resolve("old.jsonl");
        Files.write(file, List.of(AvroJson.write(old)));
        try (ReplaySource source = ReplaySource.fromFile(file, ReplaySource.parseSpeed("max"), false)) {
            Collector c = new Collector();
            source.sample(T0, c);
            assertEquals(List.of(), c.problems);
            assertEquals(VmSample.newBuilder(now).setVcpus(null).build(), c.samples.get(0), "unknown, not a guess");
        }
    }

    @Test
    void atSpeedTenEachTickReplaysTenRecordedSeconds() throws IOException {
        List<SpecificRecord> recorded = recorded();
        Instant start = Instant.parse("2026-11-24T12:00:00Z");
        try (ReplaySource source = ReplaySource.fromFile(write(recorded), 10, false)) {
            Collector c = new Collector();
            source.sample(start, c);
            source.sample(start.plusSeconds(1), c);
            assertEquals(recorded.subList(0, 11 * PER_SECOND), c.samples, "second 0, then seconds 1..10");
            source.sample(start.plusSeconds(2), c);
            source.sample(start.plusSeconds(3), c);
            assertEquals(recorded, c.samples);
            assertTrue(source.exhausted());
        }
    }

    @Test
    void atMaxSpeedTimeIsIgnored() throws IOException {
        List<SpecificRecord> recorded = recorded();
        try (ReplaySource source = ReplaySource.fromFile(write(recorded), ReplaySource.parseSpeed("max"), false)) {
            assertTrue(source.unpaced());
            Collector c = new Collector();
            source.sample(T0, c);
            assertEquals(recorded, c.samples);
            assertTrue(source.exhausted());
        }
    }

    @Test
    void shiftToNowKeepsSpacingAndPutsNothingInTheFuture() throws IOException {
        List<SpecificRecord> recorded = recorded();
        Instant start = Instant.parse("2026-11-24T12:00:00Z");
        try (ReplaySource source = ReplaySource.fromFile(write(recorded), 10, true)) {
            Collector c = new Collector();
            for (int s = 0; s < 4; s++) {
                source.sample(start.plusSeconds(s), c);
            }
            assertEquals(recorded.size(), c.samples.size());
            long shift = start.toEpochMilli() - T0.plusSeconds(SECONDS - 1).toEpochMilli();
            for (int i = 0; i < recorded.size(); i++) {
                assertEquals(timestamp(recorded.get(i)) + shift, timestamp(c.samples.get(i)));
            }
            assertEquals(start.toEpochMilli(), timestamp(c.samples.get(c.samples.size() - 1)));
        }
        try (ReplaySource live = ReplaySource.fromFile(write(recorded), 1, true)) {
            Collector c = new Collector();
            live.sample(start, c);
            assertEquals(start.toEpochMilli(), timestamp(c.samples.get(0)), "at speed 1 the replay looks live");
        }
    }

    @Test
    void badLinesAreReportedWithTheirLineNumberAndSkipped() throws IOException {
        List<SpecificRecord> recorded = recorded().subList(0, 8);
        VmSample vm = (VmSample) recorded.get(1);
        String envelope = AvroJson.envelope("lm.vm-samples", vm.getVmId(), 0, 0, vm);
        Path file = write(recorded, "", "# a comment", "{not json", "{\"something\":1}", envelope);
        try (ReplaySource source = ReplaySource.fromFile(file, ReplaySource.parseSpeed("max"), false)) {
            Collector c = new Collector();
            source.sample(T0, c);
            List<SpecificRecord> expected = new ArrayList<>(recorded);
            expected.add(vm);
            assertEquals(expected, c.samples, "envelope lines are read too");
            assertEquals(2, c.problems.size(), c.problems.toString());
            assertTrue(c.problems.get(0).startsWith("samples.jsonl:11: not JSON"), c.problems.get(0));
        }
    }

    @Test
    void speedMustBePositiveOrMax() {
        assertEquals(10.0, ReplaySource.parseSpeed("10"));
        assertThrows(IllegalArgumentException.class, () -> ReplaySource.parseSpeed("0"));
        assertThrows(IllegalArgumentException.class, () -> ReplaySource.parseSpeed("fast"));
    }

    private static long timestamp(SpecificRecord r) {
        return r instanceof VmSample v
                ? v.getTimestamp().toEpochMilli()
                : ((HostSample) r).getTimestamp().toEpochMilli();
    }
}
