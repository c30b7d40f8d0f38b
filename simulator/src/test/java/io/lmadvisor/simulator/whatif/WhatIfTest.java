package io.lmadvisor.simulator.whatif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.CsapSubsetReader;
import io.lmadvisor.simulator.migration.MigrationOutcome;
import io.lmadvisor.simulator.migration.MigrationSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhatIfTest {
    @TempDir
    Path dir;

    @Test
    void replaysEachRowAndScoresItAgainstTheRealOutcome() throws Exception {
        String header = String.join(
                ",",
                CsapSubsetReader.MIGRATION_ID,
                CsapSubsetReader.TECHNIQUE,
                CsapSubsetReader.WORKLOAD,
                CsapSubsetReader.AVAILABLE_BANDWIDTH,
                CsapSubsetReader.PAGE_DIRTY_RATE,
                CsapSubsetReader.VM_SIZE,
                CsapSubsetReader.PAGE_TRANSFER_RATE,
                CsapSubsetReader.TOTAL_TIME,
                CsapSubsetReader.DOWNTIME,
                CsapSubsetReader.TRANSFERRED_DATA);
        // Made-up rows: an idle-ish pre-copy, a busy xbzrle, a post-copy, a compress, an auto-converge.
        List<String> rows = List.of(
                header,
                "1,original,parsec,900,100,800,100,8200,120,825000",
                "2,xbzrle,memcached,900,20000,383,120,6000,50,520000",
                "3,x-postcopy-ram,dacapo,900,9000,480,80,6200,2,495000",
                "4,compress,bzip,200,4800,2038,100,50000,120,1350000",
                "5,auto-converge,oltp,900,7000,770,110,9500,220,900000");
        Path in = dir.resolve("subset.csv");
        Files.write(in, rows);
        Path out = dir.resolve("whatif.csv");
        WhatIf.Result r = WhatIf.run(in, out);
        assertEquals(5, r.predictions().size());
        List<String> lines = Files.readAllLines(out);
        assertEquals(6, lines.size());
        assertTrue(lines.get(0).startsWith("migration_id,algorithm,"));
        assertEquals(5, r.evaluation().size());
        for (WhatIf.Prediction p : r.predictions()) {
            assertTrue(p.ttMs() > 0 && p.tdBytes() > 0 && p.dtMs() > 0);
        }
        // The evaluation is the model's gMRE of exactly these predictions.
        WhatIf.Prediction post = r.predictions().get(2);
        double expected = Math.abs(1 - post.tdBytes() / post.real().target(Target.TD));
        assertEquals(
                expected, r.evaluation().get(Algorithm.POSTCOPY).get(Target.TD).gMRE(), 1e-12);
    }

    @Test
    void predictionsEqualADirectSimulationOfTheRow() throws Exception {
        Path in = dir.resolve("one.csv");
        Files.write(
                in,
                List.of(
                        String.join(
                                ",",
                                CsapSubsetReader.MIGRATION_ID,
                                CsapSubsetReader.TECHNIQUE,
                                CsapSubsetReader.WORKLOAD,
                                CsapSubsetReader.PAGE_DIRTY_RATE,
                                CsapSubsetReader.VM_SIZE,
                                CsapSubsetReader.PAGE_TRANSFER_RATE,
                                CsapSubsetReader.TOTAL_TIME,
                                CsapSubsetReader.DOWNTIME,
                                CsapSubsetReader.TRANSFERRED_DATA),
                        "9,original,mem,5000,1024,90,14000,250,1200000"));
        WhatIf.Result r = WhatIf.run(in, null);
        MigrationOutcome o = new MigrationOutcome();
        WhatIf.simulate(
                new MigrationSimulator(),
                r.dataset().records().get(0),
                io.lmadvisor.simulator.workload.WorkloadCatalog::traits,
                o);
        assertEquals(o.totalTimeMs, r.predictions().get(0).ttMs());
        assertEquals(o.transferredBytes, r.predictions().get(0).tdBytes());
    }
}
