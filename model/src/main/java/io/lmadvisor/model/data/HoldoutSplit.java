package io.lmadvisor.model.data;

import io.lmadvisor.model.MigrationRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A train/test split decided by each record's id alone, so the same migration lands on the same side
 * in every run, JVM and file order, and rows added later do not move old ones.
 */
public record HoldoutSplit(List<MigrationRecord> train, List<MigrationRecord> test) {
    public static final double DEFAULT_TEST_FRACTION = 0.30;

    public HoldoutSplit {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    /** Test set = records whose {@link #idFraction} is below {@code testFraction}; input order kept. */
    public static HoldoutSplit byIdHash(List<MigrationRecord> records, double testFraction) {
        if (!(testFraction >= 0 && testFraction <= 1)) {
            throw new IllegalArgumentException("testFraction must be in [0, 1], got " + testFraction);
        }
        List<MigrationRecord> train = new ArrayList<>();
        List<MigrationRecord> test = new ArrayList<>();
        MessageDigest sha = sha256();
        for (MigrationRecord r : records) {
            (idFraction(r.id(), sha) < testFraction ? test : train).add(r);
        }
        return new HoldoutSplit(train, test);
    }

    public static HoldoutSplit byIdHash(List<MigrationRecord> records) {
        return byIdHash(records, DEFAULT_TEST_FRACTION);
    }

    /**
     * The id's position in [0, 1): the first 8 bytes of SHA-256 of its UTF-8 bytes, big-endian,
     * top 53 bits. Reproducible anywhere (e.g. Python hashlib) and not String.hashCode.
     */
    public static double idFraction(String id) {
        return idFraction(id, sha256());
    }

    private static double idFraction(String id, MessageDigest sha) {
        byte[] d = sha.digest(id.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (d[i] & 0xFF);
        }
        return (v >>> 11) * 0x1.0p-53;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }
}
