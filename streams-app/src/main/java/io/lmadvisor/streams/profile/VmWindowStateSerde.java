package io.lmadvisor.streams.profile;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;

/** Binary form of {@link VmWindowState}: internal state, so no registry round trip. */
public final class VmWindowStateSerde implements Serde<VmWindowState> {
    private static final byte FORMAT_VERSION = 1;
    private final ProfileAccumulatorSerde accumulators = new ProfileAccumulatorSerde();

    @Override
    public Serializer<VmWindowState> serializer() {
        Serializer<ProfileAccumulator> acc = accumulators.serializer();
        return (topic, s) -> {
            if (s == null) {
                return null;
            }
            try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
                 DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT_VERSION);
                out.writeLong(s.closedUpToMs);
                out.writeInt(s.lateSinceLastProfile);
                out.writeLong(s.lastSampleWallMs);
                out.writeInt(s.open.size());
                for (Map.Entry<Long, ProfileAccumulator> e : s.open.entrySet()) {
                    byte[] a = acc.serialize(topic, e.getValue());
                    out.writeLong(e.getKey());
                    out.writeInt(a.length);
                    out.write(a);
                }
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new SerializationException("cannot encode window state", e);
            }
        };
    }

    @Override
    public Deserializer<VmWindowState> deserializer() {
        Deserializer<ProfileAccumulator> acc = accumulators.deserializer();
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
                byte version = in.readByte();
                if (version != FORMAT_VERSION) {
                    throw new SerializationException("window state format " + version + " is not supported");
                }
                VmWindowState s = new VmWindowState();
                s.closedUpToMs = in.readLong();
                s.lateSinceLastProfile = in.readInt();
                s.lastSampleWallMs = in.readLong();
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    long start = in.readLong();
                    byte[] a = new byte[in.readInt()];
                    in.readFully(a);
                    s.open.put(start, acc.deserialize(topic, a));
                }
                return s;
            } catch (IOException e) {
                throw new SerializationException("cannot decode window state", e);
            }
        };
    }
}
