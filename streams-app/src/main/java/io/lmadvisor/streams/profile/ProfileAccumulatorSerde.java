package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.DirtyRateMethod;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Compact binary form of the window state; internal to this app, so no registry round trip. */
public final class ProfileAccumulatorSerde implements Serde<ProfileAccumulator> {
    private static final byte FORMAT_VERSION = 1;
    private static final int OPTIONAL_MEANS = 5;
    private static final DirtyRateMethod[] METHODS = DirtyRateMethod.values();

    @Override
    public Serializer<ProfileAccumulator> serializer() {
        return (topic, acc) -> {
            if (acc == null) {
                return null;
            }
            byte[] host = acc.hostId.getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.allocate(1 + 4 + host.length + 4 + 8 + 8 * 4 + OPTIONAL_MEANS * 12 + 1);
            buf.put(FORMAT_VERSION).putInt(host.length).put(host)
                    .putInt(acc.sampleCount).putLong(acc.lastTimestampMs)
                    .putDouble(acc.lastVmSizeMb).putDouble(acc.sumDirtyPagesPerSec)
                    .putDouble(acc.maxWorkingSetPages).putDouble(acc.sumCpuUtilPercent);
            for (ProfileAccumulator.OptionalMean m : optionals(acc)) {
                buf.putDouble(m.sum).putInt(m.count);
            }
            // Appended, so state written before it existed still reads: ordinal + 1, 0 for null.
            buf.put((byte) (acc.lastDirtyRateMethod == null ? 0 : acc.lastDirtyRateMethod.ordinal() + 1));
            return buf.array();
        };
    }

    @Override
    public Deserializer<ProfileAccumulator> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte version = buf.get();
            if (version != FORMAT_VERSION) {
                throw new SerializationException("profile state format " + version + " is not supported");
            }
            ProfileAccumulator acc = new ProfileAccumulator();
            byte[] host = new byte[buf.getInt()];
            buf.get(host);
            acc.hostId = new String(host, StandardCharsets.UTF_8);
            acc.sampleCount = buf.getInt();
            acc.lastTimestampMs = buf.getLong();
            acc.lastVmSizeMb = buf.getDouble();
            acc.sumDirtyPagesPerSec = buf.getDouble();
            acc.maxWorkingSetPages = buf.getDouble();
            acc.sumCpuUtilPercent = buf.getDouble();
            for (ProfileAccumulator.OptionalMean m : optionals(acc)) {
                m.sum = buf.getDouble();
                m.count = buf.getInt();
            }
            int method = buf.hasRemaining() ? buf.get() : 0;
            acc.lastDirtyRateMethod = method <= 0 || method > METHODS.length ? null : METHODS[method - 1];
            return acc;
        };
    }

    private static ProfileAccumulator.OptionalMean[] optionals(ProfileAccumulator acc) {
        return new ProfileAccumulator.OptionalMean[] {acc.changedPageEntropy, acc.unchangedPageEntropy,
                acc.modifiedBytesPerPage, acc.instructionsPerSec, acc.netUtilMBps};
    }
}
