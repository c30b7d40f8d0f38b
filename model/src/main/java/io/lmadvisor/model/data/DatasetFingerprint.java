package io.lmadvisor.model.data;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.RawFeature;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A SHA-256 over the records' values, recorded in model artifacts to say which data trained them.
 * Each record is hashed over id, algorithm code, workload code, raw vector and targets (IEEE bits,
 * NaN and -0.0 normalised); the record hashes are sorted and hashed again, so the fingerprint does
 * not depend on row order. The line number is provenance, not data, and is left out. Raw features CSAP
 * lacks ({@link RawFeature#inCsap()} false) count only when present, so datasets without them keep the
 * fingerprints they had before those features existed.
 */
public final class DatasetFingerprint {
    private DatasetFingerprint() {}

    /** 64 lowercase hex characters. */
    public static String of(List<MigrationRecord> records) {
        MessageDigest sha = HoldoutSplit.sha256();
        byte[][] digests = new byte[records.size()][];
        ByteBuffer buf = ByteBuffer.allocate(8 * (2 + RawFeature.COUNT + Target.values().length));
        for (int i = 0; i < digests.length; i++) {
            MigrationRecord r = records.get(i);
            byte[] id = r.id().getBytes(StandardCharsets.UTF_8);
            buf.clear();
            buf.putLong(r.algorithm().code());
            buf.putLong(r.workload() == null ? -1 : r.workload().code());
            for (RawFeature f : RawFeature.values()) {
                if (f.inCsap() || !Double.isNaN(r.raw(f))) {
                    buf.putLong(bits(r.raw(f)));
                }
            }
            for (double v : r.targets()) {
                buf.putLong(bits(v));
            }
            sha.update(ByteBuffer.allocate(4).putInt(id.length).array());
            sha.update(id);
            sha.update(buf.array(), 0, buf.position());
            digests[i] = sha.digest();
        }
        Arrays.sort(digests, Arrays::compareUnsigned);
        sha.update(ByteBuffer.allocate(8).putLong(records.size()).array());
        for (byte[] d : digests) {
            sha.update(d);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static long bits(double v) {
        // doubleToLongBits folds every NaN into one; adding 0.0 turns -0.0 into 0.0.
        return Double.doubleToLongBits(v + 0.0);
    }
}
