package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorCommandTest {
    @TempDir
    Path dir;

    private static int run(StringWriter err, String... args) {
        return LmAdvisor.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void qmpNeedsAnInventory() {
        StringWriter err = new StringWriter();
        // A flag mistake is a usage error (2).
        assertEquals(
                2,
                run(
                        err,
                        "executor",
                        "--qmp",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--schema-registry-url",
                        "mock://x"));
        assertTrue(err.toString().contains("--qmp needs --inventory FILE"), err.toString());
    }

    @Test
    void aBadInventoryIsOneLineNamingTheFile() throws Exception {
        Path inv = dir.resolve("inv.yaml");
        Files.writeString(inv, "vms:\n  vm-1: {source: {qmp: /s}}\n");
        StringWriter err = new StringWriter();
        assertEquals(
                1,
                run(
                        err,
                        "executor",
                        "--qmp",
                        "--inventory",
                        inv.toString(),
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--schema-registry-url",
                        "mock://x"));
        assertEquals(
                "lm-advisor executor: inventory file " + inv + ", VM vm-1: 'destination' must be a map and is"
                        + " missing.",
                err.toString().strip());
    }

    @Test
    void dryRunGoesWithQmp() {
        StringWriter err = new StringWriter();
        assertEquals(
                2,
                run(
                        err,
                        "executor",
                        "--dry-run",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--schema-registry-url",
                        "mock://x"));
        assertTrue(err.toString().contains("--inventory and --dry-run go with --qmp"), err.toString());
    }
}
