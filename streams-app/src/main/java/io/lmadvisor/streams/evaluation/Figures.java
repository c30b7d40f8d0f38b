package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.model.Target;

/** The six migration figures of predictions and outcomes, by {@link Target}, in CSAP units; NaN = absent. */
public final class Figures {
    private Figures() {}

    public static double[] predicted(AlgorithmPrediction p) {
        double[] f = new double[Target.values().length];
        f[Target.TT.ordinal()] = p.getTotalTimeMs();
        f[Target.DT.ordinal()] = p.getDowntimeMs();
        f[Target.TD.ordinal()] = p.getTransferredBytes();
        f[Target.PERF.ordinal()] = p.getPerformanceDegradation();
        f[Target.CPU.ordinal()] = p.getSourceCpuExtraPercent();
        f[Target.MEM.ordinal()] = p.getSourceMemExtraMb();
        return f;
    }

    static double[] measured(MigrationOutcome o) {
        double[] f = new double[Target.values().length];
        f[Target.TT.ordinal()] = orNaN(o.getTotalTimeMs());
        f[Target.DT.ordinal()] = orNaN(o.getDowntimeMs());
        f[Target.TD.ordinal()] = orNaN(o.getTransferredBytes());
        f[Target.PERF.ordinal()] = orNaN(o.getPerformanceDegradation());
        f[Target.CPU.ordinal()] = orNaN(o.getSourceCpuExtraPercent());
        f[Target.MEM.ordinal()] = orNaN(o.getSourceMemExtraMb());
        return f;
    }

    private static double orNaN(Number n) {
        return n == null ? Double.NaN : n.doubleValue();
    }
}
