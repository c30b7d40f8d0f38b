package io.lmadvisor.simulator.calibration;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.simulator.migration.Mechanics;
import io.lmadvisor.simulator.migration.MigrationOutcome;
import io.lmadvisor.simulator.migration.MigrationSimulator;
import io.lmadvisor.simulator.whatif.WhatIf;
import io.lmadvisor.simulator.workload.WorkloadCatalog;
import io.lmadvisor.simulator.workload.WorkloadTraits;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Fits the unknown per-workload features and a few mechanics constants to recorded migrations
 * (csap-subset rows) by grid search on the what-if gMRE of TT and TD. Each step fits what one
 * technique reveals: pre-copy the working set, auto-converge the CPU share, xbzrle MWPP, compress
 * the entropies and compression speed, post-copy the switch point. Use the train side only.
 */
public final class Calibrator {
    static final double[] WSS_FRACTIONS = {0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0};
    static final double[] WSS_WINDOWS_S = {0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 14, 20, 30};
    static final double[] CPU_PCTS = {2, 5, 10, 20, 30, 40, 60, 80, 100, 120, 140, 160, 180, 200};
    static final double[] MWPPS = {
        2, 4, 8, 16, 32, 64, 100, 150, 200, 300, 400, 600, 800, 1000, 1300, 1600, 2000, 2500, 3000, 3500, 4096
    };
    static final double[] ENTROPIES = {
        0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1.0
    };

    /** Fitted mechanics and workload defaults. */
    public record Calibration(Mechanics mechanics, Map<Workload, WorkloadTraits> traits) {
        public Function<Workload, WorkloadTraits> lookup() {
            return w -> traits.getOrDefault(w, WorkloadCatalog.traits(w));
        }
    }

    private Calibrator() {}

    /** The shipped defaults: {@link Mechanics#csap()} and {@link WorkloadCatalog#traits}. */
    public static Calibration shipped() {
        Map<Workload, WorkloadTraits> t = new EnumMap<>(Workload.class);
        for (Workload w : Workload.values()) {
            t.put(w, WorkloadCatalog.traits(w));
        }
        return new Calibration(Mechanics.csap(), t);
    }

    public static Calibration fit(List<MigrationRecord> train, Calibration start, PrintStream log) {
        Mechanics mech = start.mechanics();
        Map<Workload, WorkloadTraits> traits = new EnumMap<>(start.traits());
        // Times first (setup and stop-and-copy cost), on all plain pre-copy rows.
        List<MigrationRecord> pre = rows(train, Algorithm.PRECOPY, null);
        double best = Double.POSITIVE_INFINITY;
        Mechanics bestMech = mech;
        for (double setup : new double[] {0, 20, 40, 60, 80, 100, 130, 160}) {
            Mechanics cand = mech.withTimes(setup, mech.precopyDowntimeBaseMs());
            double s = score(pre, cand, map(traits), Target.TT);
            if (s < best) {
                best = s;
                bestMech = cand;
            }
        }
        mech = bestMech;
        log.printf(Locale.ROOT, "setupMs %.0f%n", mech.setupMs());

        for (Workload w : Workload.values()) {
            List<MigrationRecord> wPre = rows(train, Algorithm.PRECOPY, w);
            if (wPre.size() < 5) {
                continue;
            }
            WorkloadTraits cur = traits.get(w);
            double bestScore = Double.POSITIVE_INFINITY;
            WorkloadTraits bestT = cur;
            for (double f : WSS_FRACTIONS) {
                for (double win : WSS_WINDOWS_S) {
                    WorkloadTraits cand = cur.withWss(f, win);
                    double s = score(wPre, mech, override(traits, w, cand), Target.TD)
                            + score(wPre, mech, override(traits, w, cand), Target.TT);
                    if (s < bestScore) {
                        bestScore = s;
                        bestT = cand;
                    }
                }
            }
            traits.put(w, bestT);

            List<MigrationRecord> wThr = rows(train, Algorithm.AUTO_CONVERGE, w);
            if (wThr.size() >= 5) {
                traits.put(w, best1(wThr, mech, traits, w, CPU_PCTS, (t, v) -> t.withCpuUtilPct(v)));
            }
            List<MigrationRecord> wX = rows(train, Algorithm.XBZRLE, w);
            if (wX.size() >= 5) {
                traits.put(w, best1(wX, mech, traits, w, MWPPS, (t, v) -> t.withMwpp(v)));
            }
            fitEntropy(train, mech, traits, w);
            log.printf(Locale.ROOT, "%-10s %s%n", w, traits.get(w));
        }

        // Compression speed and entropies shape each other (slower compression, more re-sent pages): alternate.
        List<MigrationRecord> comp = rows(train, Algorithm.COMPRESS, null);
        for (int iteration = 0; iteration < 2; iteration++) {
            best = Double.POSITIVE_INFINITY;
            bestMech = mech;
            for (double dispatch = 30; dispatch <= 120; dispatch += 5) {
                for (double core : new double[] {2, 4, 6, 8, 10, 12, 15, 20, 30, 60}) {
                    Mechanics cand = mech.withCompressDispatchMBps(dispatch).withZlibCoreMBps(core);
                    double s = score(comp, cand, map(traits), Target.TT) + score(comp, cand, map(traits), Target.TD);
                    if (s < best) {
                        best = s;
                        bestMech = cand;
                    }
                }
            }
            mech = bestMech;
            for (Workload w : Workload.values()) {
                fitEntropy(train, mech, traits, w);
            }
        }
        log.printf(
                Locale.ROOT,
                "compressDispatchMBps %.1f, zlibCoreMBps %.1f%n",
                mech.compressDispatchMBps(),
                mech.zlibCoreMBps());
        for (Workload w : Workload.values()) {
            log.printf(
                    Locale.ROOT,
                    "%-10s entropy wse %.2f nwse %.2f%n",
                    w,
                    traits.get(w).wse(),
                    traits.get(w).nwse());
        }

        List<MigrationRecord> post = rows(train, Algorithm.POSTCOPY, null);
        best = Double.POSITIVE_INFINITY;
        bestMech = mech;
        for (double f : new double[] {0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0}) {
            Mechanics cand = mech.withPostcopySwitchFraction(f);
            double s = score(post, cand, map(traits), Target.TD) + score(post, cand, map(traits), Target.TT);
            if (s < best) {
                best = s;
                bestMech = cand;
            }
        }
        mech = bestMech;
        log.printf(Locale.ROOT, "postcopySwitchFraction %.3f%n", mech.postcopySwitchFraction());
        return new Calibration(mech, traits);
    }

