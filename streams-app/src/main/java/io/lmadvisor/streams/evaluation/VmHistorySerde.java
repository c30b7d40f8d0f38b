package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Binary form of {@link VmHistory}: per entry the window end, then the profile and the
 * recommendation in their own (registry) serdes, length-prefixed, -1 for an absent one.
 */
public final class VmHistorySerde implements Serde<VmHistory> {
    private static final byte FORMAT_VERSION = 1;

    private final Serde<VmProfile> profiles;
    private final Serde<MigrationRecommendation> recommendations;
    private final String profileTopic;
    private final String recommendationTopic;

    /** The topics name the registry subjects the nested records are written under. */
    public VmHistorySerde(Serde<VmProfile> profiles, Serde<MigrationRecommendation> recommendations,
                          String profileTopic, String recommendationTopic) {
        this.profiles = profiles;
        this.recommendations = recommendations;
        this.profileTopic = profileTopic;
        this.recommendationTopic = recommendationTopic;
    }

    @Override
    public Serializer<VmHistory> serializer() {
        Serializer<VmProfile> p = profiles.serializer();
        Serializer<MigrationRecommendation> r = recommendations.serializer();
        return (topic, h) -> {
            if (h == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT_VERSION);
                out.writeInt(h.entries().size());
                for (VmHistory.Entry e : h.entries()) {
                    out.writeLong(e.windowEndMs());
                    writeBytes(out, e.profile() == null ? null : p.serialize(profileTopic, e.profile()));
                    writeBytes(out, e.recommendation() == null ? null : r.serialize(recommendationTopic, e.recommendation()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        };
    }

    @Override
    public Deserializer<VmHistory> deserializer() {
        Deserializer<VmProfile> p = profiles.deserializer();
        Deserializer<MigrationRecommendation> r = recommendations.deserializer();
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
                if (in.readByte() != FORMAT_VERSION) {
                    throw new SerializationException("VM history format not supported");
                }
                VmHistory h = new VmHistory();
                for (int n = in.readInt(); n > 0; n--) {
                    long end = in.readLong();
                    byte[] profile = readBytes(in);
                    byte[] rec = readBytes(in);
                    h.add(new VmHistory.Entry(end, profile == null ? null : p.deserialize(profileTopic, profile),
                            rec == null ? null : r.deserialize(recommendationTopic, rec)));
                }
                return h;
            } catch (IOException e) {
                throw new SerializationException("corrupt VM history", e);
            }
        };
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
