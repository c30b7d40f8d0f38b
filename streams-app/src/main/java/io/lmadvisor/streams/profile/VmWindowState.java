package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.state.OpenWindow;
import io.lmadvisor.avro.state.OptionalMean;
import io.lmadvisor.streams.state.StateSerde;
import org.apache.kafka.common.serialization.Serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One VM's open windows (by start, usually one or two within grace), the end of the last window
 * already emitted (anything older is late), late samples since the last profile, and when the last
 * sample arrived by the wall clock (a VM quiet for longer than grace gets its windows closed).
 */
public final class VmWindowState {
    final TreeMap<Long, ProfileAccumulator> open = new TreeMap<>();
    long closedUpToMs = Long.MIN_VALUE;
    int lateSinceLastProfile;
    long lastSampleWallMs;

    /** The store's format: Avro {@code io.lmadvisor.avro.state.VmWindowState}. */
    static Serde<VmWindowState> serde() {
        return StateSerde.of(io.lmadvisor.avro.state.VmWindowState.getClassSchema(), VmWindowState::toAvro,
                VmWindowState::fromAvro);
    }

    private static io.lmadvisor.avro.state.VmWindowState toAvro(VmWindowState s) {
        List<OpenWindow> open = new ArrayList<>(s.open.size());
        for (Map.Entry<Long, ProfileAccumulator> e : s.open.entrySet()) {
            ProfileAccumulator a = e.getValue();
            open.add(OpenWindow.newBuilder().setStartMs(e.getKey()).setHostId(a.hostId).setSampleCount(a.sampleCount)
                    .setLastTimestampMs(a.lastTimestampMs).setLastVmSizeMb(a.lastVmSizeMb)
                    .setLastDirtyRateMethod(a.lastDirtyRateMethod == null ? null : a.lastDirtyRateMethod.name())
                    .setSumDirtyPagesPerSec(a.sumDirtyPagesPerSec).setMaxWorkingSetPages(a.maxWorkingSetPages)
                    .setSumCpuUtilPercent(a.sumCpuUtilPercent)
                    .setChangedPageEntropy(toAvro(a.changedPageEntropy))
                    .setUnchangedPageEntropy(toAvro(a.unchangedPageEntropy))
                    .setModifiedBytesPerPage(toAvro(a.modifiedBytesPerPage))
                    .setInstructionsPerSec(toAvro(a.instructionsPerSec))
                    .setNetUtilMBps(toAvro(a.netUtilMBps))
                    .build());
        }
        return io.lmadvisor.avro.state.VmWindowState.newBuilder().setClosedUpToMs(s.closedUpToMs)
                .setLateSinceLastProfile(s.lateSinceLastProfile).setLastSampleWallMs(s.lastSampleWallMs).setOpen(open)
                .build();
    }

    private static VmWindowState fromAvro(io.lmadvisor.avro.state.VmWindowState r) {
        VmWindowState s = new VmWindowState();
        s.closedUpToMs = r.getClosedUpToMs();
        s.lateSinceLastProfile = r.getLateSinceLastProfile();
        s.lastSampleWallMs = r.getLastSampleWallMs();
        for (OpenWindow w : r.getOpen()) {
            ProfileAccumulator a = new ProfileAccumulator();
            a.hostId = w.getHostId().toString();
            a.sampleCount = w.getSampleCount();
            a.lastTimestampMs = w.getLastTimestampMs();
            a.lastVmSizeMb = w.getLastVmSizeMb();
            a.lastDirtyRateMethod = w.getLastDirtyRateMethod() == null ? null
                    : DirtyRateMethod.valueOf(w.getLastDirtyRateMethod().toString());
            a.sumDirtyPagesPerSec = w.getSumDirtyPagesPerSec();
            a.maxWorkingSetPages = w.getMaxWorkingSetPages();
            a.sumCpuUtilPercent = w.getSumCpuUtilPercent();
            fromAvro(w.getChangedPageEntropy(), a.changedPageEntropy);
            fromAvro(w.getUnchangedPageEntropy(), a.unchangedPageEntropy);
            fromAvro(w.getModifiedBytesPerPage(), a.modifiedBytesPerPage);
            fromAvro(w.getInstructionsPerSec(), a.instructionsPerSec);
            fromAvro(w.getNetUtilMBps(), a.netUtilMBps);
            s.open.put(w.getStartMs(), a);
        }
        return s;
    }

    private static OptionalMean toAvro(ProfileAccumulator.OptionalMean m) {
        return new OptionalMean(m.sum, m.count);
    }

    private static void fromAvro(OptionalMean r, ProfileAccumulator.OptionalMean m) {
        m.sum = r.getSum();
        m.count = r.getCount();
    }
}