    private static void fitEntropy(
            List<MigrationRecord> train, Mechanics mech, Map<Workload, WorkloadTraits> traits, Workload w) {
        List<MigrationRecord> wC = rows(train, Algorithm.COMPRESS, w);
        if (wC.size() < 5) {
            return;
        }
        WorkloadTraits c = traits.get(w);
        double bs = Double.POSITIVE_INFINITY;
        WorkloadTraits bt = c;
        for (double wse : ENTROPIES) {
            for (double nwse : ENTROPIES) {
                WorkloadTraits cand = c.withEntropy(wse, nwse);
                double s = score(wC, mech, override(traits, w, cand), Target.TD);
                if (s < bs) {
                    bs = s;
                    bt = cand;
                }
            }
        }
        traits.put(w, bt);
    }

    interface TraitSetter {
        WorkloadTraits set(WorkloadTraits t, double v);
    }

    private static WorkloadTraits best1(
            List<MigrationRecord> rows,
            Mechanics mech,
            Map<Workload, WorkloadTraits> traits,
            Workload w,
            double[] grid,
            TraitSetter setter) {
        WorkloadTraits cur = traits.get(w);
        double bs = Double.POSITIVE_INFINITY;
        WorkloadTraits bt = cur;
        for (double v : grid) {
            WorkloadTraits cand = setter.set(cur, v);
            Function<Workload, WorkloadTraits> lookup = override(traits, w, cand);
            double s = score(rows, mech, lookup, Target.TD) + score(rows, mech, lookup, Target.TT);
            if (s < bs) {
                bs = s;
                bt = cand;
            }
        }
        return bt;
    }

    static List<MigrationRecord> rows(List<MigrationRecord> all, Algorithm a, Workload w) {
        List<MigrationRecord> out = new ArrayList<>();
        for (MigrationRecord r : all) {
            if (r.algorithm() == a && (w == null || r.workload() == w)) {
                out.add(r);
            }
        }
        return out;
    }

    /** ln gMRE of one target over the rows: the what-if measure itself. */
    static double score(
            List<MigrationRecord> rows, Mechanics mech, Function<Workload, WorkloadTraits> traits, Target target) {
        MigrationSimulator sim = new MigrationSimulator(mech);
        MigrationOutcome out = new MigrationOutcome();
        double sumLog = 0;
        int n = 0;
        for (MigrationRecord r : rows) {
            double actual = r.target(target);
            if (!(actual > 0)) {
                continue;
            }
            WhatIf.simulate(sim, r, traits, out);
            double re = Math.abs(1.0 - out.target(target) / actual);
            if (re > 0) {
                sumLog += Math.log(re);
                n++;
            }
        }
        return n == 0 ? 0 : sumLog / n;
    }

    private static Function<Workload, WorkloadTraits> map(Map<Workload, WorkloadTraits> traits) {
        Map<Workload, WorkloadTraits> copy = new EnumMap<>(traits);
        return copy::get;
    }

    private static Function<Workload, WorkloadTraits> override(
            Map<Workload, WorkloadTraits> traits, Workload w, WorkloadTraits t) {
        return x -> x == w ? t : traits.get(x);
    }
}
