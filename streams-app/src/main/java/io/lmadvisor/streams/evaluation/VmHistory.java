package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;

import io.lmadvisor.avro.state.HistoryEntry;
import io.lmadvisor.streams.state.StateSerde;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A VM's recent profiles and the recommendations made from them, one entry per profile window,
 * oldest first, at most {@link #MAX_WINDOWS}: enough to find the advice that was current when a
 * migration started, even when its outcome arrives minutes later.
 */
public final class VmHistory {
    /** 30 windows of 20 s: ten minutes of advice. */
    public static final int MAX_WINDOWS = 30;

    /** One profile window; either part may still be missing (they arrive on separate topics). */
    public record Entry(long windowEndMs, VmProfile profile, MigrationRecommendation recommendation) {
    }

    private final List<Entry> entries = new ArrayList<>();

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public void putProfile(VmProfile p) {
        long end = p.getWindowEnd().toEpochMilli();
        Entry e = find(end);
        put(new Entry(end, p, e == null ? null : e.recommendation()));
    }

    /** Keeps what the join needs: settings, reason and violated limits would only fill the store. */
    public void putRecommendation(MigrationRecommendation r) {
        long end = r.getProfileWindowEnd().toEpochMilli();
        Entry e = find(end);
        MigrationRecommendation slim = MigrationRecommendation.newBuilder(r).setSettings(null).setReason("")
                .setPredictions(r.getPredictions().stream()
                        .map(p -> AlgorithmPrediction.newBuilder(p).setViolatedLimits(List.of()).build()).toList())
                .build();
        put(new Entry(end, e == null ? null : e.profile(), slim));
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
                    && (e.recommendation() == null || e.recommendation().getCreatedAt().toEpochMilli() <= startMs)) {
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
    public static Serde<VmHistory> serde(Serde<VmProfile> profiles, Serde<MigrationRecommendation> recommendations,
                                         String profileTopic, String recommendationTopic) {
        Serializer<VmProfile> profileOut = profiles.serializer();
        Deserializer<VmProfile> profileIn = profiles.deserializer();
        Serializer<MigrationRecommendation> recOut = recommendations.serializer();
        Deserializer<MigrationRecommendation> recIn = recommendations.deserializer();
        return StateSerde.of(io.lmadvisor.avro.state.VmHistory.getClassSchema(),
                (VmHistory h) -> new io.lmadvisor.avro.state.VmHistory(h.entries.stream().map(e -> new HistoryEntry(
                        e.windowEndMs(), bytes(profileOut.serialize(profileTopic, e.profile())),
                        bytes(recOut.serialize(recommendationTopic, e.recommendation())))).toList()),
                (io.lmadvisor.avro.state.VmHistory r) -> {
                    VmHistory h = new VmHistory();
                    for (HistoryEntry e : r.getEntries()) {
                        h.put(new Entry(e.getWindowEndMs(), profileIn.deserialize(profileTopic, array(e.getProfile())),
                                recIn.deserialize(recommendationTopic, array(e.getRecommendation()))));
                    }
                    return h;
                });
    }

    private static ByteBuffer bytes(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b);
    }

    private static byte[] array(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
