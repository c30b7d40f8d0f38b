package io.lmadvisor.model.features;

import io.lmadvisor.model.analytic.GeometricPrecopy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The ordered inputs of a model and the parameters their formulas need. A model records its schema,
 * so streaming and the agent compute exactly what training saw. Immutable and thread-safe.
 */
public final class FeatureSchema {
    /** 1 GbE, the CSAP testbed's migration link. */
    public static final double DEFAULT_LINK_SPEED_MBPS = 125.0;
    /** vCPUs per VM assumed by THR.BF when the raw vector's {@link RawFeature#VCPUS} is absent. */
    public static final double DEFAULT_VM_VCPUS = 2.0;

    private final List<Feature> features;
    private final Feature[] order;
    private final double linkSpeedMBps;
    private final double vmVcpus;
    private final boolean needsAnalytic;
    /** The analytic features cap the dirty set by WSS only where the schema reads WSS at all. */
    private final boolean analyticCapsByWss;

    public FeatureSchema(List<Feature> features, double linkSpeedMBps, double vmVcpus) {
        if (features.isEmpty()) {
            throw new IllegalArgumentException("a feature schema needs at least one feature");
        }
        if (!(linkSpeedMBps > 0) || !(vmVcpus > 0)) {
            throw new IllegalArgumentException("linkSpeedMBps and vmVcpus must be positive");
        }
        this.features = List.copyOf(features);
        this.order = this.features.toArray(new Feature[0]);
        this.linkSpeedMBps = linkSpeedMBps;
        this.vmVcpus = vmVcpus;
        this.needsAnalytic = features.contains(Feature.ANALYTIC_TT_MS)
                || features.contains(Feature.ANALYTIC_TD_MB)
                || features.contains(Feature.ANALYTIC_DT_MS);
        this.analyticCapsByWss = features.contains(Feature.WSS);
    }

    /** Every CSAP feature plus the composed ones: for the full dataset and simulator data. */
    public static FeatureSchema full() {
        List<Feature> all = new ArrayList<>(List.of(Feature.values()));
        return new FeatureSchema(all, DEFAULT_LINK_SPEED_MBPS, DEFAULT_VM_VCPUS);
    }

    /** What the public csap-subset has: size, PDR, PTR, and what can be composed from them. */
    public static FeatureSchema subset() {
        return new FeatureSchema(
                List.of(
                        Feature.VM_SIZE,
                        Feature.PDR,
                        Feature.PTR,
                        Feature.DIRTY_RATIO,
                        Feature.ANALYTIC_TT_MS,
                        Feature.ANALYTIC_TD_MB,
                        Feature.ANALYTIC_DT_MS),
                DEFAULT_LINK_SPEED_MBPS,
                DEFAULT_VM_VCPUS);
    }

    public static FeatureSchema ofNames(List<String> names, double linkSpeedMBps, double vmVcpus) {
        List<Feature> fs = new ArrayList<>(names.size());
        for (String n : names) {
            fs.add(Feature.byDisplayName(n));
        }
        return new FeatureSchema(fs, linkSpeedMBps, vmVcpus);
    }

    public List<Feature> features() {
        return features;
    }

    public int size() {
        return order.length;
    }

    public List<String> names() {
        List<String> names = new ArrayList<>(order.length);
        for (Feature f : order) {
            names.add(f.displayName());
        }
        return Collections.unmodifiableList(names);
    }

    public double linkSpeedMBps() {
        return linkSpeedMBps;
    }

    public double vmVcpus() {
        return vmVcpus;
    }

    /** Raw features this schema reads, directly or through a formula. */
    public Set<RawFeature> requiredRaw() {
        Set<RawFeature> out = EnumSet.noneOf(RawFeature.class);
        for (Feature f : order) {
            switch (f) {
                case R_PTR:
                    out.addAll(List.of(RawFeature.WSS, RawFeature.PDR, RawFeature.PTR));
                    break;
                case NWSS:
                    out.addAll(List.of(RawFeature.VM_SIZE, RawFeature.WSS));
                    break;
                case E_WSS:
                    out.addAll(List.of(RawFeature.WSS, RawFeature.WSE));
                    break;
                case E_NWSS:
                    out.addAll(List.of(RawFeature.VM_SIZE, RawFeature.WSS, RawFeature.NWSE));
                    break;
                case THR_BF:
                    out.addAll(List.of(RawFeature.PDR, RawFeature.CPU_UTIL));
                    break;
                case DLTC_BF:
                    out.addAll(List.of(RawFeature.WSS, RawFeature.MWPP));
                    break;
                case DIRTY_RATIO:
                    out.addAll(List.of(RawFeature.PDR, RawFeature.PTR));
                    break;
                case ANALYTIC_TT_MS:
                case ANALYTIC_TD_MB:
                case ANALYTIC_DT_MS:
                    out.addAll(List.of(RawFeature.VM_SIZE, RawFeature.PDR, RawFeature.PTR));
                    break;
                default:
                    out.add(f.raw());
            }
        }
        return out;
    }

