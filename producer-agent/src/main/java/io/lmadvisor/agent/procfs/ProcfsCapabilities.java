package io.lmadvisor.agent.procfs;

import io.lmadvisor.model.features.Pages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the kernel lets the procfs source use, found by a start-up self-test on the agent's own process.
 * Content sampling through /proc/PID/mem is what the source relies on; soft-dirty tracking is only
 * reported (some kernels, like this project's, lack CONFIG_MEM_SOFT_DIRTY: clear_refs accepts "4" but
 * pagemap bit 55 never sets). Instructions per second are never measured: Java cannot open perf events.
 *
 * @param contentSampling a page written by the agent read back identically through /proc/self/mem
 * @param softDirty       pagemap bit 55 was clear after writing 4 to clear_refs and set after a write
 * @param message         one human-readable line per capability
 */
public record ProcfsCapabilities(boolean contentSampling, boolean softDirty, String message) {
    private static final int PAGE = (int) Pages.PAGE_BYTES;
    private static final long SOFT_DIRTY_BIT = 1L << 55;
    private static final long PRESENT_BIT = 1L << 63;

    /** Always false: guest instructions/s are sent as null (absent), never as 0. */
    public boolean instructionsPerSec() {
        return false;
    }

    /** Runs the self-test against {@code procRoot/self}; never throws, failures become part of the message. */
    public static ProcfsCapabilities probe(Path procRoot) {
        Path self = procRoot.resolve("self");
        Path file = null;
        StringBuilder msg = new StringBuilder();
        boolean content = false;
        boolean softDirty = false;
        try {
            file = Files.createTempFile("lmadvisor-selftest", ".page");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                // A mapped file page has a fixed virtual address we can find in maps (heap arrays move).
                MappedByteBuffer page = ch.map(FileChannel.MapMode.READ_WRITE, 0, PAGE);
                for (int i = 0; i < PAGE; i++) {
                    page.put(i, (byte) (i * 31 + 7));
                }
                long address = addressOf(self, file.toRealPath().toString());
                content = readBackMatches(self, address, page);
                msg.append(
                        content
                                ? "content sampling via /proc/PID/mem: works"
                                : "content sampling via /proc/PID/mem: read back differs from what was written");
                softDirty = softDirtyWorks(self, address, page, msg);
            }
        } catch (IOException | RuntimeException e) {
            if (msg.length() == 0) {
                msg.append("content sampling via /proc/PID/mem: self-test failed: ")
                        .append(e);
            } else {
                msg.append("; soft-dirty: self-test failed: ").append(e);
            }
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // A leftover 4 KiB temp file is harmless.
                }
            }
        }
        msg.append("; instructions/s: not measured (Java cannot open perf events), sent as null");
        return new ProcfsCapabilities(content, softDirty, msg.toString());
    }

    private static long addressOf(Path self, String path) throws IOException {
        for (GuestRam.Mapping m : GuestRam.parseMaps(Files.readString(self.resolve("maps")))) {
            if (m.path().equals(path)) {
                return m.start();
            }
        }
        throw new IOException("own mapping of " + path + " not found in " + self.resolve("maps"));
    }

    private static boolean readBackMatches(Path self, long address, MappedByteBuffer page) throws IOException {
        try (FileChannel mem = FileChannel.open(self.resolve("mem"), StandardOpenOption.READ)) {
            ByteBuffer got = ByteBuffer.allocate(PAGE);
            while (got.hasRemaining() && mem.read(got, address + got.position()) > 0) {
                // keep reading until the page is complete
            }
            return got.flip().equals(page.duplicate().clear());
        }
    }

    private static boolean softDirtyWorks(Path self, long address, MappedByteBuffer page, StringBuilder msg)
            throws IOException {
        Files.writeString(self.resolve("clear_refs"), "4", StandardCharsets.US_ASCII);
        long afterClear = pagemapEntry(self, address);
        page.put(0, (byte) (page.get(0) + 1));
        long afterWrite = pagemapEntry(self, address);
        boolean works = (afterClear & SOFT_DIRTY_BIT) == 0 && (afterWrite & SOFT_DIRTY_BIT) != 0;
        if (works) {
            msg.append("; soft-dirty: works (reported only; sampling compares page contents)");
        } else if ((afterWrite & PRESENT_BIT) == 0) {
            msg.append("; soft-dirty: undetermined (test page not present in pagemap); using content comparison");
        } else {
            msg.append("; soft-dirty: not supported (clear_refs accepted, pagemap bit 55 ")
                    .append((afterClear & SOFT_DIRTY_BIT) != 0 ? "not cleared" : "not set after a write")
                    .append(": kernel without CONFIG_MEM_SOFT_DIRTY?); using content comparison");
        }
        return works;
    }

    private static long pagemapEntry(Path self, long address) throws IOException {
        try (FileChannel pm = FileChannel.open(self.resolve("pagemap"), StandardOpenOption.READ)) {
            ByteBuffer entry = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            long pos = (address / PAGE) * 8;
            while (entry.hasRemaining() && pm.read(entry, pos + entry.position()) > 0) {
                // keep reading until the 8-byte entry is complete
            }
            if (entry.hasRemaining()) {
                throw new IOException("short read of pagemap entry for 0x" + Long.toHexString(address));
            }
            return entry.getLong(0);
        }
    }
}
