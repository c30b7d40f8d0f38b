package io.lmadvisor.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * workload.c compiled on this host and run as a plain process (LMW_CMDLINE stands in for the
 * kernel command line): its verification finds corrupted pages and passes intact ones.
 */
class WorkloadProgramTest {
    @TempDir
    Path dir;

    private Path binary;
    private Process running;

    @BeforeEach
    void compile() throws Exception {
        assumeTrue(
                LabSetup.onPath("gcc") && Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libc.a")),
                "gcc and a static libc (apt-get install gcc libc6-dev) are needed to build the workload");
        Path src = dir.resolve("workload.c");
        try (InputStream in = WorkloadProgramTest.class.getResourceAsStream(LabSetup.WORKLOAD_SOURCE)) {
            assertNotNull(in, "workload.c is packaged as a resource");
            Files.write(src, in.readAllBytes());
        }
        binary = dir.resolve("lmw");
        LabSetup.run(dir, "gcc", "-static", "-O2", "-Wall", "-Werror", "-o", binary.toString(), src.toString());
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.destroyForcibly();
        }
    }

    /** Runs the workload, asks for a verification once it is ready, returns the verification line. */
    private WorkloadOutput.Verification verifyWith(String cmdline) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(binary.toString()).redirectErrorStream(true);
        pb.environment().put("LMW_CMDLINE", cmdline);
        running = pb.start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(running.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream in = running.getOutputStream();
        String line;
        while ((line = out.readLine()) != null) {
            if (WorkloadOutput.isReady(line)) {
                assertTrue(line.contains("buf_mib=4 wss_mib=2"), line);
                in.write("v\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
            }
            Optional<WorkloadOutput.Verification> v = WorkloadOutput.verification(line);
            if (v.isPresent()) {
                return v.get();
            }
        }
        throw new AssertionError("the workload ended without a verification line");
    }

    @Test
    void intactMemoryVerifies() throws Exception {
        WorkloadOutput.Verification v =
                verifyWith("lmw.buf_mib=4 lmw.wss_mib=2 lmw.dirty_pps=5000 lmw.bytes_per_page=64" + " lmw.entropy=low");
        assertEquals(new WorkloadOutput.Verification(1024, 0, v.ms(), true), v);
    }

    @Test
    void corruptedPagesAreFound() throws Exception {
        WorkloadOutput.Verification v = verifyWith("lmw.buf_mib=4 lmw.wss_mib=2 lmw.dirty_pps=0 lmw.corrupt=3");
        assertEquals(3, v.bad());
        assertFalse(v.ok());
    }
}
