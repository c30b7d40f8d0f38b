package io.lmadvisor.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of setup: package and version parsing, asset checks. */
class SetupPartsTest {
    @TempDir
    Path dir;

    @Test
    void findsTheImagePackageOfTheCloudKernel() {
        assertEquals("linux-image-6.1.0-57-cloud-amd64", LabSetup.kernelPackage("""
        linux-image-cloud-amd64
          Depends: linux-image-6.1.0-57-cloud-amd64
        """));
        LabException e = assertThrows(LabException.class, () -> LabSetup.kernelPackage("linux-image-cloud-amd64\n"));
        assertTrue(e.getMessage().contains("apt-cache depends linux-image-cloud-amd64"), e.getMessage());
    }

    @Test
    void parsesQemuVersions() {
        assertEquals(
                Optional.of(new Qemu.Version(10, 0, 2)),
                Qemu.parseVersion("QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)"));
        assertFalse(
                Qemu.parseVersion("QEMU emulator version 7.2.19").orElseThrow().supported());
        assertTrue(Qemu.parseVersion("QEMU emulator version 9.1").orElseThrow().supported());
        assertTrue(Qemu.parseVersion("bash: qemu: not found").isEmpty());
    }

    @Test
    void missingAssetsSayWhatToRun() throws Exception {
        LabAssets a = new LabAssets(dir);
        assertTrue(
                a.problem().orElseThrow().contains("lm-advisor lab setup --dir " + dir),
                a.problem().toString());
        byte[] fake = new byte[0x300];
        fake[0x202] = 'H';
        fake[0x203] = 'd';
        fake[0x204] = 'r';
        fake[0x205] = 'S';
        Files.write(a.kernel(), fake);
        assertTrue(a.problem().orElseThrow().contains("initramfs"), a.problem().toString());
        Files.write(a.initramfs(), new byte[] {1, 2, 3});
        assertTrue(a.problem().orElseThrow().startsWith("no usable initramfs at " + a.initramfs()));
    }
}
