package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.state.OpenWindow;
import io.lmadvisor.avro.state.OptionalMean;
import io.lmadvisor.streams.state.StateSerde;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.kafka.common.serialization.Serde;

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
        return StateSerde.of(
                io.lmadvisor.avro.state.VmWindowState.getClassSchema(),
                VmWindowState::toAvro,
                VmWindowState::fromAvro,
                CODEC);
    }

    /** The schema's fields in order: a VM's state is written at every commit, the generic writer cost 3x more. */
    static final StateSerde.Codec<VmWindowState> CODEC = new StateSerde.Codec<>() {
        @Override
        public void write(VmWindowState s, Encoder out) throws IOException {
            out.writeLong(s.closedUpToMs);
            out.writeInt(s.lateSinceLastProfile);
            out.writeLong(s.lastSampleWallMs);
            out.writeArrayStart();
            out.setItemCount(s.open.size());
            for (Map.Entry<Long, ProfileAccumulator> e : s.open.entrySet()) {
                ProfileAccumulator a = e.getValue();
                out.startItem();
                out.writeLong(e.getKey());
                out.writeString(a.hostId);
                out.writeInt(a.sampleCount);
                out.writeLong(a.lastTimestampMs);
                out.writeDouble(a.lastVmSizeMb);
                if (a.lastDirtyRateMethod == null) {
                    out.writeIndex(0);
                    out.writeNull();
                } else {
                    out.writeIndex(1);
                    out.writeString(a.lastDirtyRateMethod.name());
                }
                out.writeDouble(a.sumDirtyPagesPerSec);
                out.writeDouble(a.maxWorkingSetPages);
                out.writeDouble(a.sumCpuUtilPercent);
                write(a.changedPageEntropy, out);
                write(a.unchangedPageEntropy, out);
                write(a.modifiedBytesPerPage, out);
                write(a.instructionsPerSec, out);
                write(a.netUtilMBps, out);
                if (a.lastVcpus == null) {
                    out.writeIndex(0);
                    out.writeNull();
                } else {
                    out.writeIndex(1);
                    out.writeInt(a.lastVcpus);
                }
            }
            out.writeArrayEnd();
        }

        private void write(ProfileAccumulator.OptionalMean m, Encoder out) throws IOException {
            out.writeDouble(m.sum);
            out.writeInt(m.count);
        }

        @Override
        public VmWindowState read(Decoder in) throws IOException {
            VmWindowState s = new VmWindowState();
            s.closedUpToMs = in.readLong();
            s.lateSinceLastProfile = in.readInt();
            s.lastSampleWallMs = in.readLong();
            for (long n = in.readArrayStart(); n > 0; n = in.arrayNext()) {
                for (long i = 0; i < n; i++) {
                    long startMs = in.readLong();
                    ProfileAccumulator a = new ProfileAccumulator();
                    a.hostId = in.readString();
                    a.sampleCount = in.readInt();
                    a.lastTimestampMs = in.readLong();
                    a.lastVmSizeMb = in.readDouble();
                    if (in.readIndex() == 0) {
                        in.readNull();
                    } else {
                        a.lastDirtyRateMethod = DirtyRateMethod.valueOf(in.readString());
                    }
                    a.sumDirtyPagesPerSec = in.readDouble();
                    a.maxWorkingSetPages = in.readDouble();
                    a.sumCpuUtilPercent = in.readDouble();
                    read(in, a.changedPageEntropy);
                    read(in, a.unchangedPageEntropy);
                    read(in, a.modifiedBytesPerPage);
                    read(in, a.instructionsPerSec);
                    read(in, a.netUtilMBps);
                    if (in.readIndex() == 0) {
                        in.readNull();
                    } else {
                        a.lastVcpus = in.readInt();
                    }
                    s.open.put(startMs, a);
                }
            }
            return s;
        }

        private void read(Decoder in, ProfileAccumulator.OptionalMean m) throws IOException {
            m.sum = in.readDouble();
            m.count = in.readInt();
        }
    };

    static io.lmadvisor.avro.state.VmWindowState toAvro(VmWindowState s) {
        List<OpenWindow> open = new ArrayList<>(s.open.size());
        for (Map.Entry<Long, ProfileAccumulator> e : s.open.entrySet()) {
            ProfileAccumulator a = e.getValue();
            open.add(OpenWindow.newBuilder()
                    .setStartMs(e.getKey())
                    .setHostId(a.hostId)
                    .setSampleCount(a.sampleCount)
                    .setLastTimestampMs(a.lastTimestampMs)
                    .setLastVmSizeMb(a.lastVmSizeMb)
                    .setLastDirtyRateMethod(a.lastDirtyRateMethod == null ? null : a.lastDirtyRateMethod.name())
                    .setSumDirtyPagesPerSec(a.sumDirtyPagesPerSec)
                    .setMaxWorkingSetPages(a.maxWorkingSetPages)
                    .setSumCpuUtilPercent(a.sumCpuUtilPercent)
                    .setChangedPageEntropy(toAvro(a.changedPageEntropy))
                    .setUnchangedPageEntropy(toAvro(a.unchangedPageEntropy))
                    .setModifiedBytesPerPage(toAvro(a.modifiedBytesPerPage))
                    .setInstructionsPerSec(toAvro(a.instructionsPerSec))
                    .setNetUtilMBps(toAvro(a.netUtilMBps))
                    .setLastVcpus(a.lastVcpus)
                    .build());
        }
        return io.lmadvisor.avro.state.VmWindowState.newBuilder()
                .setClosedUpToMs(s.closedUpToMs)
                .setLateSinceLastProfile(s.lateSinceLastProfile)
                .setLastSampleWallMs(s.lastSampleWallMs)
                .setOpen(open)
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
            a.lastDirtyRateMethod = w.getLastDirtyRateMethod() == null
                    ? null
                    : DirtyRateMethod.valueOf(w.getLastDirtyRateMethod().toString());
            a.sumDirtyPagesPerSec = w.getSumDirtyPagesPerSec();
            a.maxWorkingSetPages = w.getMaxWorkingSetPages();
            a.sumCpuUtilPercent = w.getSumCpuUtilPercent();
            fromAvro(w.getChangedPageEntropy(), a.changedPageEntropy);
            fromAvro(w.getUnchangedPageEntropy(), a.unchangedPageEntropy);
            fromAvro(w.getModifiedBytesPerPage(), a.modifiedBytesPerPage);
            fromAvro(w.getInstructionsPerSec(), a.instructionsPerSec);
            fromAvro(w.getNetUtilMBps(), a.netUtilMBps);
            a.lastVcpus = w.getLastVcpus();
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
