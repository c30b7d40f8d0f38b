package io.lmadvisor.model.learn;

import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.Feature;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Downtime as a power law of the profile: {@code log1p(DT) = a + b·ln PTR + c·ln(1 + PDR·WSE)}. QEMU stops the
 * guest once what is left fits in bandwidth × downtime limit, so more bandwidth leaves more to send at the stop
 * (on the lab, DT grows about as PTR^0.8); incompressible dirtying ({@code PDR·WSE}) adds to it under multifd+zstd.
 * A ridge fit (λ = 1 on the slopes) keeps it tame on a few dozen rows.
 */
public record DowntimeLogLinear(double intercept, double ptrSlope, double dirtySlope) implements CellFormula {
    public static final String KIND = "downtime-log-linear";
    static final double RIDGE = 1.0;

    @Override
    public double predict(FeatureSchema schema, double[] x) {
        double[] z = inputs(schema, x);
        return z == null
                ? Double.NaN
                : TargetSpace.fromModel(Target.DT, intercept + ptrSlope * z[0] + dirtySlope * z[1]);
    }

    /** ln PTR and ln(1 + PDR·WSE) (an absent WSE counts as 0: nothing dirtied to compress), or null. */
    static double[] inputs(FeatureSchema schema, double[] x) {
        List<Feature> f = schema.features();
        int iPtr = f.indexOf(Feature.PTR);
        int iPdr = f.indexOf(Feature.PDR);
        int iWse = f.indexOf(Feature.WSE);
        if (iPtr < 0 || iPdr < 0 || iWse < 0 || !(x[iPtr] > 0)) {
            return null;
        }
        double pdr = Double.isNaN(x[iPdr]) ? 0 : Math.max(0, x[iPdr]);
        double wse = Double.isNaN(x[iWse]) ? 0 : Math.max(0, x[iWse]);
        return new double[] {Math.log(x[iPtr]), Math.log1p(pdr * wse)};
    }

    /** The ridge fit to rows' model-space downtime ({@code log1p}); null when fewer than 3 rows have the inputs. */
    public static DowntimeLogLinear fit(FeatureSchema schema, double[][] x, double[] yModel) {
        // Normal equations of [1, u, v] with the ridge on u and v only.
        double n = 0, su = 0, sv = 0, suu = 0, svv = 0, suv = 0, sy = 0, suy = 0, svy = 0;
        for (int i = 0; i < x.length; i++) {
            double[] z = inputs(schema, x[i]);
            if (z == null || Double.isNaN(yModel[i])) {
                continue;
            }
            n++;
            su += z[0];
            sv += z[1];
            suu += z[0] * z[0];
            svv += z[1] * z[1];
            suv += z[0] * z[1];
            sy += yModel[i];
            suy += z[0] * yModel[i];
            svy += z[1] * yModel[i];
        }
        if (n < 3) {
            return null;
        }
        double[][] a = {{n, su, sv}, {su, suu + RIDGE, suv}, {sv, suv, svv + RIDGE}};
        double[] b = {sy, suy, svy};
        double[] s = solve3(a, b);
        return s == null ? null : new DowntimeLogLinear(s[0], s[1], s[2]);
    }

    private static double[] solve3(double[][] a, double[] b) {
        double det = det3(a);
        if (Math.abs(det) < 1e-12) {
            return null;
        }
        double[] out = new double[3];
        for (int c = 0; c < 3; c++) {
            double[][] m = {a[0].clone(), a[1].clone(), a[2].clone()};
            for (int r = 0; r < 3; r++) {
                m[r][c] = b[r];
            }
            out[c] = det3(m) / det;
        }
        return out;
    }

    private static double det3(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Double> parameters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("intercept", intercept);
        m.put("ptrSlope", ptrSlope);
        m.put("dirtySlope", dirtySlope);
        return m;
    }

    @Override
    public String describe() {
        return String.format(
                Locale.ROOT, "log1p(DT) = %.3f + %.3f·ln PTR + %.3f·ln(1 + PDR·WSE)", intercept, ptrSlope, dirtySlope);
    }
}
