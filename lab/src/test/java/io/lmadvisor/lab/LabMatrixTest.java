package io.lmadvisor.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabMatrixTest {
    @TempDir
    Path dir;

    private static final String GOOD = """
      defaults:
        bandwidthMiBps: 32
      workloads:
        - name: a
          ramMiB: 512
          bufMiB: 256
          dirtyPagesPerSec: 2000
        - name: b
          ramMiB: 1024
          bufMiB: 512
          wssMiB: 64
          dirtyPagesPerSec: max
          bytesPerPage: 64
          entropy: low
          cpuUnitsPerPage: 5
          bandwidthMiBps: 119
          downtimeLimitMs: 50
      """;

    @Test
    void readsWorkloadsWithDefaults() throws Exception {
        Path f = dir.resolve("m.yaml");
        Files.writeString(f, GOOD);
        LabMatrix m = LabMatrix.read(f);
        assertEquals(
                List.of(
                        new Workload("a", 512, 256, 256, 2000, 4096, "random", 0, 32, 300, 1),
                        new Workload("b", 1024, 512, 64, Workload.MAX_RATE, 64, "low", 5, 119, 50, 1)),
                m.workloads());
        assertEquals("b", m.workload("b").name());
        assertThrows(LabException.class, () -> m.workload("c"));
    }

    private String error(String yaml) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, yaml);
        return assertThrows(LabException.class, () -> LabMatrix.read(f)).getMessage();
    }

    @Test
    void badFilesGetASentenceNamingFileAndLine() throws Exception {
        String f = dir.resolve("bad.yaml").toString();
        assertEquals(
                f + " line 7: unknown key 'dirtyRate' (expected one of [bandwidthMiBps, bufMiB, bytesPerPage,"
                        + " cpuUnitsPerPage, dirtyPagesPerSec, downtimeLimitMs, entropy, name, ramMiB, seed, wssMiB])",
                error(GOOD.replace("    dirtyPagesPerSec: 2000", "    dirtyRate: 2000")));
        assertEquals(
                f + " line 11: workload 'b': wssMiB 600 is outside 1..bufMiB (512)",
                error(GOOD.replace("wssMiB: 64", "wssMiB: 600")));
        assertEquals(
                f + " line 5: ramMiB 'lots' is not a whole number", error(GOOD.replace("ramMiB: 512", "ramMiB: lots")));
        assertEquals(f + " line 8: workload name 'a' is used twice", error(GOOD.replace("name: b", "name: a")));
        assertEquals(
                f + " line 4: workload lacks 'dirtyPagesPerSec'",
                error(GOOD.replace("    dirtyPagesPerSec: 2000\n", "")));
        assertEquals(
                f + " line 3: not valid YAML: expected <block end>, but found '<block mapping start>'",
                error("workloads:\n  - name: b\n   bad: [\n"),
                "syntax errors carry the line too");
        assertEquals(f + " line 1: the matrix has no workloads", error("workloads: []\n"));
        assertEquals(f + " line 1: unknown key 'workload' (expected defaults, workloads)", error("workload: []\n"));
    }

    @Test
    void unreadableFileIsNamed() {
        Path f = dir.resolve("absent.yaml");
        assertTrue(assertThrows(LabException.class, () -> LabMatrix.read(f))
                .getMessage()
                .startsWith("cannot read matrix file " + f));
    }

    /** The shipped matrix spans what the issue asks of it. */
    @Test
    void defaultMatrixSpansTheSpace() {
        List<Workload> ws = LabMatrix.defaultMatrix().workloads();
        assertTrue(ws.size() >= 30, ws.size() + " workloads");
        assertTrue(ws.stream().anyMatch(w -> w.dirtyPagesPerSec() == 0), "idle");
        assertTrue(ws.stream().anyMatch(w -> w.dirtyMiBps() > w.bandwidthMiBps()), "dirtier than the link");
        assertTrue(ws.stream().anyMatch(w -> w.dirtyPagesPerSec() == Workload.MAX_RATE), "as fast as it can");
        assertTrue(ws.stream().anyMatch(w -> w.bytesPerPage() == 64)
                && ws.stream().anyMatch(w -> w.bytesPerPage() == 4096));
        assertTrue(ws.stream().anyMatch(w -> w.entropy().equals("random"))
                && ws.stream().anyMatch(w -> w.entropy().equals("low")));
        assertTrue(ws.stream().anyMatch(w -> w.cpuUnitsPerPage() >= 50)
                && ws.stream().anyMatch(w -> w.cpuUnitsPerPage() == 0));
        assertTrue(ws.stream().anyMatch(w -> w.wssMiB() <= 32) && ws.stream().anyMatch(w -> w.wssMiB() == w.bufMiB()));
        assertTrue(ws.stream().anyMatch(w -> w.ramMiB() == 512) && ws.stream().anyMatch(w -> w.ramMiB() == 2048));
        assertTrue(ws.stream().map(Workload::bandwidthMiBps).distinct().count() >= 2);
    }
}
