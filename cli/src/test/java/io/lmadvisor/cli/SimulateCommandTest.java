package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
    @TempDir
    Path dir;

    @Test
    void datasetsAreReadableCsapAndDeterministicPerSeed() throws Exception {
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        assertEquals(
                0,
                LmAdvisor.commandLine()
                        .execute(
                                "simulate",
                                "dataset",
                                "--rows",
                                "50",
                                "--seed",
                                "3",
                                "--format",
                                "csap512",
                                "--out",
                                a.toString()));
        assertEquals(
                0,
                LmAdvisor.commandLine()
                        .execute(
                                "simulate",
                                "dataset",
                                "--rows",
                                "50",
                                "--seed",
                                "3",
                                "--format",
                                "csap512",
                                "--out",
                                b.toString()));
        assertEquals(Files.readString(a), Files.readString(b));
        Dataset d = DatasetFormat.CSAP512.read(a, ReadOptions.defaults());
        assertEquals(50, d.records().size());
        assertTrue(d.badRows().isEmpty());
    }

    @Test
    void nonsenseArgumentsAreRefused() {
        assertTrue(LmAdvisor.commandLine()
                        .execute(
                                "simulate",
                                "dataset",
                                "--rows",
                                "0",
                                "--out",
                                dir.resolve("x.csv").toString())
                != 0);
        assertTrue(LmAdvisor.commandLine()
                        .execute(
                                "simulate",
                                "what-if",
                                "--format",
                                "csap",
                                "--data",
                                dir.resolve("x.csv").toString())
                != 0);
    }
}
