package io.lmadvisor.streams.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecimalTextTest {
    private static void same(double v) {
        for (int decimals = 0; decimals <= 3; decimals++) {
            assertEquals(
                    String.format(Locale.ROOT, "%." + decimals + "f", v),
                    DecimalText.fixed(v, decimals),
                    "value " + v + ", " + decimals + " decimals");
        }
    }

    @Test
    void writesWhatTheFormatterWrites() {
        double[] edges = {
            0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -0.5,
            -2.5,
            0.05,
            0.15,
            0.25,
            0.35,
            0.45,
            1.005,
            2.675,
            0.049999999999999996,
            0.001,
            -0.001,
            9.95,
            99.95,
            999.5,
            1e-7,
            123456789.5,
            1e7,
            1.5e15,
            1e16,
            1e22,
            1e23,
            2e23,
            1e300,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            -Double.MAX_VALUE,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY
        };
        for (double v : edges) {
            same(v);
        }
        SplittableRandom rnd = new SplittableRandom(17);
        for (int i = 0; i < 40_000; i++) {
            // Decision figures: ms, MB/s, MB, s; plus halves at the rounding boundary and raw bit patterns.
            double v = switch (i % 4) {
                case 0 -> rnd.nextDouble() * Math.pow(10, rnd.nextInt(-3, 12));
                case 1 -> (rnd.nextInt(-100_000, 100_000) + 0.5) / Math.pow(10, rnd.nextInt(0, 4));
                case 2 -> rnd.nextInt(0, 1_000_000) / 1000.0;
                default -> Double.longBitsToDouble(rnd.nextLong());
            };
            same(v);
        }
    }
}
