package io.lmadvisor.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpioTest {
    @Test
    void writesNewcEntriesTheKernelCanUnpack() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Cpio c = new Cpio(b);
        c.dir("dev");
        c.charDevice("dev/console", 0600, 5, 1);
        c.file("init", 0755, "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII));
        c.symlink("bin/sh", "busybox");
        c.finish();
        byte[] a = b.toByteArray();
        assertEquals(0, a.length % 4, "newc pads to 4 bytes");
        String first = new String(a, 0, 110, StandardCharsets.US_ASCII);
        assertEquals("070701", first.substring(0, 6));
        assertEquals(String.format("%08x", Cpio.DIR | 0755), first.substring(14, 22), "mode");
        assertEquals(List.of("dev", "dev/console", "init", "bin/sh"), Cpio.list(new ByteArrayInputStream(a)));
        int console = indexOf(a, "dev/console") - 110;
        String h = new String(a, console, 110, StandardCharsets.US_ASCII);
        assertEquals("00000005", h.substring(6 + 9 * 8, 6 + 10 * 8), "rdev major");
        assertEquals("00000001", h.substring(6 + 10 * 8, 6 + 11 * 8), "rdev minor");
    }

    @Test
    void refusesWhatIsNotAnArchive() {
        assertThrows(IOException.class, () -> Cpio.list(new ByteArrayInputStream(new byte[200])));
    }

    private static int indexOf(byte[] a, String s) {
        byte[] n = s.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= a.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (a[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
