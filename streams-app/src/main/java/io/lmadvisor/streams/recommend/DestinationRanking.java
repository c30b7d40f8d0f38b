package io.lmadvisor.streams.recommend;

import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.ProfileView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which hosts may take a VM, best first: those with the memory and CPU it uses, ranked by spare capacity (the
 * scarcer of the two), the top K kept; and the source's link, which bounds every migration's bandwidth.
 *
 * @param candidates     at most K destinations, best first; empty when no host has room
 * @param sourceLinkMBps the source's available migration link, 1 GbE when the source has not reported
 */
record DestinationRanking(List<HostState> candidates, double sourceLinkMBps) {

    static DestinationRanking rank(ProfileView vm, String sourceHostId, List<HostState> hosts, int topK) {
        HostState source = null;
        List<HostState> candidates = new ArrayList<>();
        for (HostState h : hosts) {
            if (h.hostId().equals(sourceHostId)) {
                source = h;
            } else if (h.fits(vm.vmSizeMib(), vm.cpuUtilPercent())) {
                candidates.add(h);
            }
        }
        candidates.sort(
                Comparator.comparingDouble((HostState h) -> h.spareCapacityFor(vm.vmSizeMib(), vm.cpuUtilPercent()))
                        .reversed()
                        .thenComparing(HostState::hostId));
        if (candidates.size() > topK) {
            candidates = new ArrayList<>(candidates.subList(0, topK));
        }
        return new DestinationRanking(
                List.copyOf(candidates),
                source == null ? FeatureSchema.DEFAULT_LINK_SPEED_MBPS : source.migrationLinkAvailMBps());
    }

    boolean noRoom() {
        return candidates.isEmpty();
    }

    /** The migration bandwidth available to {@code destination}: the scarcer of the two links. */
    double linkTo(HostState destination) {
        return Math.min(sourceLinkMBps, destination.migrationLinkAvailMBps());
    }
}
