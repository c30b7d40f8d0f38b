package io.lmadvisor.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabGuestTest {
    @TempDir
    Path dir;

    private LabGuest.Builder guest(String name) {
        return LabGuest.builder(name, new LabAssets(dir.resolve("assets")), dir.resolve("run"), Workload.smoke());
    }

    private static String after(List<String> cmd, String flag) {
        int i = cmd.indexOf(flag);
        assertTrue(i >= 0 && i + 1 < cmd.size(), flag + " missing in " + cmd);
        return cmd.get(i + 1);
    }

    @Test
    void sourceCommandLine() {
        List<String> c = guest("src").build().commandLine();
        assertEquals("qemu-system-x86_64", c.get(0));
        assertEquals("q35", after(c, "-machine"));
        assertEquals("tcg", after(c, "-accel"));
        assertEquals("1", after(c, "-smp"));
        assertEquals("512", after(c, "-m"));
        assertFalse(c.contains("-cpu"), "TCG keeps the default CPU model");
        assertEquals(dir.resolve("assets/vmlinuz").toString(), after(c, "-kernel"));
        assertEquals(dir.resolve("assets/initramfs.cpio.gz").toString(), after(c, "-initrd"));
        String append = after(c, "-append");
        assertTrue(append.startsWith("console=ttyS0 "), append);
        assertTrue(
                append.contains(" lmw.buf_mib=64 lmw.wss_mib=16 lmw.dirty_pps=2000 lmw.bytes_per_page=4096"
                        + " lmw.entropy=random lmw.cpu_per_page=0"),
                append);
        assertEquals(2, Collections.frequency(c, "-qmp"), "agent and executor monitors");
        assertTrue(c.contains("unix:" + dir.resolve("run/src.qmp-agent.sock") + ",server=on,wait=off"), c.toString());
        assertTrue(c.contains("unix:" + dir.resolve("run/src.qmp-exec.sock") + ",server=on,wait=off"), c.toString());
        assertTrue(after(c, "-chardev").contains("logfile=" + dir.resolve("run/src.serial.log")));
        assertEquals("chardev:serial0", after(c, "-serial"));
        assertEquals(dir.resolve("run/src.pid").toString(), after(c, "-pidfile"));
        assertTrue(c.contains("-no-reboot"), "a panic (the workload died) ends QEMU");
        assertFalse(c.contains("-incoming"));
        assertThrows(IllegalStateException.class, () -> guest("src").build().incomingUri());
    }

    @Test
    void destinationWaitsForMigrateIncoming() {
        LabGuest d =
                guest("dst").role(LabGuest.Role.DESTINATION).incomingPort(49152).build();
        List<String> c = d.commandLine();
        assertEquals("defer", after(c, "-incoming"));
        assertEquals("tcp:127.0.0.1:49152", d.incomingUri());
        // Same machine, memory and kernel as the source, or QEMU refuses the incoming stream.
        List<String> s = guest("dst").build().commandLine();
        assertEquals(s, c.subList(0, c.size() - 2));
    }

    @Test
    void kvmUsesTheHostCpu() {
        List<String> c = guest("src").accel(LabGuest.Accel.KVM).build().commandLine();
        assertEquals("kvm", after(c, "-accel"));
        assertEquals("host", after(c, "-cpu"));
    }

    @Test
    void refusesNamesThatMakeBadSocketPaths() {
        assertThrows(IllegalArgumentException.class, () -> guest("Src/../x"));
    }

    @Test
    void reapsOnlyAQemuNamingItsPidFile() throws Exception {
        Path pid = dir.resolve("x.pid");
        Files.writeString(pid, ProcessHandle.current().pid() + "\n");
        assertFalse(LabGuest.reapStale(pid), "this JVM is no QEMU: spared");
        Files.writeString(pid, "not a pid");
        assertFalse(LabGuest.reapStale(pid));
        assertFalse(LabGuest.reapStale(dir.resolve("absent.pid")));
    }
}
