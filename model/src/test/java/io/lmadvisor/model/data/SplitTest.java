package io.lmadvisor.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.features.RawFeature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitTest {
    static List<MigrationRecord> records(int n) {
        List<MigrationRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new MigrationRecord(
                    Long.toString(1463735786L + 37L * i),
                    i + 2,
                    Algorithm.fromCode(i % 5),
                    null,
                    RawFeature.emptyVector(),
                    MigrationRecord.emptyTargets()));
        }
        return out;
    }

    private static Set<String> ids(List<MigrationRecord> rs) {
        return rs.stream().map(MigrationRecord::id).collect(Collectors.toSet());
    }

    @Test
    void holdoutIsDeterministicOrderFreeAndAboutThirtyPercent() {
        List<MigrationRecord> all = records(20_000);
        HoldoutSplit a = HoldoutSplit.byIdHash(all, 0.30);
        List<MigrationRecord> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(3));
        HoldoutSplit b = HoldoutSplit.byIdHash(shuffled, 0.30);

        assertEquals(ids(a.test()), ids(b.test()));
        assertEquals(all.size(), a.train().size() + a.test().size());
        Set<String> overlap = new HashSet<>(ids(a.train()));
        overlap.retainAll(ids(a.test()));
        assertTrue(overlap.isEmpty());
        double share = a.test().size() / (double) all.size();
        assertTrue(Math.abs(share - 0.30) < 0.015, "test share " + share);
        // A larger fraction only adds rows: existing test rows never move back to train.
        assertTrue(ids(HoldoutSplit.byIdHash(all, 0.40).test()).containsAll(ids(a.test())));
    }

    @Test
    void idPositionIsSha256AsAnyLanguageComputesIt() {
        // Reference values from Python: int.from_bytes(sha256(id).digest()[:8], 'big') >> 11 / 2**53.
        assertEquals(0.8493430905661706, HoldoutSplit.idFraction("1463735786"));
        assertEquals(0.6736177528149841, HoldoutSplit.idFraction("0:0"));
        assertEquals(0.17557225990430192, HoldoutSplit.idFraction("hello"));
    }

    @Test
    void kFoldPartitionsEverythingOnce() {
        List<Integer> items = IntStream.range(0, 103).boxed().toList();
        List<KFold.Fold<Integer>> folds = KFold.split(items, 10, 42);
        assertEquals(10, folds.size());
        Set<Integer> seen = new HashSet<>();
        for (KFold.Fold<Integer> f : folds) {
            assertTrue(
                    f.test().size() == 10 || f.test().size() == 11,
                    "fold size " + f.test().size());
            for (Integer t : f.test()) {
                assertTrue(seen.add(t), t + " is in two test folds");
            }
            Set<Integer> train = new HashSet<>(f.train());
            assertEquals(items.size(), train.size() + f.test().size());
            for (Integer t : f.test()) {
                assertFalse(train.contains(t));
            }
        }
        assertEquals(new HashSet<>(items), seen);
    }

    @Test
    void kFoldDependsOnTheSeedOnly() {
        assertArrayEquals(KFold.assignments(500, 10, 7), KFold.assignments(500, 10, 7));
        assertFalse(java.util.Arrays.equals(KFold.assignments(500, 10, 7), KFold.assignments(500, 10, 8)));
        // Not simply index mod k: the shuffle mixes neighbours.
        int[] a = KFold.assignments(500, 10, 7);
        long sequential = IntStream.range(0, 500).filter(i -> a[i] == i % 10).count();
        assertTrue(sequential < 150, "looks unshuffled: " + sequential);
        assertThrows(IllegalArgumentException.class, () -> KFold.assignments(5, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> KFold.assignments(50, 1, 1));
    }
}
