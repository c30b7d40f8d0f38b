package io.lmadvisor.benchmarks;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.simulator.migration.MeasurementNoise;
import io.lmadvisor.simulator.migration.MigrationOutcome;
import io.lmadvisor.simulator.migration.MigrationSettings;
import io.lmadvisor.simulator.migration.MigrationSimulator;
import io.lmadvisor.simulator.workload.FleetConfig;
import io.lmadvisor.simulator.workload.GeneratedVm;
import io.lmadvisor.simulator.workload.WorkloadGenerator;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Single-thread throughput of the simulator (a main, not a test: timing on shared CI is noise).
 * Pre-draws the VMs so the figure is the simulator's alone; prints migrations/s per algorithm.
 * Usage: {@code SimulatorBenchmark [vms] [seconds]}.
 */
public final class SimulatorBenchmark {
    private SimulatorBenchmark() {}

    public static void main(String[] args) {
        int vms = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
        FleetConfig fleet = FleetConfig.csap();
        WorkloadGenerator gen = new WorkloadGenerator(fleet);
        SplittableRandom rng = new SplittableRandom(42);
        GeneratedVm[] drawn = new GeneratedVm[vms];
        MigrationSettings[] settings = new MigrationSettings[vms];
        for (int i = 0; i < vms; i++) {
            drawn[i] = gen.next(rng);
            settings[i] = fleet.settings().withBandwidth(drawn[i].bandwidthMBps());
        }
        MigrationSimulator sim = new MigrationSimulator();
        MigrationOutcome out = new MigrationOutcome();
        MeasurementNoise noise = MeasurementNoise.csap();
        double sink = 0;
        // Warm-up so the JIT has compiled the round loop.
        for (int i = 0; i < vms; i++) {
            sim.simulate(Algorithm.values()[i % 5], drawn[i].vm(), drawn[i].host(), settings[i], out);
            sink += out.totalTimeMs;
        }
        long total = 0;
        long totalNs = 0;
        for (Algorithm a : Algorithm.values()) {
            long n = 0;
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 1000; i++) {
                    int k = (int) (n++ % vms);
                    sim.simulate(a, drawn[k].vm(), drawn[k].host(), settings[k], out);
                    noise.apply(out, rng);
                    sink += out.transferredBytes;
                }
            }
            long ns = System.nanoTime() - start;
            total += n;
            totalNs += ns;
            System.out.printf(Locale.ROOT, "%-5s %,12.0f migrations/s%n", a.shortName(), n / (ns / 1e9));
        }
        System.out.printf(
                Locale.ROOT,
                "all   %,12.0f migrations/s (one thread, noise included)  [%s]%n",
                total / (totalNs / 1e9),
                sink > 0 ? "ok" : "?");
    }
}
