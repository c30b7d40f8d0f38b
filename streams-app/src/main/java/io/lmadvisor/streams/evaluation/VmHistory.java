package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.avro.Schema;

/**
 * A VM's recent profiles and the recommendations made from them, one entry per profile window,
 * oldest first, at most {@link #MAX_WINDOWS}: enough to find the advice that was current when a
 * migration started, even when its outcome arrives minutes later. Stored one window per key
 * ({@link HistoryWindows}).
 */
public final class VmHistory {
    /** 30 windows of 20 s: ten minutes of advice. */
    public static final int MAX_WINDOWS = 30;

    /**
     * One profile window; either part may still be missing (they arrive on separate topics). A part read from the
     * store stays in its bytes until asked for, and keeps them: an update re-encodes only the part that changed.
     */
    public static final class Entry {
        private final long windowEndMs;
        final Part<VmProfile> profile;
        final Part<MigrationRecommendation> recommendation;

        public Entry(long windowEndMs, VmProfile profile, MigrationRecommendation recommendation) {
            this(windowEndMs, Part.of(profile), Part.of(recommendation));
        }

        Entry(long windowEndMs, Part<VmProfile> profile, Part<MigrationRecommendation> recommendation) {
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
    static final class Part<T> {
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
        put(withProfile(find(p.getWindowEnd().toEpochMilli()), p));
    }

    public void putRecommendation(MigrationRecommendation r) {
        put(withRecommendation(find(r.getProfileWindowEnd().toEpochMilli()), r));
    }

    /** {@code p}'s window: {@code e} (null: none yet) with {@code p} as its profile. */
    static Entry withProfile(Entry e, VmProfile p) {
        return new Entry(p.getWindowEnd().toEpochMilli(), Part.of(p), e == null ? Part.of(null) : e.recommendation);
    }

    /** As {@link #withProfile}; keeps what the join needs: settings, reason and violated limits would only fill the store. */
    static Entry withRecommendation(Entry e, MigrationRecommendation r) {
        return new Entry(
                r.getProfileWindowEnd().toEpochMilli(), e == null ? Part.of(null) : e.profile, Part.of(slim(r)));
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

    /** Adds or replaces {@code e}'s window, keeping the {@link #MAX_WINDOWS} latest. */
    void put(Entry e) {
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
}
