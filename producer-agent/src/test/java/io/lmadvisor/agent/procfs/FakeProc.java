package io.lmadvisor.agent.procfs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * A fake /proc tree in a directory, for the sources that read QEMU processes from it. A process's
 * /proc/PID/mem is a sparse file read at "virtual addresses": guest RAM is {@code ramPages} pages at
 * {@link #RAM_ADDR}, zero until written.
 */
public final class FakeProc {
    public static final long RAM_ADDR = 0x10000000L;

    public final Path root;

    public FakeProc(Path root) {
        this.root = root;
    }

    public void write(String rel, String text) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.ISO_8859_1);
    }

    /** {@code PID/stat} with the given CPU ticks and a fixed start time. */
    public void stat(int pid, long utime, long stime) throws IOException {
        write(
                pid + "/stat",
                pid + " (qemu-system-x86) S 1 1 1 0 -1 0 0 0 0 0 " + utime + " " + stime + " 0 0 20 0 3 0 5555 0 0");
    }

    /** A QEMU process: command line, guest RAM as one anonymous mapping of {@code ramPages}, stat, empty mem. */
    public void qemu(int pid, int ramPages, String... args) throws IOException {
        write(pid + "/cmdline", String.join("\0", args) + "\0");
        write(
                pid + "/maps",
                String.format(
                        "%x-%x rw-p 00000000 00:00 0 %n%x-%x rw-p 00000000 00:00 0 [heap]%n",
                        RAM_ADDR, RAM_ADDR + ramPages * 4096L, 0x5000L, 0x6000L));
        stat(pid, 1000, 200);
        try (RandomAccessFile mem =
                new RandomAccessFile(root.resolve(pid + "/mem").toFile(), "rw")) {
            mem.setLength(RAM_ADDR + ramPages * 4096L); // sparse: unwritten guest pages read as zeros
        }
    }

    /** Writes {@code count} pages starting at page {@code first}: random bytes, or byte value {@code fill}. */
    public void pages(int pid, int first, int count, Integer fill, long seed) throws IOException {
        try (RandomAccessFile mem =
                new RandomAccessFile(root.resolve(pid + "/mem").toFile(), "rw")) {
            Random rnd = new Random(seed);
            byte[] page = new byte[4096];
            for (int p = first; p < first + count; p++) {
                if (fill == null) {
                    rnd.nextBytes(page);
                } else {
                    Arrays.fill(page, (byte) (int) fill);
                }
                mem.seek(RAM_ADDR + p * 4096L);
                mem.write(page);
            }
        }
    }

    /** Changes {@code bytes} bytes (to a different value) at the start of each page in [first, first+count). */
    public void touch(int pid, int first, int count, int bytes) throws IOException {
        try (RandomAccessFile mem =
                new RandomAccessFile(root.resolve(pid + "/mem").toFile(), "rw")) {
            for (int p = first; p < first + count; p++) {
                long at = RAM_ADDR + p * 4096L;
                byte[] b = new byte[bytes];
                mem.seek(at);
                mem.readFully(b);
                for (int i = 0; i < bytes; i++) {
                    b[i] ^= (byte) 0x5a;
                }
                mem.seek(at);
                mem.write(b);
            }
        }
    }
}
