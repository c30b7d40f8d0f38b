package io.lmadvisor.simulator.whatif;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.eval.CellEvaluation;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.simulator.migration.Mechanics;
import io.lmadvisor.simulator.migration.MigrationOutcome;
import io.lmadvisor.simulator.migration.MigrationSettings;
import io.lmadvisor.simulator.migration.MigrationSimulator;
import io.lmadvisor.simulator.workload.HostLoad;
import io.lmadvisor.simulator.workload.VmSnapshot;
import io.lmadvisor.simulator.workload.WorkloadCatalog;
import io.lmadvisor.simulator.workload.WorkloadTraits;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Replays recorded migrations through the simulator: each row's technique, workload, VM size, dirty
 * rate and bandwidth are kept; features the row lacks come from the workload's
 * {@link WorkloadCatalog#traits calibrated defaults}; hosts are CSAP's 4-core, 16 GB machines with
 * {@value #DEFAULT_BUSY_CORES} core busy besides the VM. No noise: predictions are expected values.
 */
public final class WhatIf {
    public static final double HOST_CORES = 4;
    public static final double HOST_MEM_MB = 16384;
    public static final double DEFAULT_BUSY_CORES = 1;

    /** One replayed row: its real record and the simulator's figures. */
    public record Prediction(MigrationRecord real, double ttMs, double dtMs, double tdBytes, boolean converged) {}

    /** Predictions and their gMRE (etc.) per algorithm and target (TT, DT, TD). */
    public record Result(
            Dataset dataset, List<Prediction> predictions, Map<Algorithm, Map<Target, CellEvaluation>> evaluation) {}

    private WhatIf() {}

    /** Reads a csap-subset file, simulates every row with the calibrated defaults, writes {@code outCsv} (if not null). */
    public static Result run(Path csapSubsetFile, Path outCsv) throws IOException {
        return run(csapSubsetFile, outCsv, Mechanics.csap(), WorkloadCatalog::traits);
    }

    public static Result run(
            Path csapSubsetFile, Path outCsv, Mechanics mechanics, Function<Workload, WorkloadTraits> traits)
            throws IOException {
        Dataset ds = DatasetFormat.CSAP_SUBSET.read(csapSubsetFile, ReadOptions.defaults());
        List<Prediction> predictions = predict(ds.records(), mechanics, traits);
        if (outCsv != null) {
            write(predictions, outCsv);
        }
        return new Result(ds, predictions, evaluate(predictions));
    }

    public static List<Prediction> predict(
            List<MigrationRecord> records, Mechanics mechanics, Function<Workload, WorkloadTraits> traits) {
        MigrationSimulator sim = new MigrationSimulator(mechanics);
        MigrationOutcome out = new MigrationOutcome();
        List<Prediction> result = new ArrayList<>(records.size());
        for (MigrationRecord r : records) {
            simulate(sim, r, traits, out);
            result.add(new Prediction(r, out.totalTimeMs, out.downtimeMs, out.transferredBytes, out.converged()));
        }
        return result;
    }

    /** Simulates one record's inputs into {@code out}; absent features from the workload defaults. */
    public static void simulate(
            MigrationSimulator sim,
            MigrationRecord r,
            Function<Workload, WorkloadTraits> traits,
            MigrationOutcome out) {
        Workload w = r.workload() == null ? Workload.SYNTHETIC : r.workload();
        WorkloadTraits t = traits.apply(w);
        double size = r.raw(RawFeature.VM_SIZE);
        double pdr = r.raw(RawFeature.PDR);
        VmSnapshot vm = new VmSnapshot(
                w,
                size,
                pdr,
                or(r.raw(RawFeature.WSS), t.wssMb(size, pdr)),
                or(r.raw(RawFeature.WSE), t.wse()),
                or(r.raw(RawFeature.NWSE), t.nwse()),
                or(r.raw(RawFeature.MWPP), t.mwppBytes()),
                or(r.raw(RawFeature.PMU_INSTR), t.pmuInstrPerS()),
                or(r.raw(RawFeature.CPU_UTIL), t.cpuUtilPct()),
                or(r.raw(RawFeature.NET_UTIL), t.netUtilMBps()),
                r.raw(RawFeature.VCPUS) >= 1 ? (int) r.raw(RawFeature.VCPUS) : t.vcpus());
        double busy = 100 * DEFAULT_BUSY_CORES;
        HostLoad host = new HostLoad(
                or(r.raw(RawFeature.SRC_CPU_AVAIL), Math.max(0, 100 * HOST_CORES - busy - vm.cpuUtilPct())),
                or(r.raw(RawFeature.DST_CPU_AVAIL), 100 * HOST_CORES - busy),
                or(r.raw(RawFeature.SRC_MEM_AVAIL), Math.max(0, HOST_MEM_MB / 2 - size)),
                or(r.raw(RawFeature.DST_MEM_AVAIL), HOST_MEM_MB / 2));
        sim.simulate(r.algorithm(), vm, host, MigrationSettings.defaults(r.raw(RawFeature.PTR)), out);
    }

    public static Map<Algorithm, Map<Target, CellEvaluation>> evaluate(List<Prediction> predictions) {
        Map<Algorithm, Map<Target, CellEvaluation>> result = new EnumMap<>(Algorithm.class);
        for (Algorithm a : Algorithm.values()) {
            List<Prediction> ps =
                    predictions.stream().filter(p -> p.real().algorithm() == a).toList();
            if (ps.isEmpty()) {
                continue;
            }
            Map<Target, CellEvaluation> cells = new EnumMap<>(Target.class);
            for (Target t : List.of(Target.TT, Target.DT, Target.TD)) {
                double[] pred = new double[ps.size()];
                double[] actual = new double[ps.size()];
                for (int i = 0; i < ps.size(); i++) {
                    Prediction p = ps.get(i);
                    pred[i] = t == Target.TT ? p.ttMs() : t == Target.DT ? p.dtMs() : p.tdBytes();
                    actual[i] = p.real().target(t);
                }
                cells.put(t, CellEvaluation.compute(a, t, pred, actual));
            }
            result.put(a, cells);
        }
        return result;
    }

    /** CSV: migration_id,algorithm,workload,tt_ms,dt_ms,td_bytes,converged,real_tt_ms,real_dt_ms,real_td_bytes. */
    public static void write(List<Prediction> predictions, Path out) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write(
                    "migration_id,algorithm,workload,tt_ms,dt_ms,td_bytes,converged,real_tt_ms,real_dt_ms,real_td_bytes\n");
            for (Prediction p : predictions) {
                MigrationRecord r = p.real();
                w.write(String.format(
                        Locale.ROOT,
                        "%s,%s,%s,%.1f,%.1f,%.0f,%s,%s,%s,%s%n",
                        r.id(),
                        r.algorithm().shortName(),
                        r.workload() == null ? "" : r.workload().name().toLowerCase(Locale.ROOT),
                        p.ttMs(),
                        p.dtMs(),
                        p.tdBytes(),
                        p.converged(),
                        num(r.target(Target.TT)),
                        num(r.target(Target.DT)),
                        num(r.target(Target.TD))));
            }
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : (v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v));
    }

    private static double or(double v, double fallback) {
        return Double.isNaN(v) ? fallback : v;
    }
}
