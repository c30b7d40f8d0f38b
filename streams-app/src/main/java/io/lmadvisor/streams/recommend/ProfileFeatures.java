package io.lmadvisor.streams.recommend;

import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.model.features.RawFeature;

/** A VM profile ({@link io.lmadvisor.profile.ProfileViews}) and a destination as the model sees them. */
public final class ProfileFeatures {
    private ProfileFeatures() {}

    /** The model's raw feature vector of migrating {@code vm} to {@code destination} at {@code bandwidthMBps}. */
    public static double[] raw(ProfileView vm, HostState destination, double bandwidthMBps) {
        double[] raw = RawFeature.emptyVector();
        vm.fillVm(raw);
        fillDestination(destination, bandwidthMBps, raw);
        return raw;
    }

    /** Sets the destination and bandwidth part of {@code raw}. */
    public static void fillDestination(HostState destination, double bandwidthMBps, double[] raw) {
        raw[RawFeature.DST_CPU_AVAIL.ordinal()] = destination.cpuAvailPercent();
        raw[RawFeature.DST_MEM_AVAIL.ordinal()] = destination.memAvailMb();
        raw[RawFeature.PTR.ordinal()] = bandwidthMBps;
    }
}
