package io.lmadvisor.simulator.workload;

import io.lmadvisor.model.Workload;
import java.util.EnumMap;
import java.util.Map;

/**
 * Default workload definitions resembling the CSAP dataset. Size and dirty-rate distributions follow
 * the public subset's per-workload quantiles; the traits (WSS, entropies, MWPP, CPU) were fitted
 * by {@link io.lmadvisor.simulator.calibration.Calibrator} on its 70% train side, network and PMU
 * figures are plausible values for each benchmark (the subset does not record them).
 */
public final class WorkloadCatalog {
    private WorkloadCatalog() {}

    public static Map<Workload, WorkloadConfig> csap() {
        Map<Workload, WorkloadConfig> m = new EnumMap<>(Workload.class);
        for (Workload w : Workload.values()) {
            m.put(w, config(w, traits(w)));
        }
        return m;
    }

    /** The calibrated unknown-feature defaults of one workload type. */
    public static WorkloadTraits traits(Workload w) {
        switch (w) {
            //                              wssFrac window  wse   nwse  mwpp  cpu% vcpu net   pmu
            case IDLE:
                return new WorkloadTraits(0.02, 1.0, 0.30, 0.20, 300, 5, 2, 0.01, 5e7);
            case SYNTHETIC:
                return new WorkloadTraits(0.70, 20., 1.00, 0.05, 300, 120, 2, 0.01, 2e9);
            case SPECWEB:
                return new WorkloadTraits(0.10, 2.0, 0.35, 0.30, 150, 2, 2, 20, 3e9);
            case OLTP:
                return new WorkloadTraits(0.10, 4.0, 0.80, 0.25, 1300, 180, 2, 5, 4e9);
            case MEMCACHED:
                return new WorkloadTraits(0.05, 2.0, 0.55, 0.25, 2, 200, 2, 40, 2e9);
            case DACAPO:
                return new WorkloadTraits(0.02, 1.5, 0.45, 0.65, 2, 200, 2, 0.1, 5e9);
            case PARSEC:
                return new WorkloadTraits(0.00, 2.0, 0.02, 0.35, 1000, 5, 2, 0.1, 6e9);
            case BZIP:
                return new WorkloadTraits(0.20, 6.0, 0.90, 0.35, 2, 200, 2, 0.1, 3e9);
            case MPLAYER:
                return new WorkloadTraits(0.00, 2.0, 0.80, 0.90, 3500, 200, 2, 0.5, 2e9);
            default:
                throw new AssertionError(w);
        }
    }

    static WorkloadConfig config(Workload w, WorkloadTraits t) {
        switch (w) {
            //                            size med sigma  max   pdr med sigma idle  spread ent  phase burst  x   idleP
            case IDLE:
                return new WorkloadConfig(w, t, 780, 0.35, 2048, 2, 0.8, 0.90, 0.25, 0.05, 60, 0.02, 3, 0.8);
            case SYNTHETIC:
                return new WorkloadConfig(w, t, 1090, 0.45, 4096, 30, 0.9, 0.20, 0.25, 0.08, 20, 0.10, 2, 0.1);
            case SPECWEB:
                return new WorkloadConfig(w, t, 1250, 0.40, 2048, 38, 0.25, 0.05, 0.25, 0.05, 10, 0.20, 1.8, 0.05);
            case OLTP:
                return new WorkloadConfig(w, t, 770, 0.55, 2048, 32, 0.6, 0.15, 0.25, 0.05, 15, 0.15, 1.8, 0.1);
            case MEMCACHED:
                return new WorkloadConfig(w, t, 383, 0.03, 512, 85, 0.25, 0.10, 0.25, 0.05, 10, 0.20, 1.4, 0.1);
            case DACAPO:
                return new WorkloadConfig(w, t, 480, 0.40, 2048, 40, 0.5, 0.15, 0.25, 0.05, 8, 0.20, 2, 0.1);
            case PARSEC:
                return new WorkloadConfig(w, t, 800, 0.70, 2048, 25, 1.0, 0.55, 0.25, 0.05, 30, 0.10, 2, 0.3);
            case BZIP:
                return new WorkloadConfig(w, t, 2000, 0.15, 2040, 20, 0.25, 0.12, 0.25, 0.05, 12, 0.10, 1.5, 0.05);
            case MPLAYER:
                return new WorkloadConfig(w, t, 1500, 0.45, 2048, 25, 0.7, 0.15, 0.25, 0.05, 5, 0.15, 2, 0.1);
            default:
                throw new AssertionError(w);
        }
    }
}
