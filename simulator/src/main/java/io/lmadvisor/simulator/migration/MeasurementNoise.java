package io.lmadvisor.simulator.migration;

import java.util.SplittableRandom;

/**
 * Multiplicative log-normal measurement noise per target, like the run-to-run spread of real
 * migrations (timer granularity, background traffic). {@link #NONE} leaves outcomes unchanged.
 */
public record MeasurementNoise(
        double ttSigma, double dtSigma, double tdSigma, double perfSigma, double cpuSigma, double memSigma) {
    public static final MeasurementNoise NONE = new MeasurementNoise(0, 0, 0, 0, 0, 0);

    /** Roughly the spread of CSAP repeats with identical inputs. */
    public static MeasurementNoise csap() {
        return new MeasurementNoise(0.03, 0.15, 0.01, 0.10, 0.08, 0.03);
    }

    public void apply(MigrationOutcome out, SplittableRandom rng) {
        out.totalTimeMs *= factor(ttSigma, rng);
        out.downtimeMs *= factor(dtSigma, rng);
        out.transferredBytes *= factor(tdSigma, rng);
        out.perfDegradation = Math.min(1.0, out.perfDegradation * factor(perfSigma, rng));
        out.srcCpuPct *= factor(cpuSigma, rng);
        out.srcMemMb *= factor(memSigma, rng);
        // Downtime is part of the total time.
        out.totalTimeMs = Math.max(out.totalTimeMs, out.downtimeMs);
    }

    private static double factor(double sigma, SplittableRandom rng) {
        return sigma == 0 ? 1.0 : Math.exp(sigma * rng.nextGaussian());
    }
}
