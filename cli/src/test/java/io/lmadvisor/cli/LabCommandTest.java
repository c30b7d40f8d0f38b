package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return LmAdvisor.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void aBadMatrixFileIsOneSentenceNamingFileAndLine() throws Exception {
        Path f = dir.resolve("m.yaml");
        Files.writeString(
                f,
                "workloads:\n  - name: a\n    ramMiB: 512\n    bufMiB: 9999\n    dirtyPagesPerSec: 0\n"
                        + "    bandwidthMiBps: 32\n");
        assertEquals(1, run("lab", "matrix", "--matrix", f.toString()));
        assertEquals(
                "lm-advisor lab matrix: " + f + " line 4: workload 'a': bufMiB 9999 leaves less than 128 MiB of"
                        + " ramMiB 512 to the guest kernel.",
                err.toString().strip());
    }

    @Test
    void smokeWithoutAssetsSaysWhatToRun() {
        assertEquals(1, run("lab", "smoke", "--dir", dir.toString()));
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        // Without QEMU >= 9 the sentence names the install command instead.
        assertTrue(e.contains("lm-advisor lab setup --dir " + dir) || e.contains("bookworm-backports"), e);
    }

    @Test
    void labRunServesTheLabModelUnlessToldOtherwise() throws Exception {
        try (io.lmadvisor.streams.model.ModelSource lab = LabRun.modelSource(null);
                io.lmadvisor.streams.model.ModelSource bundled = LabRun.modelSource(Path.of(LabRun.BUNDLED))) {
            // the lab model is the bundled prior calibrated on the lab dataset
            assertTrue(
                    lab.get().modelVersion().startsWith("gbt-calibrated-"),
                    lab.get().modelVersion());
            assertTrue(
                    lab.artifact().trainingFingerprint().contains(bundled.get().modelVersion()),
                    lab.artifact().trainingFingerprint());
            assertEquals("lab-qemu10-tcg", LabRun.modelName(null));
        }
    }
}
