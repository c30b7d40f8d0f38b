package io.lmadvisor.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A cpio "newc" archive, as the Linux kernel unpacks an initramfs. Written here so that the lab
 * needs no cpio tool and no root for device nodes.
 */
final class Cpio {
    static final int DIR = 0040000;
    static final int FILE = 0100000;
    static final int SYMLINK = 0120000;
    static final int CHARDEV = 0020000;
    private static final String MAGIC = "070701";
    private static final String TRAILER = "TRAILER!!!";

    private final OutputStream out;
    private long written;
    private int ino = 1;

    Cpio(OutputStream out) {
        this.out = out;
    }

    void dir(String name) throws IOException {
        entry(name, DIR | 0755, 0, 0, new byte[0]);
    }

    void file(String name, int perm, byte[] data) throws IOException {
        entry(name, FILE | perm, 0, 0, data);
    }

    void symlink(String name, String target) throws IOException {
        entry(name, SYMLINK | 0777, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    void charDevice(String name, int perm, int major, int minor) throws IOException {
        entry(name, CHARDEV | perm, major, minor, new byte[0]);
    }

    /** Writes the trailer; the caller closes the stream. */
    void finish() throws IOException {
        entry(TRAILER, 0, 0, 0, new byte[0]);
    }

    private void entry(String name, int mode, int rdevMajor, int rdevMinor, byte[] data) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(MAGIC);
        long[] fields = {
            TRAILER.equals(name) ? 0 : ino++,
            mode,
            0,
            0,
            (mode & DIR) == DIR ? 2 : 1,
            0,
            data.length,
            0,
            0,
            rdevMajor,
            rdevMinor,
            n.length + 1,
            0
        };
        for (long f : fields) {
            h.append(String.format(Locale.ROOT, "%08x", f));
        }
        write(h.toString().getBytes(StandardCharsets.US_ASCII));
        write(n);
        write(new byte[] {0});
        pad();
        write(data);
        pad();
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        written += b.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            write(new byte[] {0});
        }
    }

    /** The names in an archive, in order, without the trailer. */
    static List<String> list(InputStream in) throws IOException {
        List<String> names = new ArrayList<>();
        long pos = 0;
        while (true) {
            byte[] h = in.readNBytes(110);
            if (h.length < 110 || !new String(h, 0, 6, StandardCharsets.US_ASCII).equals(MAGIC)) {
                throw new IOException("not a cpio newc archive at byte " + pos);
            }
            String hs = new String(h, StandardCharsets.US_ASCII);
            long size = Long.parseLong(hs.substring(6 + 6 * 8, 6 + 7 * 8), 16);
            int nameSize = Integer.parseInt(hs.substring(6 + 11 * 8, 6 + 12 * 8), 16);
            pos += 110;
            byte[] name = in.readNBytes(nameSize);
            pos += nameSize;
            pos += skip(in, (4 - pos % 4) % 4);
            String s = new String(name, 0, Math.max(0, nameSize - 1), StandardCharsets.UTF_8);
            if (s.equals(TRAILER)) {
                return names;
            }
            names.add(s);
            pos += skip(in, size);
            pos += skip(in, (4 - pos % 4) % 4);
        }
    }

    private static long skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
        return n;
    }
}