    /** Allocates the reusable scratch a caller passes to {@link #extract}. */
    public Scratch newScratch() {
        return new Scratch();
    }

    /** Per-thread scratch so that extraction does not allocate. */
    public static final class Scratch {
        final GeometricPrecopy.Estimate analytic = new GeometricPrecopy.Estimate();
    }

    /**
     * Fills {@code out[0..size)} from a raw vector indexed by {@link RawFeature#ordinal()}.
     * PTR is capped at the link speed first, so every formula sees the usable rate.
     */
    public void extract(double[] raw, double[] out, Scratch scratch) {
        double size = raw[RawFeature.VM_SIZE.ordinal()];
        double pdr = raw[RawFeature.PDR.ordinal()];
        double wss = raw[RawFeature.WSS.ordinal()];
        double ptr = ComposedFeatures.cappedTransferRate(raw[RawFeature.PTR.ordinal()], linkSpeedMBps);
        GeometricPrecopy.Estimate analytic = null;
        if (needsAnalytic) {
            analytic = (ptr > 0 && size >= 0 && pdr >= 0)
                    ? GeometricPrecopy.estimate(
                            size,
                            pdr,
                            ptr,
                            analyticCapsByWss ? wss : Double.NaN,
                            GeometricPrecopy.DEFAULT_DOWNTIME_LIMIT_MS,
                            GeometricPrecopy.DEFAULT_MAX_ROUNDS,
                            scratch.analytic)
                    : null;
        }
        for (int i = 0; i < order.length; i++) {
            out[i] = value(order[i], raw, size, pdr, wss, ptr, analytic);
        }
    }

    public double[] extract(double[] raw) {
        double[] out = new double[order.length];
        extract(raw, out, newScratch());
        return out;
    }

    private double value(
            Feature f,
            double[] raw,
            double size,
            double pdr,
            double wss,
            double ptr,
            GeometricPrecopy.Estimate analytic) {
        switch (f) {
            case PTR:
                return ptr;
            case R_PTR:
                return ComposedFeatures.weightedRelativePageTransferRate(wss, pdr, ptr);
            case NWSS:
                return ComposedFeatures.nonWorkingSetSize(size, wss);
            case E_WSS:
                return ComposedFeatures.entropyWeightedSize(wss, raw[RawFeature.WSE.ordinal()]);
            case E_NWSS:
                return ComposedFeatures.entropyWeightedSize(
                        ComposedFeatures.nonWorkingSetSize(size, wss), raw[RawFeature.NWSE.ordinal()]);
            case THR_BF:
                return ComposedFeatures.throttlingBenefit(pdr, raw[RawFeature.CPU_UTIL.ordinal()], vcpus(raw));
            case DLTC_BF:
                return ComposedFeatures.deltaCompressionBenefit(wss, raw[RawFeature.MWPP.ordinal()]);
            case DIRTY_RATIO:
                return pdr / ptr;
            case ANALYTIC_TT_MS:
                return analytic == null ? Double.NaN : analytic.totalTimeMs;
            case ANALYTIC_TD_MB:
                return analytic == null ? Double.NaN : analytic.transferredBytes / Pages.BYTES_PER_MB;
            case ANALYTIC_DT_MS:
                return analytic == null ? Double.NaN : analytic.downtimeMs;
            default:
                return raw[f.raw().ordinal()];
        }
    }

    /** The row's vCPUs when it knows them (a positive count), else the schema's default. */
    public double vcpus(double[] raw) {
        double v = raw[RawFeature.VCPUS.ordinal()];
        return v >= 1 ? v : vmVcpus;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FeatureSchema)) {
            return false;
        }
        FeatureSchema other = (FeatureSchema) o;
        return features.equals(other.features) && linkSpeedMBps == other.linkSpeedMBps && vmVcpus == other.vmVcpus;
    }

    @Override
    public int hashCode() {
        return Objects.hash(features, linkSpeedMBps, vmVcpus);
    }

    @Override
    public String toString() {
        return "FeatureSchema" + names() + " (link " + linkSpeedMBps + " MB/s, " + vmVcpus + " vCPUs)";
    }
}
