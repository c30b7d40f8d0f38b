package io.lmadvisor.profile;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.features.ProfileView;

/**
 * The one place a {@link VmProfile}'s measures are read into the model's units: the advisor's scoring,
 * risk rules and training rows and the executor's simulation all see a profile the same way. The Avro
 * field {@code pdrPagesPerSec} is the agents' distinct dirty rate, {@code dirtyRateMiBps} in the view.
 */
public final class ProfileViews {
    private ProfileViews() {}

    public static ProfileView of(VmProfile p) {
        return ProfileView.fromAgent(
                p.getVmSizeMb(),
                p.getPdrPagesPerSec(),
                p.getWssPages(),
                p.getWse(),
                p.getNwse(),
                p.getMwppBytes(),
                p.getIpsPerSec(),
                p.getCpuUtilPercent(),
                p.getNetUtilMBps(),
                p.getSrcCpuAvailPercent(),
                p.getSrcMemAvailMb(),
                p.getVcpus());
    }
}
