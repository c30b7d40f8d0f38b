package io.lmadvisor.agent.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {
    @TempDir
    Path dir;

    private static SpoolRecord record(int i) {
        // Equal sizes for every record, so tests can count in records.
        return SpoolRecord.of(
                i % 2 == 0 ? "vm.topic" : "ho.topic",
                "vm-" + (i % 3),
                String.format("value-%03d", i).getBytes(StandardCharsets.UTF_8),
                1_700_000_000_000L + i);
    }

    private static List<SpoolRecord> records(int from, int to) {
        List<SpoolRecord> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(record(i));
        }
        return out;
    }

    private static int encodedSize(SpoolRecord r) {
        return DiskSpool.encode(r).remaining();
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void recordsComeOutInOrderAcrossSegmentsAndPeekDoesNotRemove() {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 200)) {
            assertEquals(50, spool.append(records(0, 50)));
            assertEquals(50, spool.records());
            DiskSpool.Batch first = spool.peek(20);
            assertEquals(records(0, 20), first.records());
            assertEquals(records(0, 20), spool.peek(20).records(), "peek again: same records");
            spool.commit(first);
            assertEquals(30, spool.records());
            List<SpoolRecord> rest = spool.peek(1000).records();
            assertEquals(records(20, 50), rest);
        }
    }

    @Test
    void keyNullAndValueNullRoundTrip() {
        SpoolRecord r = new SpoolRecord("t", null, null, 5);
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            spool.append(List.of(r));
            assertEquals(List.of(r), spool.peek(10).records());
        }
    }

    @Test
    void aFullSpoolRefusesTheNewestAndSaysHowManyItTook() {
        int size = encodedSize(record(0));
        // Room for exactly 10 records.
        try (DiskSpool spool = DiskSpool.open(dir, 10L * size, 4L * size)) {
            assertEquals(6, spool.append(records(0, 6)));
            assertEquals(4, spool.append(records(6, 12)), "only 4 of 6 fit");
            assertEquals(0, spool.append(records(12, 13)));
            assertEquals(10, spool.records());
            assertTrue(spool.bytes() <= spool.maxBytes());
            assertEquals(records(0, 10), spool.peek(100).records(), "the oldest are kept");
        }
    }

    @Test
    void committingFreesWholeSegmentsAndAnEmptySpoolLeavesNoFiles() throws IOException {
        int size = encodedSize(record(0));
        try (DiskSpool spool = DiskSpool.open(dir, 100L * size, 4L * size)) {
            spool.append(records(0, 10));
            assertEquals(3, segments().size());
            spool.commit(spool.peek(5));
            assertEquals(2, segments().size(), "the first segment (records 0..3) is gone");
            spool.commit(spool.peek(5));
            assertTrue(spool.isEmpty());
            assertEquals(List.of(), segments());
            assertEquals(0, spool.bytes());
            spool.append(records(10, 12));
            assertEquals(records(10, 12), spool.peek(10).records());
        }
    }

    @Test
    void partialCommitKeepsTheUnackedRest() {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 100)) {
            spool.append(records(0, 10));
            DiskSpool.Batch b = spool.peek(10);
            spool.commit(b, 7);
            assertEquals(records(7, 10), spool.peek(10).records());
            assertThrows(IllegalStateException.class, () -> spool.commit(b, 1), "stale batch");
        }
    }

    @Test
    void survivesARestartWithoutResendingCommittedRecords() {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 150)) {
            spool.append(records(0, 30));
            spool.commit(spool.peek(12));
        }
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 150)) {
            assertEquals(18, spool.records());
            assertEquals(records(12, 30), spool.peek(100).records());
            spool.append(records(30, 32));
            assertEquals(records(12, 32), spool.peek(100).records());
        }
    }

    @Test
    void aTornTailIsCutOffAndReportedNotThrown() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            spool.append(records(0, 5));
        }
        Path seg = segments().get(0);
        long before = Files.size(seg);
        // A crash in the middle of writing a sixth record: its header and half its body.
        ByteBuffer sixth = DiskSpool.encode(record(5));
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.APPEND)) {
            ch.write(sixth.limit(sixth.limit() / 2));
        }
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            assertEquals(5, spool.records());
            assertEquals(records(0, 5), spool.peek(100).records());
            assertTrue(spool.corruptBytesDiscarded() > 0);
            assertEquals(before, Files.size(seg), "file cut back to the last whole record");
            spool.append(records(5, 6));
            assertEquals(records(0, 6), spool.peek(100).records());
        }
    }

    @Test
    void aFlippedByteFailsTheChecksumAndEndsTheSegment() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            spool.append(records(0, 4));
        }
        Path seg = segments().get(0);
        byte[] bytes = Files.readAllBytes(seg);
        int third = 2 * encodedSize(record(0));
        bytes[third + 12] ^= 0x40; // inside the third record's body
        Files.write(seg, bytes);
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            assertEquals(records(0, 2), spool.peek(100).records());
            assertEquals(2L * encodedSize(record(0)), spool.corruptBytesDiscarded());
        }
    }

    @Test
    void anUnreadableHeadFileMeansResendingNotLosing() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            spool.append(records(0, 6));
            spool.commit(spool.peek(2));
        }
        Files.writeString(dir.resolve("head"), "garbage");
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            assertEquals(records(0, 6), spool.peek(100).records());
        }
    }

    @Test
    void oneAgentPerDirectory() {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> DiskSpool.open(dir, 1 << 20, 1 << 16));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }
}
