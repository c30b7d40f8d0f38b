package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.state.HistoryWindow;
import io.lmadvisor.streams.state.StateSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The evaluation's history store: one key per VM and profile window, so that a profile or a recommendation
 * writes its own window, to the store and its changelog, instead of the VM's whole history (up to 30 windows,
 * rewritten twice per profile: eight times the samples' own bytes after five minutes, docs/PERFORMANCE.md). A VM's
 * windows are adjacent in key order and sorted by their end.
 */
public final class HistoryWindows {
    private static final char SEPARATOR = '\u0000';
    private static final int END_DIGITS = 16;
    private static final StringSerializer PREFIX = new StringSerializer();

    private HistoryWindows() {}

    /** {@code vmId}, NUL, the window end as 16 hex digits with its sign bit flipped, so they sort as the numbers. */
    static String key(String vmId, long windowEndMs) {
        String hex = Long.toHexString(windowEndMs ^ Long.MIN_VALUE);
        StringBuilder k =
                new StringBuilder(vmId.length() + 1 + END_DIGITS).append(vmId).append(SEPARATOR);
        for (int i = hex.length(); i < END_DIGITS; i++) {
            k.append('0');
        }
        return k.append(hex).toString();
    }

    /** The VM's windows, oldest first (an empty history when there are none). */
    public static VmHistory read(ReadOnlyKeyValueStore<String, VmHistory.Entry> store, String vmId) {
        VmHistory h = new VmHistory();
        for (KeyValue<String, VmHistory.Entry> kv : windows(store, vmId)) {
            h.put(kv.value);
        }
        return h;
    }

    /**
     * Updates the window {@code windowEndMs} of {@code vmId} ({@code update} gets null for a new one); a new window
     * beyond the {@link VmHistory#MAX_WINDOWS} latest drops the oldest.
     */
    static void update(
            KeyValueStore<String, VmHistory.Entry> store,
            String vmId,
            long windowEndMs,
            UnaryOperator<VmHistory.Entry> update) {
        String key = key(vmId, windowEndMs);
        VmHistory.Entry existing = store.get(key);
        store.put(key, update.apply(existing));
        if (existing == null) {
            List<KeyValue<String, VmHistory.Entry>> all = windows(store, vmId);
            for (int i = 0; i < all.size() - VmHistory.MAX_WINDOWS; i++) {
                store.delete(all.get(i).key);
            }
        }
    }

    private static List<KeyValue<String, VmHistory.Entry>> windows(
            ReadOnlyKeyValueStore<String, VmHistory.Entry> store, String vmId) {
        String prefix = vmId + SEPARATOR;
        List<KeyValue<String, VmHistory.Entry>> out = new ArrayList<>();
        try (KeyValueIterator<String, VmHistory.Entry> it = store.prefixScan(prefix, PREFIX)) {
            while (it.hasNext()) {
                KeyValue<String, VmHistory.Entry> kv = it.next();
                // A longer key under the same prefix is another VM's whose id goes on after a NUL.
                if (kv.key.length() == prefix.length() + END_DIGITS) {
                    out.add(kv);
                }
            }
        }
        return out;
    }

    /**
     * The store's values: Avro {@code io.lmadvisor.avro.state.HistoryWindow}, the profile and recommendation inside
     * in their topics' registry format (which carries their schema id), so their own evolution needs no reset.
     */
    public static Serde<VmHistory.Entry> serde(
            Serde<VmProfile> profiles,
            Serde<MigrationRecommendation> recommendations,
            String profileTopic,
            String recommendationTopic) {
        Serializer<VmProfile> profileOut = profiles.serializer();
        Deserializer<VmProfile> profileIn = profiles.deserializer();
        Serializer<MigrationRecommendation> recOut = recommendations.serializer();
        Deserializer<MigrationRecommendation> recIn = recommendations.deserializer();
        Function<VmProfile, byte[]> encodeProfile = p -> profileOut.serialize(profileTopic, p);
        Function<byte[], VmProfile> decodeProfile = b -> profileIn.deserialize(profileTopic, b);
        Function<MigrationRecommendation, byte[]> encodeRec = r -> recOut.serialize(recommendationTopic, r);
        Function<byte[], MigrationRecommendation> decodeRec = b -> recIn.deserialize(recommendationTopic, b);
        return StateSerde.of(
                HistoryWindow.getClassSchema(),
                (VmHistory.Entry e) -> new HistoryWindow(
                        e.windowEndMs(),
                        bytes(e.profile.bytes(encodeProfile)),
                        bytes(e.recommendation.bytes(encodeRec))),
                (HistoryWindow w) -> new VmHistory.Entry(
                        w.getWindowEndMs(),
                        VmHistory.Part.ofBytes(array(w.getProfile()), decodeProfile),
                        VmHistory.Part.ofBytes(array(w.getRecommendation()), decodeRec)),
                codec(encodeProfile, decodeProfile, encodeRec, decodeRec));
    }

    /** The schema's fields in order, without the generated record; {@code HistoryWindowsTest} holds it to the generic writer. */
    static StateSerde.Codec<VmHistory.Entry> codec(
            Function<VmProfile, byte[]> encodeProfile,
            Function<byte[], VmProfile> decodeProfile,
            Function<MigrationRecommendation, byte[]> encodeRec,
            Function<byte[], MigrationRecommendation> decodeRec) {
        return new StateSerde.Codec<>() {
            @Override
            public void write(VmHistory.Entry e, Encoder out) throws IOException {
                out.writeLong(e.windowEndMs());
                writePart(e.profile.bytes(encodeProfile), out);
                writePart(e.recommendation.bytes(encodeRec), out);
            }

            private void writePart(byte[] part, Encoder out) throws IOException {
                if (part == null) {
                    out.writeIndex(0);
                    out.writeNull();
                } else {
                    out.writeIndex(1);
                    out.writeBytes(part);
                }
            }

            @Override
            public VmHistory.Entry read(Decoder in) throws IOException {
                long windowEndMs = in.readLong();
                return new VmHistory.Entry(
                        windowEndMs,
                        VmHistory.Part.ofBytes(readPart(in), decodeProfile),
                        VmHistory.Part.ofBytes(readPart(in), decodeRec));
            }

            private byte[] readPart(Decoder in) throws IOException {
                if (in.readIndex() == 0) {
                    in.readNull();
                    return null;
                }
                return array(in.readBytes(null));
            }
        };
    }

    private static ByteBuffer bytes(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b);
    }

    private static byte[] array(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
            return b.array(); // a buffer the decoder made for this value alone
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
