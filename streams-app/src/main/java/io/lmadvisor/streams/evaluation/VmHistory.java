package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.state.HistoryEntry;
import io.lmadvisor.streams.state.StateSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A VM's recent profiles and the recommendations made from them, one entry per profile window,
 * oldest first, at most {@link #MAX_WINDOWS}: enough to find the advice that was current when a
 * migration started, even when its outcome arrives minutes later.
 */
public final class VmHistory {
    /** 30 windows of 20 s: ten minutes of advice. */
    public static final int MAX_WINDOWS = 30;

    /**
     * One profile window; either part may still be missing (they arrive on separate topics). A part read from the
     * store stays in its bytes until asked for, and keeps them: each update re-encodes only the part that changed,
     * not all 30 windows (that was most of the evaluation's cost, docs/PERFORMANCE.md).
     */
    public static final class Entry {
        private final long windowEndMs;
        private final Part<VmProfile> profile;
        private final Part<MigrationRecommendation> recommendation;

        public Entry(long windowEndMs, VmProfile profile, MigrationRecommendation recommendation) {
            this(windowEndMs, Part.of(profile), Part.of(recommendation));
        }

        private Entry(long windowEndMs, Part<VmProfile> profile, Part<MigrationRecommendation> recommendation) {
            this.windowEndMs = windowEndMs;
            this.profile = profile;
            this.recommendation = recommendation;
        }

        public long windowEndMs() {
            return windowEndMs;
        }

        public VmProfile profile() {
            return profile.value();
        }

        public MigrationRecommendation recommendation() {
            return recommendation.value();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e
                    && e.windowEndMs == windowEndMs
                    && Objects.equals(e.profile(), profile())
                    && Objects.equals(e.recommendation(), recommendation());
        }

        @Override
        public int hashCode() {
            return Objects.hash(windowEndMs, profile(), recommendation());
        }

        @Override
        public String toString() {
            return "Entry[windowEndMs=" + windowEndMs + ", profile=" + profile() + ", recommendation="
                    + recommendation() + "]";
        }
    }

    /** A value, its encoded bytes, or both; either is made from the other when first needed. */
    private static final class Part<T> {
        private static final Part<?> NONE = new Part<>(null, null, null);
        private T value;
        private byte[] bytes;
        private final Function<byte[], T> decode;

        private Part(T value, byte[] bytes, Function<byte[], T> decode) {
            this.value = value;
            this.bytes = bytes;
            this.decode = decode;
        }

        @SuppressWarnings("unchecked")
        static <T> Part<T> of(T value) {
            return value == null ? (Part<T>) NONE : new Part<>(value, null, null);
        }

        @SuppressWarnings("unchecked")
        static <T> Part<T> ofBytes(byte[] bytes, Function<byte[], T> decode) {
            return bytes == null ? (Part<T>) NONE : new Part<>(null, bytes, decode);
        }

        T value() {
            if (value == null && bytes != null) {
                value = decode.apply(bytes);
            }
            return value;
        }

        byte[] bytes(Function<T, byte[]> encode) {
            if (bytes == null && value != null) {
                bytes = encode.apply(value);
            }
            return bytes;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public void putProfile(VmProfile p) {
        long end = p.getWindowEnd().toEpochMilli();
        Entry e = find(end);
        put(new Entry(end, Part.of(p), e == null ? Part.of(null) : e.recommendation));
    }

    /** Keeps what the join needs: settings, reason and violated limits would only fill the store. */
    public void putRecommendation(MigrationRecommendation r) {
        long end = r.getProfileWindowEnd().toEpochMilli();
        Entry e = find(end);
        put(new Entry(end, e == null ? Part.of(null) : e.profile, Part.of(slim(r))));
    }

    /**
     * {@code r} without settings, reason and violated limits. A shallow copy: {@code r} was decoded for this alone,
     * and the builders' deep copies of every field cost more than the rest of a recommendation's update.
     */
    static MigrationRecommendation slim(MigrationRecommendation r) {
        MigrationRecommendation slim = new MigrationRecommendation();
        for (Schema.Field f : MigrationRecommendation.getClassSchema().getFields()) {
            slim.put(f.pos(), r.get(f.pos()));
        }
        List<AlgorithmPrediction> predictions =
                new ArrayList<>(r.getPredictions().size());
        for (AlgorithmPrediction p : r.getPredictions()) {
            AlgorithmPrediction q = new AlgorithmPrediction();
            for (Schema.Field f : AlgorithmPrediction.getClassSchema().getFields()) {
                q.put(f.pos(), p.get(f.pos()));
            }
            q.setViolatedLimits(List.of());
            predictions.add(q);
        }
        slim.setSettings(null);
        slim.setReason("");
        slim.setPredictions(predictions);
        return slim;
    }

    /**
     * The advice current at {@code startMs}: the latest window that had ended by then and whose
     * recommendation, if any, had been made by then. The second condition matters when event time
     * runs ahead of the wall clock's advice (a backfill): a later window may have ended in event time
     * although its advice did not exist yet when the migration started.
     */
    public Entry currentAt(long startMs) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.windowEndMs() <= startMs
                    && (e.recommendation() == null
                            || e.recommendation().getCreatedAt().toEpochMilli() <= startMs)) {
                return e;
            }
        }
        return null;
    }

    private Entry find(long windowEndMs) {
        for (Entry e : entries) {
            if (e.windowEndMs() == windowEndMs) {
                return e;
            }
        }
        return null;
    }

    private void put(Entry e) {
        int i = entries.size();
        while (i > 0 && entries.get(i - 1).windowEndMs() >= e.windowEndMs()) {
            i--;
        }
        if (i < entries.size() && entries.get(i).windowEndMs() == e.windowEndMs()) {
            entries.set(i, e);
        } else {
            entries.add(i, e);
        }
        while (entries.size() > MAX_WINDOWS) {
            entries.remove(0);
        }
    }

    /**
     * The store's format: Avro {@code io.lmadvisor.avro.state.VmHistory}, the profile and recommendation inside in
     * their topics' registry format (which carries their schema id), so their own evolution needs no reset.
     */
    public static Serde<VmHistory> serde(
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
                io.lmadvisor.avro.state.VmHistory.getClassSchema(),
                (VmHistory h) -> new io.lmadvisor.avro.state.VmHistory(h.entries.stream()
                        .map(e -> new HistoryEntry(
                                e.windowEndMs(),
                                bytes(e.profile.bytes(encodeProfile)),
                                bytes(e.recommendation.bytes(encodeRec))))
                        .toList()),
                (io.lmadvisor.avro.state.VmHistory r) -> {
                    VmHistory h = new VmHistory();
                    for (HistoryEntry e : r.getEntries()) {
                        h.put(new Entry(
                                e.getWindowEndMs(),
                                Part.ofBytes(array(e.getProfile()), decodeProfile),
                                Part.ofBytes(array(e.getRecommendation()), decodeRec)));
                    }
                    return h;
                },
                codec(encodeProfile, decodeProfile, encodeRec, decodeRec));
    }

    /**
     * The schema's fields in order, without the generated records: the history is written on every profile and
     * recommendation. {@code VmHistoryCodecTest} holds it byte-identical to the generic writer.
     */
    static StateSerde.Codec<VmHistory> codec(
            Function<VmProfile, byte[]> encodeProfile,
            Function<byte[], VmProfile> decodeProfile,
            Function<MigrationRecommendation, byte[]> encodeRec,
            Function<byte[], MigrationRecommendation> decodeRec) {
        return new StateSerde.Codec<>() {
            @Override
            public void write(VmHistory h, Encoder out) throws IOException {
                out.writeArrayStart();
                out.setItemCount(h.entries.size());
                for (Entry e : h.entries) {
                    out.startItem();
                    out.writeLong(e.windowEndMs);
                    writePart(e.profile.bytes(encodeProfile), out);
                    writePart(e.recommendation.bytes(encodeRec), out);
                }
                out.writeArrayEnd();
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
            public VmHistory read(Decoder in) throws IOException {
                VmHistory h = new VmHistory();
                for (long n = in.readArrayStart(); n > 0; n = in.arrayNext()) {
                    for (long i = 0; i < n; i++) {
                        long windowEndMs = in.readLong();
                        h.put(new Entry(
                                windowEndMs,
                                Part.ofBytes(readPart(in), decodeProfile),
                                Part.ofBytes(readPart(in), decodeRec)));
                    }
                }
                return h;
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
