package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;

/**
 * Names of evaluation cells, {@code ALG.METRIC} as in a model file's validation keys ({@code PRE.TT}),
 * plus the pre-copy risk cell {@code PRE.PRECOPY_NON_CONVERGENT}.
 */
public final class Cells {
    /** The metric name of the risk-quality cell. */
    public static final String PRECOPY_RISK = SlaRiskType.PRECOPY_NON_CONVERGENT.name();

    public static final String PRECOPY_RISK_CELL = key(Algorithm.PRECOPY, PRECOPY_RISK);

    private Cells() {}

    public static String key(Algorithm algorithm, Target target) {
        return key(algorithm, target.name());
    }

    public static String key(Algorithm algorithm, String metric) {
        return algorithm.shortName() + "." + metric;
    }

    public static Algorithm algorithm(String cell) {
        return Algorithm.parse(cell.substring(0, cell.indexOf('.')));
    }

    public static String metric(String cell) {
        return cell.substring(cell.indexOf('.') + 1);
    }

    public static boolean isRisk(String cell) {
        return cell.equals(PRECOPY_RISK_CELL);
    }
}
