package io.lmadvisor.model.learn;

import io.lmadvisor.model.analytic.GeometricPrecopy;
import io.lmadvisor.model.features.Feature;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Total time of multifd with zstd (what COMPRESS means on QEMU ≥ 9.1), from the profile: pre-copy rounds (the
 * geometric series) at the guest-memory rate the link and zstd allow. The link carries compressed bytes at
 * {@code wire = scale·PTR^exponent} MB/s; guest memory compresses to about its entropy-weighted size
 * ({@code E.WSS + E.NWSS}), so the link moves {@code wire / compressibility} MB/s of guest memory, up to zstd's own
 * rate {@code zstdMBps}. On the lab (TCG, 2 host cores) random memory is link-bound (≈ 52 MB/s wire at 34 MB/s
 * PTR, ≈ 150 at 125) and low-entropy memory zstd-bound (≈ 400–700 MB/s of guest memory). The three parameters are
 * fitted to a fleet's rows ({@link #fit}); the prior's figure, learned from zlib {@code compress}, is not used.
 */
public record MultifdZstd(double scale, double exponent, double zstdMBps) implements CellFormula {
    public static final String KIND = "multifd-zstd";

    /** Compressibility floor: even a zero-filled page costs a header on the wire. */
    static final double MIN_COMPRESSIBILITY = 0.02;

    private static final double[] EXPONENTS = {0.5, 0.6, 0.7, 0.8, 0.9, 1.0};

    @Override
    public double predict(FeatureSchema schema, double[] x) {
        return totalTimeMs(schema, x);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Double> parameters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("scale", scale);
        m.put("exponent", exponent);
        m.put("zstdMBps", zstdMBps);
        return m;
    }

    @Override
    public String describe() {
        return String.format(
                Locale.ROOT,
                "multifd+zstd pre-copy: wire %.3f·PTR^%.2f MB/s of compressed data, zstd %.0f MB/s of guest memory",
                scale,
                exponent,
                zstdMBps);
    }

    /** The model's total time in ms, NaN when the schema lacks an input or the profile does not say. */
    public double totalTimeMs(FeatureSchema schema, double[] x) {
        Inputs in = Inputs.of(schema, x);
        return in == null ? Double.NaN : totalTimeMs(in);
    }

    double totalTimeMs(Inputs in) {
        return totalTimeMs(in, new GeometricPrecopy.Estimate());
    }

    private double totalTimeMs(Inputs in, GeometricPrecopy.Estimate scratch) {
        double wire = scale * Math.pow(in.ptr, exponent);
        double rate = Math.min(wire / in.compressibility, zstdMBps);
        return GeometricPrecopy.estimate(
                        in.size,
                        in.pdr,
                        rate,
                        in.wss,
                        GeometricPrecopy.DEFAULT_DOWNTIME_LIMIT_MS,
                        GeometricPrecopy.DEFAULT_MAX_ROUNDS,
                        scratch)
                .totalTimeMs;
    }

    /**
     * The parameters with the least mean |log error| on the rows, or null when fewer than 3 rows have the inputs:
     * a coarse grid (exponent, zstd rate, scale), then a pattern search around its best with halving steps.
     *
     * @param logTt the rows' log total time
     */
    public static MultifdZstd fit(FeatureSchema schema, double[][] x, double[] logTt) {
        Inputs[] in = new Inputs[x.length];
        int usable = 0;
        for (int i = 0; i < x.length; i++) {
            in[i] = Inputs.of(schema, x[i]);
            usable += in[i] == null ? 0 : 1;
        }
        if (usable < 3) {
            return null;
        }
        GeometricPrecopy.Estimate scratch = new GeometricPrecopy.Estimate();
        double[] best = null;
        double bestErr = Double.POSITIVE_INFINITY;
        for (double e : EXPONENTS) {
            for (double z = 100; z <= 3200; z *= 1.5) {
                for (double s = 0.25; s <= 16; s *= 1.25) {
                    double err = new MultifdZstd(s, e, z).meanAbsLogError(in, logTt, scratch);
                    if (err < bestErr) {
                        bestErr = err;
                        best = new double[] {s, e, z};
                    }
                }
            }
        }
        // In log scale and zstd rate, linear in the exponent (kept within [0.3, 1.2]).
        double ds = Math.log(1.25) / 2;
        double de = 0.05;
        double dz = Math.log(1.5) / 2;
        for (int round = 0; round < 6; round++) {
            boolean moved = true;
            while (moved) {
                moved = false;
                for (int i = -1; i <= 1; i++) {
                    for (int j = -1; j <= 1; j++) {
                        for (int k = -1; k <= 1; k++) {
                            double e = best[1] + j * de;
                            if ((i | j | k) == 0 || e < 0.3 || e > 1.2) {
                                continue;
                            }
                            double[] c = {best[0] * Math.exp(i * ds), e, best[2] * Math.exp(k * dz)};
                            double err = new MultifdZstd(c[0], c[1], c[2]).meanAbsLogError(in, logTt, scratch);
                            if (err < bestErr - 1e-12) {
                                bestErr = err;
                                best = c;
                                moved = true;
                            }
                        }
                    }
                }
            }
            ds /= 2;
            de /= 2;
            dz /= 2;
        }
        return new MultifdZstd(best[0], best[1], best[2]);
    }

    private double meanAbsLogError(Inputs[] in, double[] logTt, GeometricPrecopy.Estimate scratch) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] != null) {
                sum += Math.abs(logTt[i] - Math.log(Math.max(totalTimeMs(in[i], scratch), TargetSpace.LOG_FLOOR)));
                n++;
            }
        }
        return sum / n;
    }

    /** The profile figures the model reads; null when one is absent. */
    record Inputs(double size, double pdr, double wss, double ptr, double compressibility) {
        static Inputs of(FeatureSchema schema, double[] x) {
            List<Feature> f = schema.features();
            int iSize = f.indexOf(Feature.VM_SIZE);
            int iPdr = f.indexOf(Feature.PDR);
            int iWss = f.indexOf(Feature.WSS);
            int iPtr = f.indexOf(Feature.PTR);
            int iEw = f.indexOf(Feature.E_WSS);
            int iEn = f.indexOf(Feature.E_NWSS);
            if (iSize < 0 || iPdr < 0 || iWss < 0 || iPtr < 0 || iEw < 0 || iEn < 0) {
                return null;
            }
            double size = x[iSize];
            double ptr = x[iPtr];
            double ew = x[iEw];
            double en = x[iEn];
            if (!(size > 0) || !(ptr > 0) || (Double.isNaN(ew) && Double.isNaN(en))) {
                return null;
            }
            // An idle guest has no working set and so no entropy for it: its part is then the rest's.
            double compressed = (Double.isNaN(ew) ? 0 : ew) + (Double.isNaN(en) ? 0 : en);
            double c = Math.min(1.0, Math.max(MIN_COMPRESSIBILITY, compressed / size));
            double pdr = Double.isNaN(x[iPdr]) ? 0 : x[iPdr];
            return new Inputs(size, pdr, x[iWss], ptr, c);
        }
    }
}
