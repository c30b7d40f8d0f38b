package io.lmadvisor.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {
    private static QemuCommandLine cmd(String... args) {
        return QemuCommandLine.fromProcCmdline((String.join("\0", args) + "\0").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void libvirtStyleNameWinsOverUuid() {
        QemuCommandLine c = cmd(
                "/usr/bin/qemu-system-x86_64",
                "-name",
                "guest=web-01,debug-threads=on",
                "-uuid",
                "2b5c1f4e-0000-4000-8000-000000000001",
                "-m",
                "size=4194304k,slots=16,maxmem=8G");
        assertTrue(c.isQemu());
        assertEquals(Optional.of("web-01"), c.vmId());
        assertEquals(OptionalLong.of(4096), c.memoryMb());
    }

    @Test
    void legacyNameEscapedCommaAndUuidFallback() {
        assertEquals(
                Optional.of("db,primary"),
                cmd("qemu-kvm", "--name", "db,,primary,process=qemu-db").vmId());
        assertEquals(
                Optional.of("u-1"),
                cmd("qemu-system-aarch64", "-uuid", "u-1", "-m", "2G").vmId());
        assertEquals(
                OptionalLong.of(2048), cmd("qemu-system-aarch64", "-m", "2G").memoryMb());
        assertEquals(
                OptionalLong.of(512), cmd("qemu-system-x86_64", "-m", "512").memoryMb());
        assertEquals(Optional.empty(), cmd("qemu-system-x86_64", "-m", "512").vmId());
    }

    @Test
    void vcpusFromSmpAsQemuCountsThem() {
        assertEquals(OptionalInt.of(1), cmd("qemu-system-x86_64", "-m", "512").vcpus(), "QEMU's default");
        assertEquals(OptionalInt.of(4), cmd("qemu-system-x86_64", "-smp", "4").vcpus());
        assertEquals(
                OptionalInt.of(2),
                cmd("qemu-system-x86_64", "-smp", "cpus=2,maxcpus=8").vcpus());
        // libvirt's form: the count first, then the topology.
        assertEquals(
                OptionalInt.of(2),
                cmd("qemu-system-x86_64", "-smp", "2,sockets=2,dies=1,cores=1,threads=1")
                        .vcpus());
        assertEquals(
                OptionalInt.of(8),
                cmd("qemu-system-x86_64", "--smp", "sockets=2,cores=2,threads=2")
                        .vcpus());
        assertEquals(
                OptionalInt.of(3),
                cmd("qemu-system-x86_64", "-smp", "2", "-smp", "3").vcpus(),
                "last wins");
        assertEquals(
                OptionalInt.empty(), cmd("qemu-system-x86_64", "-smp", "many").vcpus());
        assertEquals(OptionalInt.empty(), cmd("qemu-system-x86_64", "-smp", "0").vcpus());
    }

    @Test
    void recognisesQemuByExecutableOnly() {
        assertFalse(cmd("/usr/bin/java", "-jar", "qemu-system-x86_64.jar").isQemu());
        assertFalse(cmd("bash", "-c", "qemu-system-x86_64").isQemu());
        assertFalse(QemuCommandLine.fromProcCmdline(new byte[0]).isQemu());
        assertTrue(cmd("/usr/libexec/qemu-kvm").isQemu());
    }

    @Test
    void tapInterfacesFromKeyValueAndJsonNetdev() {
        QemuCommandLine c = cmd(
                "qemu-system-x86_64",
                "-netdev",
                "tap,id=n0,ifname=tap-a,script=no",
                "-netdev",
                "{\"type\":\"tap\",\"ifname\":\"vnet3\",\"id\":\"hostnet0\"}",
                "-netdev",
                "user,id=n1",
                "-netdev",
                "{\"type\":\"tap\",\"fd\":\"35\",\"id\":\"hostnet1\"}",
                "-net",
                "tap,ifname=tap-b");
        assertEquals(List.of("tap-a", "vnet3", "tap-b"), c.tapInterfaces());
    }
}
